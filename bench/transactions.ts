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

const sqliteSource = 'bench-app-sqlite';
const postgresSource = 'bench-app-postgres';

async function insertRow(dsName: string): Promise<void> {
  const label = randomUUID();
  await runTransaction(
    async () => {
      if (dsName === sqliteSource) SQLiteDataSource.client.prepare('INSERT INTO bench_items (label) VALUES (?)').run(label);
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
  /** Where the application database is, in words. */
  appDatabase: string;
  sequential: SequentialResult;
  inFlight: InFlightResult;
  counts: PerWorkflowCount;
}

/** Create the application database's table and its data source (before the launch that uses it). */
async function prepareApplicationDatabase(backend: 'sqlite' | 'postgres', sqlitePath: string, postgresUrl: string): Promise<string> {
  if (backend === 'sqlite') {
    const db = new DatabaseSync(sqlitePath);
    db.exec('CREATE TABLE IF NOT EXISTS bench_items (label TEXT NOT NULL)');
    db.close();
    new SQLiteDataSource(sqliteSource, sqlitePath);
    return sqliteSource;
  }
  const admin = new URL(postgresUrl);
  admin.pathname = '/postgres';
  const appUrl = new URL(postgresUrl);
  appUrl.pathname = '/durably_bench_app';
  const client = new pg.Client({ connectionString: admin.toString() });
  await client.connect();
  try {
    const exists = await client.query("SELECT 1 FROM pg_database WHERE datname = 'durably_bench_app'");
    if (exists.rowCount === 0) await client.query('CREATE DATABASE durably_bench_app');
  } finally {
    await client.end();
  }
  const app = new pg.Client({ connectionString: appUrl.toString() });
  await app.connect();
  try {
    await app.query('CREATE TABLE IF NOT EXISTS bench_items (label TEXT NOT NULL); TRUNCATE bench_items');
  } finally {
    await app.end();
  }
  new NodePostgresDataSource(postgresSource, { connectionString: appUrl.toString(), max: 10 });
  return postgresSource;
}

export async function measureTransactions(
  config: (scenario: string) => DBOSConfig,
  target: (config: DBOSConfig) => Target,
  backend: 'sqlite' | 'postgres',
  sqlitePath: string,
  postgresUrl: string,
): Promise<TransactionResult> {
  const dsName = await prepareApplicationDatabase(backend, sqlitePath, postgresUrl);
  const workflow = () => transactionWorkflow(dsName);
  const { sequential: s, inFlight: f } = settings;
  const sequential = await sequentialLatency(config('tx_seq'), s.warmup, s.runs, workflow);
  const inFlight = await inFlightThroughput(config('tx_flight'), f.warmup, f.total, f.concurrency, workflow, 2);
  const countConfig = config('tx_count');
  const counts = await countPerWorkflow(countConfig, target(countConfig), settings.countedWorkflows, 0, workflow);
  const appDatabase = backend === 'sqlite' ? 'another SQLite file (SQLiteDataSource)' : 'another Postgres database (NodePostgresDataSource)';
  return { appDatabase, sequential, inFlight, counts };
}
