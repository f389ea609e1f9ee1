/**
 * How node:sqlite's errors map onto the faults of a SQLite system database, and how long each is waited out.
 *
 * node:sqlite throws an Error with `errcode`, SQLite's extended result code; its low byte is the primary code.
 * Contention (BUSY, LOCKED) clears in milliseconds and is retried in short jittered sleeps. A read-only file or
 * a full disk needs an operator, so it is retried in longer sleeps; all three are retried for the connection's
 * retry budget, then reported as a typed error naming the file. Corruption is reported at once.
 */
import {
  DBOSSqliteCorruptError,
  DBOSSqliteDiskFullError,
  DBOSSqliteFaultError,
  DBOSSqliteLockTimeoutError,
  DBOSSqliteReadOnlyError,
} from '../../errors/errors.ts';

export type SqliteFault = 'busy' | 'read-only' | 'disk-full' | 'corrupt' | 'not-a-database';

const primaryCodes: ReadonlyMap<number, SqliteFault> = new Map([
  [5, 'busy'], // SQLITE_BUSY
  [6, 'busy'], // SQLITE_LOCKED
  [8, 'read-only'], // SQLITE_READONLY (and _DIRECTORY, _CANTINIT, ...: the folder or -shm is read-only)
  [13, 'disk-full'], // SQLITE_FULL
  [11, 'corrupt'], // SQLITE_CORRUPT
  [26, 'not-a-database'], // SQLITE_NOTADB
]);

/** The fault a node:sqlite error reports, or undefined for an error of the statement itself. */
export function sqliteFault(error: unknown): SqliteFault | undefined {
  const errcode = (error as { errcode?: unknown } | null)?.errcode;
  return typeof errcode === 'number' ? primaryCodes.get(errcode & 0xff) : undefined;
}

/** Faults worth waiting out; a read-only file or a full disk only once the database is in use (not at launch). */
export function isRetriedFault(fault: SqliteFault | undefined, launched: boolean): boolean {
  if (fault === 'busy') return true;
  return launched && (fault === 'read-only' || fault === 'disk-full');
}

/** Milliseconds to sleep before retry `attempt` (0-based), before jitter. */
export function retryCeilingMs(fault: SqliteFault, attempt: number): number {
  if (fault === 'busy') return Math.min(50, 3 * 2 ** Math.min(attempt, 5));
  return Math.min(1000, 25 * 2 ** Math.min(attempt, 6));
}

/** The typed error for a fault, naming the file; undefined for an error that is no fault of the file. */
export function faultError(fault: SqliteFault | undefined, path: string, cause: unknown, waitedMs: number): DBOSSqliteFaultError | undefined {
  switch (fault) {
    case 'busy':
      return new DBOSSqliteLockTimeoutError(path, waitedMs, cause);
    case 'read-only':
      return new DBOSSqliteReadOnlyError(path, cause);
    case 'disk-full':
      return new DBOSSqliteDiskFullError(path, cause);
    case 'corrupt':
      return new DBOSSqliteCorruptError(path, cause);
    default:
      return undefined;
  }
}
