/**
 * Which errors mean that the system database failed rather than the workflow: a workflow stopped by one
 * records nothing (not even its failure) and stays PENDING, to resume once the fault clears
 * (resume-after-fault.ts).
 */
import { DBOSSqliteFaultError } from '../errors/errors.ts';

/** A fault an operator can clear while the process runs (a locked, read-only or full SQLite file). */
export function isRetriableDatabaseFault(error: unknown): boolean {
  return error instanceof DBOSSqliteFaultError && error.retriable;
}
