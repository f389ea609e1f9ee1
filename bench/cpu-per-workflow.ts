/**
 * CPU time per workflow on Postgres, of the server (this run's backends, by
 * application_name, from /proc/<pid>/stat) and of this process, for (b)
 * (200 in flight) and optionally (a) (sequential), run on the checkout given:
 * CPU time is much less moved than wall time by other work on a shared
 * machine, so A/B rounds of two checkouts still compare there. One JSON line.
 *   node --import tsx bench/cpu-per-workflow.ts /path/to/checkout [--sequential]
 * Linux only (/proc); the server must run on this machine.
 */
import { readFileSync } from 'node:fs';
import pg from 'pg';

const root = process.argv[2] ?? '.';
const withSequential = process.argv.includes('--sequential');
const { withDurably, threeStepWorkflow } = await import(`${root}/bench/workflows.ts`);
const { postgresUrl, preparePostgres } = await import(`${root}/bench/harness.ts`);

const clockTicksPerSecond = 100;
const tag = `cpu_${Date.now()}${process.pid}`;
const baseUrl = postgresUrl();
await preparePostgres(baseUrl);
const url = new URL(baseUrl);
url.searchParams.set('application_name', tag);
const admin = new pg.Client({ connectionString: baseUrl });
await admin.connect();

async function serverCpuMs(): Promise<number> {
  const { rows } = await admin.query('SELECT pid FROM pg_stat_activity WHERE application_name = $1', [tag]);
  let ticks = 0;
  for (const { pid } of rows) {
    try {
      const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]!.split(' ');
      ticks += Number(fields[11]) + Number(fields[12]); // utime, stime
    } catch {
      // the backend ended meanwhile
    }
  }
  return (ticks / clockTicksPerSecond) * 1000;
}

function clientCpuMs(): number {
  const usage = process.cpuUsage();
  return (usage.user + usage.system) / 1000;
}

async function measure(scenario: string, warmUp: () => Promise<void>, work: () => Promise<void>, count: number) {
  const config = { name: 'cpu', systemDatabaseUrl: url.toString(), systemDatabaseSchemaName: `${tag}_${scenario}`, logLevel: 'warn' };
  return withDurably(config, async () => {
    await warmUp();
    const [server, client, started] = [await serverCpuMs(), clientCpuMs(), performance.now()];
    await work();
    const wallMs = performance.now() - started;
    const perWorkflow = (ms: number) => Number((ms / count).toFixed(4));
    return {
      serverCpuMsPerWorkflow: perWorkflow((await serverCpuMs()) - server),
      clientCpuMsPerWorkflow: perWorkflow(clientCpuMs() - client),
      wallMsPerWorkflow: perWorkflow(wallMs),
    };
  });
}

async function inFlight(total: number): Promise<void> {
  let started = 0;
  const lane = async () => {
    while (started < total) {
      started++;
      await threeStepWorkflow();
    }
  };
  await Promise.all(Array.from({ length: 200 }, lane));
}

async function sequential(total: number): Promise<void> {
  for (let i = 0; i < total; i++) await threeStepWorkflow();
}

try {
  const a = withSequential ? await measure('a', () => sequential(50), () => sequential(500), 500) : undefined;
  const b = await measure('b', () => inFlight(400), () => inFlight(4000), 4000);
  console.log(JSON.stringify({ a, b }));
} finally {
  for (const scenario of ['a', 'b']) await admin.query(`DROP SCHEMA IF EXISTS "${tag}_${scenario}" CASCADE`);
  await admin.end();
}
