/**
 * What one sequential workflow's writes cost the Postgres server, and what
 * they write there, on a fresh schema (issue 17, item 4):
 * - each durable statement of one 3-step workflow, replayed by a bare driver
 *   with fresh IDs: its round trip (commit included) beside a raw single-row
 *   INSERT's, interleaved, and its server-side figures from
 *   EXPLAIN (ANALYZE, BUFFERS, WAL);
 * - with pg_walinspect (when the server has it): the WAL records per workflow
 *   by relation (heap inserts and updates, HOT or not, and index entries),
 *   read from the WAL of `workflows` sequential workflows and filtered to this
 *   schema's relations, so other work on the server does not count.
 *   node --import tsx bench/write-costs.ts [workflows]
 */
import { randomUUID } from 'node:crypto';
import pg from 'pg';
import { DBOS } from '../src/index.ts';
import { postgresUrl, preparePostgres } from './harness.ts';
import { threeStepWorkflow, withDurably } from './workflows.ts';

const workflows = Number(process.argv[2] ?? 200);
const replays = 200;
const schema = `costs_${Date.now()}${process.pid}`;
const url = postgresUrl();

interface Captured {
  sql: string;
  params: unknown[];
}

/** The statements durably sends for one workflow (pg.Client#query wrapped meanwhile). */
async function captureOneWorkflow(workflowID: string): Promise<Captured[]> {
  const captured: Captured[] = [];
  const original = pg.Client.prototype.query;
  (pg.Client.prototype as { query: unknown }).query = function (this: pg.Client, ...args: unknown[]) {
    const config = args[0] as string | { text?: string; values?: unknown[] };
    if (typeof config === 'string') captured.push({ sql: config, params: (args[1] as unknown[]) ?? [] });
    else captured.push({ sql: config.text ?? '', params: config.values ?? [] });
    return (original as (...a: unknown[]) => unknown).apply(this, args);
  };
  try {
    await DBOS.withNextWorkflowID(workflowID, () => threeStepWorkflow());
  } finally {
    pg.Client.prototype.query = original;
  }
  return captured.filter((s) => /^\s*(WITH|INSERT|UPDATE)/i.test(s.sql));
}

function label(sql: string): string {
  const target = /(INSERT INTO|UPDATE)\s+"[^"]+"\.(\w+)/i.exec(sql);
  return target ? `${target[1]!.split(' ')[0]!.toLowerCase()} ${target[2]}` : sql.slice(0, 30);
}

const median = (values: number[]) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)]!;

interface StatementCost {
  statement: string;
  roundTripMs: number;
  rawRoundTripMs: number;
  /** Unprepared; durably prepares the sequential path's statements, so it pays this once per connection. */
  serverPlanMs: number;
  serverExecMs: number;
  walRecords: number;
  walBytes: number;
  buffersDirtied: number;
}

/** Each statement's bare round trip, interleaved with a raw insert's, then its EXPLAIN figures. */
async function statementCosts(client: pg.Client, statements: Captured[], capturedID: string): Promise<StatementCost[]> {
  await client.query(`CREATE TABLE "${schema}".raw_commits (id BIGSERIAL PRIMARY KEY, payload TEXT NOT NULL)`);
  const withID = (params: unknown[], id: string) => params.map((p) => (p === capturedID ? id : p));
  const trips = statements.map(() => [] as number[]);
  const raw: number[] = [];
  const explained = statements.map(() => [] as { plan: number; exec: number; records: number; bytes: number; dirtied: number }[]);
  const timed = async (work: () => Promise<unknown>) => {
    const started = performance.now();
    await work();
    return performance.now() - started;
  };
  for (let i = 0; i < replays; i++) {
    const id = randomUUID();
    for (const [n, s] of statements.entries()) {
      raw.push(await timed(() => client.query(`INSERT INTO "${schema}".raw_commits (payload) VALUES ($1)`, ['x'.repeat(100)])));
      if (i % 4 === 3) {
        const [row] = (await client.query(`EXPLAIN (ANALYZE, BUFFERS, WAL, FORMAT JSON) ${s.sql}`, withID(s.params, id))).rows;
        const plan = row['QUERY PLAN'][0];
        const top = plan.Plan;
        explained[n]!.push({
          plan: plan['Planning Time'],
          exec: plan['Execution Time'],
          records: top['WAL Records'] ?? 0,
          bytes: top['WAL Bytes'] ?? 0,
          dirtied: top['Shared Dirtied Blocks'] ?? 0,
        });
      } else {
        // Named, as durably's connection prepares its small statements: no parse or plan per run.
        const query = { name: `costs_${n}`, text: s.sql, values: withID(s.params, id) };
        trips[n]!.push(await timed(() => client.query(query)));
      }
    }
  }
  const rawMs = median(raw);
  return statements.map((s, n) => ({
    statement: label(s.sql),
    roundTripMs: median(trips[n]!),
    rawRoundTripMs: rawMs,
    serverPlanMs: median(explained[n]!.map((e) => e.plan)),
    serverExecMs: median(explained[n]!.map((e) => e.exec)),
    walRecords: median(explained[n]!.map((e) => e.records)),
    walBytes: median(explained[n]!.map((e) => e.bytes)),
    buffersDirtied: median(explained[n]!.map((e) => e.dirtied)),
  }));
}

