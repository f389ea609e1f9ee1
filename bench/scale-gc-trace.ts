/**
 * What a slow live workflow waited for during garbage collection: the drivers' entry points are wrapped
 * in this process (as bench/scale-plans.ts does) to time every statement, tagged by who sent it (the
 * collection runs inside `asCollection`, everything else is live work). node:sqlite calls are timed
 * exactly (they hold the thread); pg queries from send to reply.
 */
import { AsyncLocalStorage } from 'node:async_hooks';
import { DatabaseSync, StatementSync } from 'node:sqlite';
import pg from 'pg';

export interface TimedStatement {
  by: 'gc' | 'live';
  sql: string;
  startMs: number;
  ms: number;
}

const sender = new AsyncLocalStorage<'gc'>();
const timeline: TimedStatement[] = [];
let installed = false;

/** Run the collection: its statements are tagged 'gc'. */
export function asCollection<T>(work: () => Promise<T>): Promise<T> {
  return sender.run('gc', work);
}

export function statements(): readonly TimedStatement[] {
  return timeline;
}

function record(sql: string, startMs: number): void {
  const text = sql.replace(/\s+/g, ' ').trim();
  timeline.push({ by: sender.getStore() ?? 'live', sql: text.slice(0, 90), startMs, ms: performance.now() - startMs });
}

type Method = (this: object, ...args: unknown[]) => unknown;

function wrapSync(prototype: object, method: string, sqlOf: (self: object, args: unknown[]) => string): void {
  const target = prototype as Record<string, Method>;
  const original = target[method]!;
  target[method] = function (this: object, ...args: unknown[]) {
    const startMs = performance.now();
    try {
      return original.apply(this, args);
    } finally {
      record(sqlOf(this, args), startMs);
    }
  };
}

/** pg's Client.query: the callback form (the pool's) or the promise form. */
function wrapPg(): void {
  const prototype = pg.Client.prototype as unknown as Record<string, Method>;
  const original = prototype.query!;
  prototype.query = function (this: object, ...args: unknown[]) {
    const first = args[0] as string | { text?: string };
    const sql = typeof first === 'string' ? first : (first?.text ?? '');
    const startMs = performance.now();
    const last = args.at(-1);
    if (typeof last === 'function') {
      args[args.length - 1] = function (this: unknown, ...reply: unknown[]) {
        record(sql, startMs);
        return (last as Method).apply(this as object, reply);
      };
      return original.apply(this, args);
    }
    const result = original.apply(this, args) as { then?: unknown; callback?: Method } | undefined;
    if (result && typeof result.then === 'function') {
      void (result as Promise<unknown>).then(
        () => record(sql, startMs),
        () => record(sql, startMs),
      );
    } else if (result && typeof result.callback === 'function') {
      // A Query object (the pool passes a config with a callback): time it to its callback.
      const callback = result.callback;
      result.callback = function (this: unknown, ...reply: unknown[]) {
        record(sql, startMs);
        return callback.apply(this as object, reply);
      };
    }
    return result;
  };
}

export function installStatementTimer(): void {
  if (installed) return;
  installed = true;
  wrapPg();
  for (const method of ['all', 'run', 'get', 'iterate']) wrapSync(StatementSync.prototype, method, (self) => (self as StatementSync).sourceSQL);
  wrapSync(DatabaseSync.prototype, 'exec', (_self, [sql]) => String(sql));
}

export interface Interval {
  startMs: number;
  ms: number;
}

/** The statements that overlapped `interval` and took at least `minMs`, longest first. */
export function overlapping(interval: Interval, minMs: number): TimedStatement[] {
  const end = interval.startMs + interval.ms;
  return timeline
    .filter((s) => s.ms >= minMs && s.startMs < end && s.startMs + s.ms > interval.startMs)
    .sort((a, b) => b.ms - a.ms);
}

/** Per statement text and sender: count, total and longest time, for the statements taking the most time. */
export function heaviest(from: number, to: number, top: number): string[] {
  const byText = new Map<string, { count: number; total: number; max: number }>();
  for (const s of timeline) {
    if (s.startMs < from || s.startMs > to) continue;
    const key = `${s.by} ${s.sql}`;
    const entry = byText.get(key) ?? { count: 0, total: 0, max: 0 };
    entry.count++;
    entry.total += s.ms;
    entry.max = Math.max(entry.max, s.ms);
    byText.set(key, entry);
  }
  return [...byText.entries()]
    .sort((a, b) => b[1].total - a[1].total)
    .slice(0, top)
    .map(([key, e]) => `${e.count}x total ${e.total.toFixed(0)} ms max ${e.max.toFixed(1)} ms: ${key}`);
}

/**
 * How long each of the collection's holds lasted, from the first statement of a transaction to the end of
 * its COMMIT, or a statement outside any (a checkpoint): on SQLite, what a live write may wait for at once.
 */
export function collectionHolds(from: number): number[] {
  const holds: number[] = [];
  let began: number | undefined;
  for (const s of timeline) {
    // Setting the connection's flush mode for a batch holds nothing.
    if (s.by !== 'gc' || s.startMs < from || s.sql.startsWith('PRAGMA synchronous')) continue;
    if (s.sql.startsWith('BEGIN')) began = s.startMs;
    else if (s.sql.startsWith('COMMIT') || s.sql.startsWith('ROLLBACK')) {
      if (began !== undefined) holds.push(s.startMs + s.ms - began);
      began = undefined;
    } else if (began === undefined) holds.push(s.ms);
  }
  return holds.sort((a, b) => a - b);
}
