/**
 * Counting the SQL a sequential workflow costs, without touching src/: the
 * drivers' query entry points are wrapped in this process (pg.Client#query,
 * node:sqlite's StatementSync#all/run/get and DatabaseSync#exec), and each
 * statement is classified. A statement outside BEGIN..COMMIT is a transaction
 * of its own. A "durable commit" is a committed transaction that wrote rows
 * (INSERT/UPDATE/DELETE): the ones that wait for a WAL flush.
 *
 * On Postgres the server's own count (pg_stat_database.xact_commit, read
 * before and after a launch..shutdown, minus an empty launch..shutdown)
 * cross-checks the wrapper.
 *
 * The same wrappers capture the durable writes of one workflow, which are then
 * replayed by a bare driver (fresh workflow IDs, same SQL and values): the
 * database's own cost for durably's statements, without durably around them.
 */
import { randomUUID } from 'node:crypto';
import { DatabaseSync, StatementSync, type SQLInputValue } from 'node:sqlite';
import { setTimeout as sleep } from 'node:timers/promises';
import pg from 'pg';
import { DBOS, type DBOSConfig } from '../src/index.ts';
import { threeStepWorkflow, withDurably } from './workflows.ts';

export interface PerWorkflowCount {
  workflows: number;
  statements: number;
  /** Every transaction, reads and notifications included. */
  transactions: number;
  durableCommits: number;
  /** Statements by first keyword (pg_notify shown as NOTIFY), per workflow. */
  byKind: Record<string, number>;
  /** Postgres only: pg_stat_database.xact_commit per workflow. */
  serverXactCommits?: number;
  /** Median ms to replay one workflow's durable writes with a bare driver. */
  replayMedianMs: number;
}

interface CapturedStatement {
  sql: string;
  params: unknown[];
}

class Tally {
  statements = 0;
  transactions = 0;
  durableCommits = 0;
  readonly byKind = new Map<string, number>();
}

let active: Tally | undefined;
let capturing: CapturedStatement[] | undefined;
const openTransactions = new WeakMap<object, { wrote: boolean }>();
const sqliteConnection = {}; // durably keeps one SQLite connection per process

function kindOf(sql: string): string {
  // `WITH changed AS (UPDATE ...) SELECT ..., pg_notify(...)`: an UPDATE that also notifies.
  const wrapped = /^\s*WITH\s+\w+\s+AS\s*\(\s*(\w+)/i.exec(sql)?.[1];
  if (wrapped) return wrapped.toUpperCase();
  if (/^\s*SELECT\s+pg_notify/i.test(sql)) return 'NOTIFY';
  return /^\s*(\w+)/.exec(sql)?.[1]?.toUpperCase() ?? '?';
}

function observe(connection: object, sql: string): void {
  const tally = active;
  if (!tally) return;
  // A statement and the COMMIT sent in one round trip (node-pg's completion row): two statements.
  const withCommit = /^([\s\S]*);\s*COMMIT\s*$/i.exec(sql);
  if (withCommit) {
    observe(connection, withCommit[1]!);
    observe(connection, 'COMMIT');
    return;
  }
  const kind = kindOf(sql);
  tally.statements++;
  tally.byKind.set(kind, (tally.byKind.get(kind) ?? 0) + 1);
  const writes = kind === 'INSERT' || kind === 'UPDATE' || kind === 'DELETE';
  const open = openTransactions.get(connection);
  if (kind === 'BEGIN') {
    openTransactions.set(connection, { wrote: false });
  } else if (kind === 'COMMIT' || kind === 'END') {
    openTransactions.delete(connection);
    tally.transactions++;
    if (open?.wrote) tally.durableCommits++;
  } else if (kind === 'ROLLBACK') {
    openTransactions.delete(connection);
  } else if (open) {
    open.wrote ||= writes;
  } else {
    tally.transactions++;
    if (writes) tally.durableCommits++;
  }
}

type Method = (this: object, ...args: unknown[]) => unknown;
type Statement = { sql: string; params: unknown[] };

function wrap(prototype: object, method: string, statementOf: (self: object, args: unknown[]) => Statement, owner?: object): void {
  const target = prototype as Record<string, Method>;
  const original = target[method]!;
  target[method] = function (this: object, ...args: unknown[]) {
    if (active || capturing) {
      const statement = statementOf(this, args);
      observe(owner ?? this, statement.sql);
      capturing?.push(statement);
    }
    return original.apply(this, args);
  };
}

let installed = false;

function installWrappers(): void {
  if (installed) return;
  installed = true;
  wrap(pg.Client.prototype, 'query', (_self, [query, values]) => {
    if (typeof query === 'string') return { sql: query, params: Array.isArray(values) ? values : [] };
    const config = query as { text?: string; values?: unknown[] } | undefined;
    return { sql: config?.text ?? '', params: config?.values ?? [] };
  });
  for (const method of ['all', 'run', 'get']) {
    wrap(StatementSync.prototype, method, (self, params) => ({ sql: (self as StatementSync).sourceSQL, params }), sqliteConnection);
  }
  wrap(DatabaseSync.prototype, 'exec', (_self, [sql]) => ({ sql: String(sql), params: [] }), sqliteConnection);
}

async function xactCommits(url: string): Promise<number> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    const { rows } = await client.query('SELECT xact_commit FROM pg_stat_database WHERE datname = current_database()');
    return Number(rows[0].xact_commit);
  } finally {
    await client.end();
  }
}

