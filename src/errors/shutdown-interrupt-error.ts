/**
 * The error that ends a workflow's pending durable operation when
 * DBOS.shutdown() interrupts it. It is never recorded: the workflow stays
 * PENDING and is resumed by recovery after the next launch.
 *
 * Kept in its own file (imported directly, not re-exported from errors.ts)
 * so that errors.ts and this file do not import each other.
 */
import { DBOSError } from './errors.ts';

export class DBOSShutdownInterruptError extends DBOSError {
  constructor() {
    super(
      'DBOS.shutdown() interrupted this workflow; nothing more of it is recorded here. It stays PENDING and ' +
        'resumes from its last recorded operation when its executor launches again.',
      'SHUTDOWN_INTERRUPTED',
      1,
    );
  }
}
