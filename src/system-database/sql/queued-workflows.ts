/**
 * SQL for changing a waiting workflow's place in its queue: its priority
 * (ENQUEUED or DELAYED) and its delay (DELAYED). A change made from workflow
 * code commits with its checkpoint. A changed delay is announced on the queue
 * channel under a key of its own (see delayChangedKey), so the dequeuers of
 * the queue look again at when its next delayed workflow is due.
 */
import type { QueryRunner } from '../connection.ts';
import type { Dialect } from '../dialect.ts';
import type { StepOutcomeRecord } from '../records.ts';
import { queueChannel, type QueuedWorkflowChange } from '../system-database.ts';
import { insertStepOutcomeOrConflict } from './steps.ts';

const delayChangedPrefix = 'delay-changed:';

/** The queue channel key announcing that a delayed workflow of `queueName` got a new due time. */
export function delayChangedKey(queueName: string): string {
  return `${delayChangedPrefix}${queueName}`;
}

/** The queue a delayChangedKey names, or undefined for any other key of the queue channel. */
export function delayChangedQueue(key: string): string | undefined {
  return key.startsWith(delayChangedPrefix) ? key.slice(delayChangedPrefix.length) : undefined;
}

/** After an update matched no row: tell a missing workflow (nothing written) from one in another state. */
async function finish(
  tx: QueryRunner,
  d: Dialect,
  workflowID: string,
  updated: boolean,
  checkpoint: StepOutcomeRecord | undefined,
): Promise<QueuedWorkflowChange> {
  if (!updated) {
    const rows = await tx.query(`SELECT 1 AS found FROM ${d.table('workflow_status')} WHERE workflow_uuid = $1`, [workflowID]);
    if (rows.length === 0) return 'missing';
  }
  if (checkpoint) await insertStepOutcomeOrConflict(tx, d, checkpoint);
  return updated ? 'changed' : 'not-waiting';
}

export async function updateQueuedPriority(
  tx: QueryRunner,
  d: Dialect,
  workflowID: string,
  priority: number,
  now: number,
  checkpoint: StepOutcomeRecord | undefined,
): Promise<QueuedWorkflowChange> {
  const rows = await tx.query(
    `UPDATE ${d.table('workflow_status')} SET priority = $2, updated_at = $3
     WHERE workflow_uuid = $1 AND status IN ('ENQUEUED', 'DELAYED') RETURNING workflow_uuid`,
    [workflowID, priority, now],
  );
  return finish(tx, d, workflowID, rows.length > 0, checkpoint);
}

/** Set a DELAYED workflow's due time; returns the change and, when changed, its queue (whose dequeuers are told). */
export async function updateDelay(
  tx: QueryRunner,
  d: Dialect,
  workflowID: string,
  delayUntilEpochMs: number,
  now: number,
  checkpoint: StepOutcomeRecord | undefined,
): Promise<{ change: QueuedWorkflowChange; queueName?: string }> {
  const update = `UPDATE ${d.table('workflow_status')} SET delay_until_epoch_ms = $2, updated_at = $3
     WHERE workflow_uuid = $1 AND status = 'DELAYED'
     RETURNING queue_name, '${delayChangedPrefix}' || queue_name AS delay_key`;
  const rows = await tx.query<{ queue_name: string }>(d.notifying(update, [{ channel: queueChannel, keyColumn: 'delay_key' }]), [
    workflowID,
    delayUntilEpochMs,
    now,
  ]);
  const change = await finish(tx, d, workflowID, rows.length > 0, checkpoint);
  return { change, queueName: rows[0]?.queue_name };
}
