/**
 * SQL for batch enqueue (DBOS's `enqueueWorkflows`, for event receivers):
 * many ENQUEUED rows in one transaction, one multi-row insert per chunk of
 * 500; an existing workflow ID is skipped, so redelivering a batch is a no-op.
 */
import type { QueryRunner } from '../connection.ts';
import type { Dialect } from '../dialect.ts';
import type { NewWorkflowRecord } from '../records.ts';
import { insertWorkflows } from './workflows.ts';

export const batchEnqueueChunkSize = 500;

/** Insert the rows (in the caller's transaction); returns the IDs inserted. */
export async function insertEnqueuedWorkflows(
  tx: QueryRunner,
  d: Dialect,
  workflows: readonly NewWorkflowRecord[],
): Promise<Set<string>> {
  const inserted = new Set<string>();
  for (let start = 0; start < workflows.length; start += batchEnqueueChunkSize) {
    const chunk = workflows.slice(start, start + batchEnqueueChunkSize);
    for (const workflowID of await insertWorkflows(tx, d, chunk)) inserted.add(workflowID);
  }
  return inserted;
}
