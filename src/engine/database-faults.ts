/**
 * Which errors mean that the system database failed rather than the workflow: a workflow stopped by one
 * records nothing (not even its failure) and stays PENDING, to resume in this process once the fault clears
 * (resume-after-fault.ts). Both backends' faults: a locked, read-only or full SQLite file, and a Postgres
 * database unreachable or stalled past databaseOutageTimeoutMs.
 */
// Not re-exported by errors.ts (they are no public API): imported from their own modules.
import { DBOSDatabaseUnavailableError } from '../errors/durably-errors.ts';
import { wasRaisedHere } from '../errors/live-faults.ts';
import { isLiveSqliteFault } from '../errors/system-database-fault-errors.ts';

/**
 * A fault that can clear while the process runs, raised now: one replayed from a recorded step error is
 * that step's outcome, and ends the workflow as any error.
 */
export function isRetriableDatabaseFault(error: unknown): boolean {
  if (isLiveSqliteFault(error)) return error.retriable;
  return error instanceof DBOSDatabaseUnavailableError && wasRaisedHere(error);
}
