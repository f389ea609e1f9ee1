/**
 * Every error durably throws on purpose, and the one module the rest of durably imports them from. Each class
 * has DBOS's constructor and numeric `dbosErrorCode` (so code written against the DBOS SDK keeps working),
 * plus a stable string `code` (for programs). Messages name the problem, the value found and the remedy; a
 * driver's error rides on `cause`.
 *
 * Errors recorded in the system database lose their class when read back in another process; durably revives
 * its own classes by `name` (see engine/error-serialization.ts), so `instanceof` works for these.
 *
 * - dbos-error.ts: the base class; dbos-error-codes.ts: DBOS's numeric codes
 * - dbos-workflow-errors.ts, dbos-queue-stream-errors.ts, dbos-legacy-errors.ts: DBOS's classes
 * - durably-errors.ts: durably's own, more precise classes; system-database-fault-errors.ts: a failing SQLite file
 * - error-helpers.ts: DBOS's predicates; error-class-registry.ts: the classes by name, for revival
 */

export { DBOSError, type DurablyErrorOptions } from './dbos-error.ts';
export {
  UnexpectedStep,
  QueueDedupIDDuplicated,
  StreamTimeout,
  StreamNondeterminism,
  QueryTimeout,
  WorkflowIDInUse,
  StepNondeterminism,
} from './dbos-error-codes.ts';
export * from './dbos-workflow-errors.ts';
export * from './dbos-queue-stream-errors.ts';
export * from './dbos-legacy-errors.ts';
export * from './durably-errors.ts';
export {
  DBOSSqliteFaultError,
  DBOSSqliteReadOnlyError,
  DBOSSqliteDiskFullError,
  DBOSSqliteLockTimeoutError,
  DBOSSqliteCorruptError,
} from './system-database-fault-errors.ts';
export * from './data-source-errors.ts';
export * from './admin-errors.ts';
export * from './error-helpers.ts';
export { durablyErrorClasses } from './error-class-registry.ts';
