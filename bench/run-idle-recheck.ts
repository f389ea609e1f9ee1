/**
 * The idle load of 10,000 waiters (bench/scale-idle-worker.ts: half in
 * DBOS.recv, half in DBOS.getEvent) with the batched re-check of sleeping
 * waiters left out ('off', the load before it existed) and at its default
 * period, in interleaved rounds (off, on, on, off, ...), each in a fresh
 * worker process on a fresh schema: statements/s and CPU per round, and the
 * ratios of the means. Postgres only: on SQLite the re-check never runs (the
 * change watcher sees every writer).
 *
 *   node --import tsx bench/run-idle-recheck.ts [rounds=2] [windowMs=30000] [waiters=10000]
 */
import pg from 'pg';
import { BenchChild } from './bench-child.ts';
import { postgresUrl, preparePostgres } from './harness.ts';
import { run } from './settings.ts';

const rounds = Number(process.argv[2] ?? '2');
const windowMs = Number(process.argv[3] ?? '30000');
const waiters = Number(process.argv[4] ?? '10000');

interface Measured {
  statementsPerSec: number;
  cpuPercent: number;
  topStatements: { text: string; perSec: number }[];
  startMs?: number;
}

async function measure(mode: 'off' | 'on', schema: string, url: string): Promise<Measured> {
  const config = { name: 'bench', systemDatabaseUrl: url, systemDatabaseSchemaName: schema, logLevel: 'warn' };
  const child = new BenchChild(
    'bench/scale-idle-worker.ts',
    {
      DURABLY_BENCH_CONFIG: JSON.stringify(config),
      DURABLY_SCALE_QUEUES: '1',
      DURABLY_SCALE_WAITERS: String(waiters),
      DURABLY_SCALE_WINDOW_MS: String(windowMs),
      // 'on' keeps the default period (5 s).
      ...(mode === 'off' ? { DURABLY_SCALE_RECHECK_PERIOD_MS: 'off' } : {}),
    },
    900_000,
  );
  try {
    return JSON.parse(await child.lineAfter('RESULT ')) as Measured;
  } finally {
    child.kill();
  }
}

async function main(): Promise<void> {
  const url = postgresUrl();
  const { problem } = await preparePostgres(url);
  if (problem) throw new Error(`Postgres unreachable: ${problem}`);
  const results: Record<'off' | 'on', Measured[]> = { off: [], on: [] };
  const schemas: string[] = [];
  try {
    for (let round = 0; round < rounds; round++) {
      const order: ('off' | 'on')[] = round % 2 === 0 ? ['off', 'on'] : ['on', 'off'];
      for (const mode of order) {
        const schema = `bench_${run}_recheck_${round}_${mode}`;
        schemas.push(schema);
        console.log(`round ${round + 1}/${rounds}, re-check ${mode}: ${waiters} waiters, ${windowMs / 1000} s window...`);
        const measured = await measure(mode, schema, url);
        results[mode].push(measured);
        const top = measured.topStatements.map((s) => `${s.perSec.toFixed(2)}/s ${s.text.slice(0, 60)}`).join(' | ');
        console.log(`  ${measured.statementsPerSec.toFixed(3)} statements/s, CPU ${measured.cpuPercent.toFixed(2)}% (${top})`);
      }
    }
  } finally {
    const client = new pg.Client({ connectionString: url });
    await client.connect();
    for (const schema of schemas) await client.query(`DROP SCHEMA IF EXISTS "${schema}" CASCADE`).catch(() => undefined);
    await client.end();
  }
  const mean = (list: Measured[], field: 'statementsPerSec' | 'cpuPercent') => list.reduce((t, m) => t + m[field], 0) / list.length;
  for (const field of ['statementsPerSec', 'cpuPercent'] as const) {
    const off = mean(results.off, field);
    const on = mean(results.on, field);
    console.log(`${field}: off ${off.toFixed(3)}, on ${on.toFixed(3)}, on/off ${(on / off).toFixed(2)}, on - off ${(on - off).toFixed(3)}`);
  }
}

main().catch((error: unknown) => {
  console.error(error);
  process.exitCode = 1;
});
