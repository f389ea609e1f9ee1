/**
 * SQL for steering workflows: cancel (with descendants), resume, delete
 * (garbage collection, in batches, is in garbage-collection.ts).
 * Resume refuses, inside its transaction, a list naming a workflow that does
 * not exist (a batch with one unknown ID changes nothing); cancel and delete,
 * as in DBOS, leave an unknown ID alone (the state asked for already holds).
 */
import { DBOSNonExistentWorkflowError } from '../../errors/errors.ts';
import type { QueryRunner } from '../connection.ts';
import type { Dialect } from '../dialect.ts';
import { cancelChannel, outcomeChannel, queueChannel } from '../system-database.ts';

export function placeholders(count: number, first = 1): string {
  return Array.from({ length: count }, (_, i) => `$${i + first}`).join(', ');
}

/** Throws DBOSNonExistentWorkflowError naming every ID of `workflowIDs` that has no status row. */
async function requireExisting(runner: QueryRunner, d: Dialect, workflowIDs: readonly string[], action: string): Promise<void> {
  if (workflowIDs.length === 0) return;
  const rows = await runner.query<{ workflow_uuid: string }>(
    `SELECT workflow_uuid FROM ${d.table('workflow_status')} WHERE workflow_uuid IN (${placeholders(workflowIDs.length)})`,
    workflowIDs,
  );
  throwIfMissing(workflowIDs, new Set(rows.map((r) => r.workflow_uuid)), action);
}

function throwIfMissing(workflowIDs: readonly string[], found: ReadonlySet<string>, action: string): void {
  const missing = [...new Set(workflowIDs.filter((id) => !found.has(id)))];
  if (missing.length === 0) return;
  const named = missing.map((id) => JSON.stringify(id)).join(', ');
  throw new DBOSNonExistentWorkflowError(
    `Cannot ${action} workflow ${named}: no such workflow exists${workflowIDs.length > 1 ? `; none of the ${workflowIDs.length} given was changed` : ''}.`,
    missing.length === 1 ? { workflowID: missing[0] } : undefined,
  );
}

/** The IDs and all their descendants (children, grandchildren, ...). */
export async function withDescendants(runner: QueryRunner, d: Dialect, workflowIDs: readonly string[]): Promise<string[]> {
  const all = new Set(workflowIDs);
  let level = [...workflowIDs];
  while (level.length > 0) {
    const rows = await runner.query<{ workflow_uuid: string }>(
      `SELECT workflow_uuid FROM ${d.table('workflow_status')} WHERE parent_workflow_id IN (${placeholders(level.length)})`,
      level,
    );
    level = rows.map((r) => r.workflow_uuid).filter((id) => !all.has(id));
    for (const id of level) all.add(id);
  }
  return [...all];
}

export async function cancelWorkflows(tx: QueryRunner, d: Dialect, workflowIDs: readonly string[], now: number): Promise<string[]> {
  if (workflowIDs.length === 0) return [];
  const update = `UPDATE ${d.table('workflow_status')}
     SET status = 'CANCELLED', queue_name = NULL, deduplication_id = NULL, started_at_epoch_ms = NULL,
       completed_at = $1, updated_at = $1
     WHERE workflow_uuid IN (${placeholders(workflowIDs.length, 2)}) AND status NOT IN ('SUCCESS', 'ERROR', 'CANCELLED')
     RETURNING workflow_uuid`;
  const rows = await tx.query<{ workflow_uuid: string }>(
    d.notifying(update, [
      { channel: cancelChannel, keyColumn: 'workflow_uuid' },
      { channel: outcomeChannel, keyColumn: 'workflow_uuid' },
    ]),
    [now, ...workflowIDs],
  );
  return rows.map((r) => r.workflow_uuid);
}

export async function selectCancelled(runner: QueryRunner, d: Dialect, workflowIDs: readonly string[]): Promise<string[]> {
  if (workflowIDs.length === 0) return [];
  const rows = await runner.query<{ workflow_uuid: string }>(
    `SELECT workflow_uuid FROM ${d.table('workflow_status')}
     WHERE workflow_uuid IN (${placeholders(workflowIDs.length)}) AND status = 'CANCELLED'`,
    workflowIDs,
  );
  return rows.map((r) => r.workflow_uuid);
}

export async function resumeWorkflows(
  tx: QueryRunner,
  d: Dialect,
  workflowIDs: readonly string[],
  queueName: string,
  now: number,
): Promise<string[]> {
  if (workflowIDs.length === 0) return [];
  await requireExisting(tx, d, workflowIDs, 'resume');
  const update = `UPDATE ${d.table('workflow_status')}
     SET status = 'ENQUEUED', queue_name = $1, recovery_attempts = 0, workflow_deadline_epoch_ms = NULL,
       deduplication_id = NULL, started_at_epoch_ms = NULL, completed_at = NULL, delay_until_epoch_ms = NULL,
       updated_at = $2
     WHERE workflow_uuid IN (${placeholders(workflowIDs.length, 3)}) AND status NOT IN ('SUCCESS', 'ERROR')
     RETURNING workflow_uuid, queue_name`;
  const rows = await tx.query<{ workflow_uuid: string }>(
    d.notifying(update, [{ channel: queueChannel, keyColumn: 'queue_name' }]),
    [queueName, now, ...workflowIDs],
  );
  return rows.map((r) => r.workflow_uuid);
}

/**
 * The rows of deleted workflows that no foreign key removes: their payloads
 * and steps (DBOS 5.3's layout has no cascade there: its SDK sweeps them).
 */
const uncascadedTables = ['workflow_input', 'workflow_output', 'operation_outputs'];

export async function deleteUncascaded(tx: QueryRunner, d: Dialect, workflowIDs: readonly string[]): Promise<void> {
  for (let start = 0; start < workflowIDs.length; start += d.maxParameters) {
    const chunk = workflowIDs.slice(start, start + d.maxParameters);
    for (const table of uncascadedTables) {
      await tx.query(`DELETE FROM ${d.table(table)} WHERE workflow_uuid IN (${placeholders(chunk.length)})`, chunk);
    }
  }
}

/** Delete workflows and everything recorded for them (messages, events, streams: by cascade; the rest explicitly). */
export async function deleteWorkflows(tx: QueryRunner, d: Dialect, workflowIDs: readonly string[]): Promise<number> {
  if (workflowIDs.length === 0) return 0;
  const rows = await tx.query<{ workflow_uuid: string }>(
    `DELETE FROM ${d.table('workflow_status')} WHERE workflow_uuid IN (${placeholders(workflowIDs.length)}) RETURNING workflow_uuid`,
    workflowIDs,
  );
  await deleteUncascaded(tx, d, workflowIDs);
  return rows.length;
}
