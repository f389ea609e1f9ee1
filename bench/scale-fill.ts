/**
 * Filling a system database with N finished workflows fast: durably runs one
 * real 3-step workflow (the template), then set-based SQL clones its rows in
 * every table that holds them (status, steps, input, output) N times, with
 * fresh IDs and timestamps spread one millisecond apart, in chunks of one
 * transaction each. Postgres numbers the clones with generate_series, SQLite
 * with a recursive CTE. Cloning a real row keeps the fill right whatever
 * columns the schema has: no column list is written here.
 *
 * Every other clone is a finished task of `queueName`, so the queue's own
 * indexes hold a million finished rows next to the live ones.
 */
import { DatabaseSync } from 'node:sqlite';
import pg from 'pg';
import type { DBOSConfig } from '../src/index.ts';

/** The tables whose rows belong to one workflow (keyed by workflow_uuid); parents first (the steps' foreign key). */
const workflowTables = ['workflow_status', 'operation_outputs', 'workflow_input', 'workflow_output'];
/** Columns given the clone's own time: created, updated, started, completed, retention. */
const timeColumns = ['created_at', 'updated_at', 'started_at_epoch_ms', 'completed_at', 'completed_at_epoch_ms', 'retention_timestamp'];
const chunkSize = 100_000;

export const fillIDPrefix = 'scale-';

/** A way to run SQL on the system database, apart from durably: Postgres or SQLite. */
export interface RawDatabase {
  backend: 'postgres' | 'sqlite';
  table: (name: string) => string;
  query: (sql: string, params?: unknown[]) => Promise<Record<string, unknown>[]>;
  close: () => Promise<void>;
}

export async function openRawDatabase(config: DBOSConfig): Promise<RawDatabase> {
  const url = config.systemDatabaseUrl!;
  if (/^postgres(ql)?:/.test(url)) {
    const client = new pg.Client({ connectionString: url });
    await client.connect();
    const schema = config.systemDatabaseSchemaName ?? 'dbos';
    return {
      backend: 'postgres',
      table: (name) => `"${schema}".${name}`,
      query: async (sql, params = []) => (await client.query(sql, params)).rows,
      close: () => client.end(),
    };
  }
  const db = new DatabaseSync(url);
  db.exec('PRAGMA busy_timeout = 10000');
  return {
    backend: 'sqlite',
    table: (name) => name,
    query: async (sql, params = []) => db.prepare(sql.replace(/\$\d+/g, '?')).all(...(params as never[])) as Record<string, unknown>[],
    close: async () => db.close(),
  };
}

async function columnsOf(db: RawDatabase, table: string): Promise<string[]> {
  if (db.backend === 'sqlite') return (await db.query(`PRAGMA table_info(${table})`)).map((r) => String(r.name));
  const schema = /^"([^"]+)"/.exec(db.table(table))![1];
  const rows = await db.query(
    'SELECT column_name FROM information_schema.columns WHERE table_schema = $1 AND table_name = $2 ORDER BY ordinal_position',
    [schema, table],
  );
  return rows.map((r) => String(r.column_name));
}

/** `FROM` clause numbering n = from..to. */
function series(db: RawDatabase, from: number, to: number): string {
  if (db.backend === 'postgres') return `generate_series(${from}, ${to}) AS s(n)`;
  return `(WITH RECURSIVE c(n) AS (SELECT ${from} UNION ALL SELECT n + 1 FROM c WHERE n < ${to}) SELECT n FROM c) AS s`;
}

export interface FillResult {
  workflows: number;
  /** Rows written in all tables. */
  rows: number;
  seconds: number;
  /** created_at of the last clone + 1: a garbage-collection cutoff that takes every clone and nothing newer. */
  cutoffEpochMs: number;
}

/**
 * Clone the rows of `templateID` `count` times, in its status (finished, or enqueued). The clones' created_at run
 * from `firstEpochMs`, one ms apart (so they sort, page and expire like real
 * history).
 */
export async function fillFinishedWorkflows(
  config: DBOSConfig,
  templateID: string,
  count: number,
  queueName: string,
  firstEpochMs: number,
  say: (what: string) => void,
  /** Every `queueEvery`-th clone is a task of `queueName` (1: all of them). */
  queueEvery = 2,
): Promise<FillResult> {
  const db = await openRawDatabase(config);
  const started = performance.now();
  let rows = 0;
  try {
    const tables = [];
    for (const name of workflowTables) {
      const columns = await columnsOf(db, name);
      if (columns.length === 0) continue; // a table this layout lacks
      const [{ n }] = (await db.query(`SELECT COUNT(*) AS n FROM ${db.table(name)} WHERE workflow_uuid = $1`, [templateID])) as [{ n: unknown }];
      tables.push({ name, columns, perWorkflow: Number(n) });
    }
    const id = db.backend === 'postgres' ? `'${fillIDPrefix}' || lpad(n::text, 8, '0')` : `'${fillIDPrefix}' || printf('%08d', n)`;
    const value = (column: string) => {
      if (column === 'workflow_uuid') return id;
      if (timeColumns.includes(column)) return `CASE WHEN t.${column} IS NULL THEN NULL ELSE ${firstEpochMs} + n END`;
      if (column === 'queue_name') return `CASE WHEN n % ${queueEvery} = 0 THEN '${queueName}' ELSE t.queue_name END`;
      return `t.${column}`;
    };
    for (let from = 1; from <= count; from += chunkSize) {
      const to = Math.min(count, from + chunkSize - 1);
      await db.query('BEGIN');
      for (const { name, columns } of tables) {
        const list = columns.join(', ');
        await db.query(
          `INSERT INTO ${db.table(name)} (${list}) SELECT ${columns.map(value).join(', ')}
           FROM ${series(db, from, to)} CROSS JOIN (SELECT * FROM ${db.table(name)} WHERE workflow_uuid = $1) AS t`,
          [templateID],
        );
      }
      await db.query('COMMIT');
      say(`filled ${to.toLocaleString('en-US')} of ${count.toLocaleString('en-US')} workflows`);
    }
    rows = count * tables.reduce((sum, t) => sum + t.perWorkflow, 0);
    if (db.backend === 'postgres') for (const { name } of tables) await db.query(`ANALYZE ${db.table(name)}`);
    else await db.query('ANALYZE');
  } finally {
    await db.close();
  }
  return { workflows: count, rows, seconds: (performance.now() - started) / 1000, cutoffEpochMs: firstEpochMs + count + 1 };
}