/**
 * WAL per workflow, by relation and record type (records, bytes), of the workflows run between two LSNs; the
 * commit records are those of the transactions that wrote to this schema.
 */
async function walPerWorkflow(client: pg.Client, fromLsn: string, toLsn: string, count: number): Promise<Record<string, string>> {
  const relations = await client.query(
    `SELECT c.relname, pg_relation_filenode(c.oid) AS filenode FROM pg_class AS c JOIN pg_namespace AS n ON n.oid = c.relnamespace
     WHERE n.nspname = $1 AND c.relkind IN ('r', 'i')`,
    [schema],
  );
  const byFilenode = new Map(relations.rows.map((r) => [String(r.filenode), String(r.relname)]));
  const records = await client.query(
    `SELECT xid, resource_manager, record_type, record_length, fpi_length, block_ref FROM pg_get_wal_records_info($1, $2)`,
    [fromLsn, toLsn],
  );
  const tally = new Map<string, { records: number; bytes: number }>();
  const add = (key: string, bytes: number) => {
    const entry = tally.get(key) ?? { records: 0, bytes: 0 };
    entry.records++;
    entry.bytes += bytes;
    tally.set(key, entry);
  };
  const ours = new Set<string>();
  for (const r of records.rows) {
    const filenode = /rel \d+\/\d+\/(\d+)/.exec(String(r.block_ref ?? ''))?.[1];
    const relation = filenode ? byFilenode.get(filenode) : undefined;
    if (!relation) continue;
    ours.add(String(r.xid));
    add(`${relation} ${r.resource_manager}/${r.record_type}`, Number(r.record_length));
    add('(all)', Number(r.record_length));
    if (Number(r.fpi_length) > 0) add('(all) full-page images', Number(r.fpi_length));
  }
  for (const r of records.rows) {
    if (r.resource_manager !== 'Transaction' || !ours.has(String(r.xid))) continue;
    add(`(commit records) ${r.record_type}`, Number(r.record_length));
    add('(all)', Number(r.record_length));
  }
  const perWorkflow = (n: number) => Math.round((n / count) * 100) / 100;
  return Object.fromEntries(
    [...tally].sort().map(([key, v]) => [key, `${perWorkflow(v.records)} records, ${perWorkflow(v.bytes)} bytes`]),
  );
}

async function main(): Promise<void> {
  const { problem } = await preparePostgres(url);
  if (problem) throw new Error(`Postgres unreachable at ${url}: ${problem}`);
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  const capturedID = `costs-captured-${randomUUID()}`;
  try {
    const walinspect = await client
      .query('CREATE EXTENSION IF NOT EXISTS pg_walinspect')
      .then(() => true)
      .catch(() => false);
    const config = { name: 'costs', systemDatabaseUrl: url, systemDatabaseSchemaName: schema, logLevel: 'warn' as const };
    let wal: Record<string, string> | undefined;
    const statements = await withDurably(config, async () => {
      for (let i = 0; i < 50; i++) await threeStepWorkflow();
      const lsn = async () => String((await client.query('SELECT pg_current_wal_insert_lsn() AS lsn')).rows[0].lsn);
      const from = await lsn();
      for (let i = 0; i < workflows; i++) await threeStepWorkflow();
      if (walinspect) wal = await walPerWorkflow(client, from, await lsn(), workflows);
      return captureOneWorkflow(capturedID);
    });
    const costs = await statementCosts(client, statements, capturedID);
    console.log(JSON.stringify({ statements: costs, walPerWorkflow: wal ?? 'pg_walinspect unavailable' }, null, 1));
  } finally {
    await client.query(`DROP SCHEMA IF EXISTS "${schema}" CASCADE`);
    await client.end();
  }
}

main().catch((error: unknown) => {
  console.error(error);
  process.exitCode = 1;
});
