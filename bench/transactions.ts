/**
 * (t) Transactions through a data source: a workflow of one transaction (a
 * one-row INSERT in the application database) and one no-op step, run
 * (t1) sequentially, for latency, and (t2) 200 at a time, for throughput;
 * and its durable commits, counted as for the 3-step workflow. The
 * application database is apart from the system database: another SQLite
 * file (SQLiteDataSource) beside a SQLite system database, another Postgres
 * database (NodePostgresDataSource, durably_bench_app) beside a Postgres one.
 *
 * The data sources are created just before their scenario (they must exist
 * before that launch; a registered data source is initialized at every later
 * launch, which is why this scenario runs last). The transaction is run
 * through the SPI's runTransaction by data source name, so the workflow can
 * be registered at module top level like every other bench workflow.
 */
import { randomUUID } from 'node:crypto';
import { DatabaseSync } from 'node:sqlite';
import pg from 'pg';
import { NodePostgresDataSource } from '../src/datasources/node-pg.ts';
import { SQLiteDataSource } from '../src/datasources/sqlite.ts';
import { runTransaction } from '../src/datasource.ts';
import { DBOS, type DBOSConfig } from '../src/index.ts';
import { settings } from './settings.ts';
import { countPerWorkflow, type PerWorkflowCount, type Target } from './statement-count.ts';
import { inFlightThroughput, sequentialLatency, type InFlightResult, type SequentialResult } from './workflows.ts';

/** Where the application database is: apart from the system database, or the system database itself (single commit). */
export type Placement = 'apart' | 'same';

/**
 * The application database's pg pool (NodePostgresDataSource's `max`), which bounds the transactions in flight
 * at once; DURABLY_BENCH_TX_POOL sets another, for probing whether the pool is the limit.
 */
export const applicationPoolSize = Number(process.env.DURABLY_BENCH_TX_POOL ?? 10);

const sourceName = (backend: 'sqlite' | 'postgres', placement: Placement) => `bench-app-${backend}-${placement}`;

async function insertRow(dsName: string): Promise<void> {
  const label = randomUUID();
  await runTransaction(
    async () => {
      if (dsName.startsWith('bench-app-sqlite')) SQLiteDataSource.client.prepare('INSERT INTO bench_items (label) VALUES (?)').run(label);
      else await NodePostgresDataSource.client.query('INSERT INTO bench_items (label) VALUES ($1)', [label]);
    },
    'bench.insertRow',
    { dsName },
  );
}

const noopStep = DBOS.registerStep(async function benchTransactionStep() {});

/** One transaction and one step. */
export const transactionWorkflow = DBOS.registerWorkflow(
  async (dsName: string) => {
    await insertRow(dsName);
    await noopStep();
  },
  { name: 'benchTransactionWorkflow' },
);

/** A workflow of one step costs start + step + finish: the rest of the durable commits are the transaction's. */
export const commitsWithoutTransaction = 3;

export interface TransactionResult {
  placement: Placement;
  /** Where the application database is, in words. */
  appDatabase: string;
  sequential: SequentialResult;
  inFlight: InFlightResult;
  counts: PerWorkflowCount;
}

/**
 * Create the application database's table and its data source (before the launch that uses it). Apart:
 * `sqlitePath` (another file) or the database durably_bench_app. The same: the system database's own file,
 * or its Postgres database (the table in the scenario's system schema).
 */
async function prepareApplicationDatabase(
  backend: 'sqlite' | 'postgres',
  placement: Placement,
  sqlitePath: string,
  system: DBOSConfig,
): Promise<string> {
  const name = sourceName(backend, placement);
  if (backend === 'sqlite') {
    const path = placement === 'same' ? system.systemDatabaseUrl! : sqlitePath;
    const db = new DatabaseSync(path);
    db.exec('CREATE TABLE IF NOT EXISTS bench_items (label TEXT NOT NULL)');
    db.close();
    new SQLiteDataSource(name, path);
    return name;
  }
  const appUrl = new URL(system.systemDatabaseUrl!);
  let table = 'bench_items';
  if (placement === 'apart') {
    appUrl.pathname = '/durably_bench_app';
    const admin = new URL(system.systemDatabaseUrl!);
    admin.pathname = '/postgres';
    await withClient(admin.toString(), async (client) => {
      const exists = await client.query("SELECT 1 FROM pg_database WHERE datname = 'durably_bench_app'");
      if (exists.rowCount === 0) await client.query('CREATE DATABASE durably_bench_app');
    });
  } else {
    table = `"${system.systemDatabaseSchemaName}".bench_items`;
    await withClient(appUrl.toString(), (client) => client.query(`CREATE SCHEMA IF NOT EXISTS "${system.systemDatabaseSchemaName}"`));
  }
  await withClient(appUrl.toString(), (client) => client.query(`CREATE TABLE IF NOT EXISTS ${table} (label TEXT NOT NULL); TRUNCATE ${table}`));
  const max = applicationPoolSize;
  const options = placement === 'same' ? { connectionString: appUrl.toString(), max, options: `-c search_path="${system.systemDatabaseSchemaName}"` } : { connectionString: appUrl.toString(), max };
  new NodePostgresDataSource(name, options);
  return name;
}

async function withClient<T>(url: string, work: (client: pg.Client) => Promise<T>): Promise<T> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    return await work(client);
  } finally {
    await client.end();
  }
}

/**
 * (t1), (t2) and the count. Apart, each phase has a system database of its own; the same, all three share one
 * (the data source, created before the first launch, is bound to it).
 */
export async function measureTransactions(
  config: (scenario: string) => DBOSConfig,
  target: (config: DBOSConfig) => Target,
  backend: 'sqlite' | 'postgres',
  placement: Placement,
  sqlitePath: string,
): Promise<TransactionResult> {
  const shared = placement === 'same' ? config('tx_same') : undefined;
  const phase = (scenario: string) => shared ?? config(scenario);
  const dsName = await prepareApplicationDatabase(backend, placement, sqlitePath, shared ?? config('tx_schema'));
  const workflow = () => transactionWorkflow(dsName);
  const { sequential: s, inFlight: f } = settings;
  const sequential = await sequentialLatency(phase('tx_seq'), s.warmup, s.runs, workflow);
  const inFlight = await inFlightThroughput(phase('tx_flight'), f.warmup, f.total, f.concurrency, workflow, 2);
  const countConfig = phase('tx_count');
  const counts = await countPerWorkflow(countConfig, target(countConfig), settings.countedWorkflows, 0, workflow);
  const appDatabase =
    placement === 'same'
      ? `the system database itself (${backend === 'sqlite' ? 'its SQLite file' : 'its Postgres database'}): single commit`
      : backend === 'sqlite'
        ? 'another SQLite file (SQLiteDataSource)'
        : 'another Postgres database (NodePostgresDataSource)';
  return { placement, appDatabase, sequential, inFlight, counts };
}
