/**
 * (s) idle load: a process with nothing to do but wait, in three shapes —
 * one idle queue declared (the baseline), 1,000 idle queues, and 10,000
 * workflows waiting in recv/getEvent (with one queue) — each in its own
 * worker process (bench/scale-idle-worker.ts) on a fresh database: the SQL
 * statements its drivers send per second and its CPU over a quiet window.
 * On Postgres, the server's committed + rolled-back transactions of the
 * database over the same window cross-check the count (the whole database's:
 * anything else using it shows there too).
 */
import pg from 'pg';
import type { DBOSConfig } from '../src/index.ts';
import { BenchChild } from './bench-child.ts';

export const idleShapes = [
  { name: 'one idle queue', queues: 1, waiters: 0 },
  { name: '1,000 idle queues', queues: 1_000, waiters: 0 },
  { name: '10,000 workflows waiting in recv/getEvent (one queue)', queues: 1, waiters: 10_000 },
] as const;

export const idleWindowMs = 10_000;

export interface IdleResult {
  shape: string;
  /** Statements that touch tables (SQLite's `PRAGMA data_version` checks apart). */
  statementsPerSec: number;
  watcherChecksPerSec: number;
  /** The most frequent statements over the window. */
  topStatements: { text: string; perSec: number }[];
  cpuPercent: number;
  /** Postgres: (xact_commit + xact_rollback) per second of the whole database over the window. */
  serverTransactionsPerSec?: number;
  /** How long starting the waiters took (none: undefined), and the process's RSS after. */
  startMs?: number;
  rssMb: number;
}

async function serverTransactions(url: string): Promise<number> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    const { rows } = await client.query(
      'SELECT xact_commit + xact_rollback AS n FROM pg_stat_database WHERE datname = current_database()',
    );
    return Number(rows[0].n);
  } finally {
    await client.end();
  }
}

export async function idleLoad(config: (scenario: string) => DBOSConfig, say: (what: string) => void): Promise<IdleResult[]> {
  const results: IdleResult[] = [];
  for (const [i, shape] of idleShapes.entries()) {
    say(`(s) idle load: ${shape.name}, ${idleWindowMs / 1000} s window`);
    const database = config(`scale_idle_${i}`);
    const postgres = /^postgres(ql)?:/.test(database.systemDatabaseUrl ?? '');
    const child = new BenchChild('bench/scale-idle-worker.ts', {
      DURABLY_BENCH_CONFIG: JSON.stringify(database),
      DURABLY_SCALE_QUEUES: String(shape.queues),
      DURABLY_SCALE_WAITERS: String(shape.waiters),
      DURABLY_SCALE_WINDOW_MS: String(idleWindowMs),
    }, 600_000); // starting 10,000 waiters on a loaded machine can take minutes
    try {
      // The server's count over the child's quiet window (it prints QUIET as the window opens).
      let before: { n: number; at: number } | undefined;
      if (postgres) {
        await child.lineAfter('QUIET');
        before = { n: await serverTransactions(database.systemDatabaseUrl!), at: performance.now() };
      }
      const measured = JSON.parse(await child.lineAfter('RESULT ')) as Omit<IdleResult, 'shape'>;
      let serverTransactionsPerSec: number | undefined;
      if (before) {
        // pg_stat_database is flushed by each backend at most once a second: wait for the last flush.
        const after = await serverTransactions(database.systemDatabaseUrl!);
        serverTransactionsPerSec = ((after - before.n) / (performance.now() - before.at)) * 1000;
      }
      results.push({ shape: shape.name, ...measured, serverTransactionsPerSec });
    } finally {
      child.kill();
    }
  }
  return results;
}