/** Where the bench's durably writes: a SQLite file, or a Postgres server. */
export type Target = { backend: 'sqlite'; path: string } | { backend: 'postgres'; url: string };

/**
 * Run `workflows` sequential 3-step workflows in one launch and count their
 * SQL; then capture one more workflow's statements and replay them `replays`
 * times with a bare driver.
 */
export async function countPerWorkflow(
  config: DBOSConfig,
  target: Target,
  workflows: number,
  replays: number,
  workflow: () => Promise<unknown> = threeStepWorkflow,
): Promise<PerWorkflowCount> {
  installWrappers();
  await withDurably(config, async () => {}); // create and migrate the database first
  const tally = new Tally();
  const capturedID = `bench-captured-${randomUUID()}`;
  const captured: CapturedStatement[] = [];
  const run = async (count: number, counted?: Tally) =>
    withDurably(config, async () => {
      active = counted;
      try {
        for (let i = 0; i < count; i++) await workflow();
      } finally {
        active = undefined;
      }
      if (!counted) return;
      capturing = captured;
      try {
        await DBOS.withNextWorkflowID(capturedID, () => workflow());
      } finally {
        capturing = undefined;
      }
    });
  let serverXactCommits: number | undefined;
  if (target.backend === 'postgres') {
    // Backends flush their statistics when they exit: measure from shutdown to shutdown.
    const serverDelta = async (work: () => Promise<void>) => {
      await sleep(500);
      const before = await xactCommits(target.url);
      await work();
      await sleep(500);
      return (await xactCommits(target.url)) - before;
    };
    const empty = await serverDelta(() => run(0));
    const measured = await serverDelta(() => run(workflows, tally));
    serverXactCommits = (measured - empty - 1) / workflows; // - 1: the captured workflow
  } else {
    await run(workflows, tally);
  }
  // Replay the durable writes only: a notification is not on the workflow's path.
  const writes = captured.filter((s) => kindOf(s.sql) !== 'NOTIFY');
  const replayMs = replays > 0 ? await replay(target, writes, capturedID, replays) : [Number.NaN];
  return {
    workflows,
    statements: tally.statements / workflows,
    transactions: tally.transactions / workflows,
    durableCommits: tally.durableCommits / workflows,
    byKind: Object.fromEntries([...tally.byKind].map(([kind, n]) => [kind, n / workflows])),
    serverXactCommits,
    replayMedianMs: median(replayMs),
  };
}

/** Run `statements` `times` over, each time with a fresh ID in place of `capturedID`; ms per run. */
async function replay(target: Target, statements: CapturedStatement[], capturedID: string, times: number): Promise<number[]> {
  const withID = (params: unknown[], id: string) => params.map((p) => (p === capturedID ? id : p));
  const latencies: number[] = [];
  if (target.backend === 'postgres') {
    const client = new pg.Client({ connectionString: target.url });
    await client.connect();
    try {
      for (let i = 0; i < times; i++) {
        const id = randomUUID();
        const started = performance.now();
        for (const s of statements) await client.query(s.sql, withID(s.params, id));
        latencies.push(performance.now() - started);
      }
    } finally {
      await client.end();
    }
    return latencies;
  }
  const db = new DatabaseSync(target.path);
  try {
    db.exec('PRAGMA journal_mode = WAL');
    db.exec('PRAGMA synchronous = FULL');
    const prepared = statements.map((s) => ({ params: s.params, run: s.params.length ? db.prepare(s.sql) : undefined, sql: s.sql }));
    for (let i = 0; i < times; i++) {
      const id = randomUUID();
      const started = performance.now();
      for (const s of prepared) {
        if (s.run) s.run.all(...(withID(s.params, id) as SQLInputValue[]));
        else db.exec(s.sql);
      }
      latencies.push(performance.now() - started);
    }
  } finally {
    db.close();
  }
  return latencies;
}

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)]!;
}
