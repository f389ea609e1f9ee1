/**
 * Which indexes serve durably's statements on a large system database: the
 * drivers' query entry points are wrapped in this process (as
 * bench/statement-count.ts does) to capture the statements one operation
 * really sends, then each is EXPLAINed on the filled database (Postgres
 * EXPLAIN, SQLite EXPLAIN QUERY PLAN) and reduced to the indexes it uses and
 * any full scan of a table.
 */
import { DatabaseSync, StatementSync } from 'node:sqlite';
import pg from 'pg';
import type { RawDatabase } from './scale-fill.ts';

interface Captured {
  sql: string;
  params: unknown[];
}

let capturing: Captured[] | undefined;
let installed = false;

type Method = (this: object, ...args: unknown[]) => unknown;

function wrap(prototype: object, method: string, statementOf: (self: object, args: unknown[]) => Captured): void {
  const target = prototype as Record<string, Method>;
  const original = target[method]!;
  target[method] = function (this: object, ...args: unknown[]) {
    if (capturing) capturing.push(statementOf(this, args));
    return original.apply(this, args);
  };
}

function install(): void {
  if (installed) return;
  installed = true;
  wrap(pg.Client.prototype, 'query', (_self, [query, values]) => {
    if (typeof query === 'string') return { sql: query, params: Array.isArray(values) ? values : [] };
    const config = query as { text?: string; values?: unknown[] } | undefined;
    return { sql: config?.text ?? '', params: config?.values ?? [] };
  });
  for (const method of ['all', 'run', 'get', 'iterate']) {
    wrap(StatementSync.prototype, method, (self, params) => ({ sql: (self as StatementSync).sourceSQL, params }));
  }
  wrap(DatabaseSync.prototype, 'exec', (_self, [sql]) => ({ sql: String(sql), params: [] }));
}

/** The distinct statements (by text, first parameters seen) that `work` sent through the drivers. */
export async function captureStatements(work: () => Promise<unknown>): Promise<Captured[]> {
  install();
  const seen: Captured[] = [];
  capturing = seen;
  try {
    await work();
  } finally {
    capturing = undefined;
  }
  const distinct = new Map<string, Captured>();
  for (const s of seen) if (!distinct.has(s.sql)) distinct.set(s.sql, s);
  return [...distinct.values()];
}

/** Statements that read or change workflow rows (not BEGIN/COMMIT, NOTIFY, LISTEN or PRAGMA). */
function explainable(sql: string): boolean {
  return /^\s*(WITH|SELECT|UPDATE|DELETE|INSERT)\b/i.test(sql) && /workflow_status|operation_outputs|workflow_input|workflow_output/i.test(sql)
    && !/^\s*SELECT\s+pg_notify/i.test(sql);
}

export interface StatementPlan {
  /** The statement's first 120 characters, whitespace collapsed. */
  statement: string;
  indexes: string[];
  /** Tables read whole (a full scan): on a table of millions of rows, the cost grows with them. */
  fullScans: string[];
}

const bigTables = ['workflow_status', 'operation_outputs', 'workflow_input', 'workflow_output'];

async function planOf(db: RawDatabase, s: Captured): Promise<StatementPlan> {
  const statement = s.sql.replace(/\s+/g, ' ').trim().slice(0, 120);
  const lines =
    db.backend === 'postgres'
      ? (await db.query(`EXPLAIN ${s.sql}`, s.params)).map((r) => String(r['QUERY PLAN']))
      : (await db.query(`EXPLAIN QUERY PLAN ${s.sql}`, s.params)).map((r) => String(r.detail));
  const indexes = new Set<string>();
  const fullScans = new Set<string>();
  for (const line of lines) {
    // Postgres: "Index Scan using x on t"; SQLite: "SEARCH t USING [COVERING] INDEX x (...)".
    for (const m of line.matchAll(/(?:USING COVERING INDEX|USING INDEX|using) (\w+)/g)) indexes.add(m[1]!);
    if (/PRIMARY KEY/i.test(line)) indexes.add('primary key');
    const pgScan = /Seq Scan on (?:"?\w+"?\.)?(\w+)/.exec(line)?.[1];
    const sqliteScan = /^SCAN (\w+)(?!.*USING)/.exec(line.trim())?.[1];
    for (const table of [pgScan, sqliteScan]) if (table && bigTables.includes(table)) fullScans.add(table);
  }
  return { statement, indexes: [...indexes], fullScans: [...fullScans] };
}

/** The plan of each explainable statement `work` sends, on `db` as it is now. */
export async function plansOf(db: RawDatabase, statements: Captured[]): Promise<StatementPlan[]> {
  const plans: StatementPlan[] = [];
  for (const s of statements.filter((c) => explainable(c.sql))) {
    try {
      plans.push(await planOf(db, s));
    } catch (error) {
      plans.push({ statement: s.sql.replace(/\s+/g, ' ').trim().slice(0, 120), indexes: [`(not explained: ${(error as Error).message})`], fullScans: [] });
    }
  }
  return plans;
}
