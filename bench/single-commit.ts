/**
 * Single commit, measured: `node --import tsx bench/single-commit.ts`.
 *
 * 1. A sequential workflow whose one operation is a transaction (insert a row): its latency with the
 *    application database apart from the system database (completion-row route: two commits) and inside it
 *    (single commit), on SQLite and on Postgres.
 * 2. What holding the SQLite system writer costs other workflows: 20 workflows doing steps in a loop while
 *    another workflow runs transactions back to back, each awaiting `holdMs` inside (0: SQL only; 5: an
 *    awaited call inside the transaction). Step latency of the 20, with no transactions, with transactions on
 *    a file of their own, and with transactions on the system file (single commit, writer held).
 */
import { randomUUID } from 'node:crypto';
import { rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DatabaseSync } from 'node:sqlite';
import { setTimeout as sleep } from 'node:timers/promises';
import pg from 'pg';
import { DBOS, type DBOSConfig } from '../src/index.ts';
import { registerTransaction } from '../src/datasource.ts';
import { NodePostgresDataSource } from '../src/datasources/node-pg.ts';
import { SQLiteDataSource } from '../src/datasources/sqlite.ts';
import { postgresUrl, preparePostgres } from './harness.ts';

interface Place {
  name: string;
  config: DBOSConfig;
  /** A data source over a fresh `items` table, and the SQL to insert into it through the data source's client. */
  dataSource(): Promise<{ insert: (label: string) => Promise<void> }>;
  cleanup(): Promise<void>;
}

const files: string[] = [];
const sqliteFile = () => {
  const path = join(tmpdir(), `durably-single-commit-${randomUUID()}.sqlite`);
  files.push(path);
  return path;
};

function sqlitePlace(onSystemFile: boolean): Place {
  const systemPath = sqliteFile();
  const appPath = onSystemFile ? systemPath : sqliteFile();
  return {
    name: `sqlite, ${onSystemFile ? 'on the system file (single commit)' : 'own file (completion row)'}`,
    config: { name: 'bench', systemDatabaseUrl: systemPath, logLevel: 'error' },
    async dataSource() {
      const db = new DatabaseSync(appPath);
      db.exec('PRAGMA journal_mode = WAL; CREATE TABLE IF NOT EXISTS items (label TEXT NOT NULL)');
      db.close();
      new SQLiteDataSource('app', appPath);
      return { insert: async (label) => void SQLiteDataSource.client.prepare('INSERT INTO items VALUES (?)').run(label) };
    },
    cleanup: async () => undefined,
  };
}

function postgresPlace(systemUrl: string, onSystemDatabase: boolean): Place {
  const schema = `bench_${randomUUID().replaceAll('-', '').slice(0, 12)}`;
  const appUrl = new URL(systemUrl);
  if (!onSystemDatabase) appUrl.pathname = `${appUrl.pathname}_app`;
  const run = async (url: string, sql: string) => {
    const client = new pg.Client({ connectionString: url });
    await client.connect();
    try {
      await client.query(sql);
    } finally {
      await client.end();
    }
  };
  return {
    name: `postgres, ${onSystemDatabase ? 'in the system database (single commit)' : 'own database (completion row)'}`,
    config: { name: 'bench', systemDatabaseUrl: systemUrl, systemDatabaseSchemaName: `${schema}_sys`, logLevel: 'error' },
    async dataSource() {
      if (!onSystemDatabase) {
        const admin = new URL(appUrl);
        admin.pathname = '/postgres';
        await run(admin.toString(), `CREATE DATABASE "${appUrl.pathname.slice(1)}"`).catch(() => undefined);
      }
      await run(appUrl.toString(), `CREATE SCHEMA "${schema}"; CREATE TABLE "${schema}".items (label TEXT NOT NULL)`);
      new NodePostgresDataSource('app', { connectionString: appUrl.toString() }, schema);
      return { insert: async (label) => void (await NodePostgresDataSource.client.query(`INSERT INTO "${schema}".items VALUES ($1)`, [label])) };
    },
    cleanup: async () => {
      await run(appUrl.toString(), `DROP SCHEMA IF EXISTS "${schema}" CASCADE`);
      await run(systemUrl, `DROP SCHEMA IF EXISTS "${schema}_sys" CASCADE`);
    },
  };
}

