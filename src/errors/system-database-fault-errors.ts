/**
 * The SQLite system database file failing under durably: made read-only, its disk full, locked by another
 * process for too long, corrupt. Each names the file and the cause; the driver's error rides on `cause`.
 *
 * `retriable` faults (read-only, disk full, locked) are ones an operator can clear while the process runs:
 * durably retried the operation for `databaseOutageTimeoutMs` before throwing, and a workflow stopped
 * by one records nothing and stays PENDING, to resume when the fault clears (engine/resume-after-fault.ts).
 */
import { DBOSDatabaseError } from './durably-errors.ts';
import { markRaisedHere, wasRaisedHere } from './live-faults.ts';

/** Whether `error` is a fault raised in this process (not one revived from a recorded outcome). */
export function isLiveSqliteFault(error: unknown): error is DBOSSqliteFaultError {
  return error instanceof DBOSSqliteFaultError && wasRaisedHere(error);
}

export class DBOSSqliteFaultError extends DBOSDatabaseError {
  /** The system database file. */
  readonly path: string;
  /** Clearing the fault (freeing space, restoring permissions, ending the other transaction) lets the operation succeed. */
  readonly retriable: boolean;
  constructor(message: string, path: string, retriable: boolean, code: string, cause?: unknown) {
    super(message, { cause, code });
    this.path = path;
    this.retriable = retriable;
    markRaisedHere(this);
  }
}

/** Writes to the file are refused: it, its folder or its -wal/-shm files are read-only (SQLITE_READONLY). */
export class DBOSSqliteReadOnlyError extends DBOSSqliteFaultError {
  constructor(path: string, cause?: unknown) {
    super(
      `The SQLite system database "${path}" is read-only: ${(cause as Error)?.message ?? 'writes are refused'}. ` +
        'Give this process write access to the file, its -wal and -shm files, and their folder.',
      path,
      true,
      'SQLITE_READ_ONLY',
      cause,
    );
  }
}

/** A write needed more space than there is (SQLITE_FULL): the disk is full, or a size limit was reached. */
export class DBOSSqliteDiskFullError extends DBOSSqliteFaultError {
  constructor(path: string, cause?: unknown) {
    super(
      `The SQLite system database "${path}" cannot grow: ${(cause as Error)?.message ?? 'database or disk is full'}. ` +
        'Free disk space, or delete old workflows (config option workflowRetention).',
      path,
      true,
      'SQLITE_DISK_FULL',
      cause,
    );
  }
}

/** Another connection held the write lock longer than durably waits (SQLITE_BUSY throughout). */
export class DBOSSqliteLockTimeoutError extends DBOSSqliteFaultError {
  readonly waitedMs: number;
  constructor(path: string, waitedMs: number, cause?: unknown) {
    super(
      `The SQLite system database "${path}" stayed locked for ${waitedMs} ms: another process (or connection) ` +
        'holds a long write transaction on it. End that transaction; a SQLite system database is shared only ' +
        'by short transactions.',
      path,
      true,
      'SQLITE_LOCK_TIMEOUT',
      cause,
    );
    this.waitedMs = waitedMs;
  }
}

/** The file's content is damaged (SQLITE_CORRUPT): nothing durably can retry. */
export class DBOSSqliteCorruptError extends DBOSSqliteFaultError {
  constructor(path: string, cause?: unknown) {
    super(
      `The SQLite system database "${path}" is corrupt: ${(cause as Error)?.message ?? 'database disk image is malformed'}. ` +
        'Restore it from a backup, or move it away to start a new one (its workflows are then lost).',
      path,
      false,
      'SQLITE_CORRUPT',
      cause,
    );
  }
}
