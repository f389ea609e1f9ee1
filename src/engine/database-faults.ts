/**
 * Which errors mean that the system database failed rather than the workflow: a workflow stopped by one
 * records nothing (not even its failure) and stays PENDING, to resume once the fault clears
 * (resume-after-fault.ts).
 */
// Not re-exported by errors.ts (it is no public API): imported from its own module.
import { isLiveSqliteFault } from '../errors/system-database-fault-errors.ts';

/**
 * A fault an operator can clear while the process runs (a locked, read-only or full SQLite file), raised
 * now: one replayed from a recorded step error is that step's outcome, and ends the workflow as any error.
 */
export function isRetriableDatabaseFault(error: unknown): boolean {
  return isLiveSqliteFault(error) && error.retriable;
}