const quantile = (values: number[], q: number) => [...values].sort((a, b) => a - b)[Math.min(values.length - 1, Math.floor(values.length * q))] ?? NaN;
const ms = (value: number) => value.toFixed(2);

async function sequentialLatency(place: Place, warmup: number, runs: number): Promise<string> {
  const { insert } = await place.dataSource();
  const transaction = registerTransaction('app', (label: string) => insert(label), { name: 'bench.insert' });
  const workflow = DBOS.registerWorkflow((label: string) => transaction(label), { name: 'bench.oneTransaction' });
  DBOS.setConfig(place.config);
  await DBOS.launch();
  const latencies: number[] = [];
  try {
    for (let i = 0; i < warmup + runs; i++) {
      const started = performance.now();
      await workflow(`row-${i}`);
      if (i >= warmup) latencies.push(performance.now() - started);
    }
  } finally {
    await DBOS.shutdown({ deregister: true });
    await place.cleanup();
  }
  const total = latencies.reduce((a, b) => a + b, 0);
  return `${place.name}: median ${ms(quantile(latencies, 0.5))} ms, p99 ${ms(quantile(latencies, 0.99))} ms, ${(runs / (total / 1000)).toFixed(0)} workflows/s`;
}

/** Step latency of 20 looping workflows while one workflow runs transactions (or none) for `durationMs`. */
async function holdCost(place: Place | undefined, holdMs: number, durationMs: number): Promise<string> {
  const config = place?.config ?? { name: 'bench', systemDatabaseUrl: sqliteFile(), logLevel: 'error' as const };
  const insert = place ? (await place.dataSource()).insert : undefined;
  const transaction = registerTransaction('app', async (label: string) => {
    await insert!(label);
    if (holdMs > 0) await sleep(holdMs);
  }, { name: 'bench.holding' });
  const transactions = DBOS.registerWorkflow(async (deadline: number) => {
    let n = 0;
    while (Date.now() < deadline) await transaction(`row-${n++}`);
    return n;
  }, { name: 'bench.transactions' });
  const step = DBOS.registerStep(async () => undefined, { name: 'bench.step' });
  const stepper = DBOS.registerWorkflow(async (deadline: number) => {
    const latencies: number[] = [];
    while (Date.now() < deadline) {
      const started = performance.now();
      await step();
      latencies.push(performance.now() - started);
    }
    return latencies;
  }, { name: 'bench.stepper' });
  DBOS.setConfig(config);
  await DBOS.launch();
  try {
    const deadline = Date.now() + durationMs;
    const running = place ? DBOS.startWorkflow(transactions)(deadline).then((handle) => handle.getResult()) : Promise.resolve(0);
    const steppers = await Promise.all(Array.from({ length: 20 }, () => DBOS.startWorkflow(stepper)(deadline)));
    const latencies = (await Promise.all(steppers.map((handle) => handle.getResult()))).flat();
    const done = await running;
    return `${place?.name ?? 'no transactions'}, hold ${holdMs} ms: steps median ${ms(quantile(latencies, 0.5))} ms, p99 ${ms(quantile(latencies, 0.99))} ms, ` +
      `${(latencies.length / (durationMs / 1000)).toFixed(0)} steps/s; ${(done / (durationMs / 1000)).toFixed(0)} transactions/s`;
  } finally {
    await DBOS.shutdown({ deregister: true });
    await place?.cleanup();
  }
}

const systemUrl = postgresUrl();
const { problem } = await preparePostgres(systemUrl);
console.log('1. One-transaction workflow, sequential (30 warm-up, 300 measured)');
for (const place of [sqlitePlace(false), sqlitePlace(true)]) console.log(`  ${await sequentialLatency(place, 30, 300)}`);
if (problem) console.log(`  postgres skipped: ${problem}`);
else for (const place of [postgresPlace(systemUrl, false), postgresPlace(systemUrl, true)]) console.log(`  ${await sequentialLatency(place, 30, 300)}`);
console.log('2. SQLite: 20 step-looping workflows beside one transaction-looping workflow (3 s each)');
console.log(`  ${await holdCost(undefined, 0, 3000)}`);
for (const holdMs of [0, 5]) {
  for (const onSystemFile of [false, true]) console.log(`  ${await holdCost(sqlitePlace(onSystemFile), holdMs, 3000)}`);
}
for (const path of files) for (const suffix of ['', '-wal', '-shm']) rmSync(`${path}${suffix}`, { force: true });
