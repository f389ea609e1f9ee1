/**
 * SQL for debouncing (DBOS's Debouncer), one attempt per transaction: move
 * the DELAYED workflow waiting under the debounce key, or enqueue a new one
 * under it. From workflow code, the call's checkpoint commits in the same
 * transaction, so a replay returns the same workflow and never debounces twice.
 *
 * A debounced workflow keeps its key (its deduplication ID) after it left
 * DELAYED; the next debounce call finds it there and frees the key, instead
 * of the dequeuer freeing it on every promotion (no extra work on the claim).
 */
import type { QueryRunner } from '../connection.ts';
import type { Dialect } from '../dialect.ts';
import type { DebounceOutcome, DebounceRequest, StepOutcomeRecord } from '../records.ts';
import { queueChannel } from '../system-database.ts';
import { sqlBoolean } from './row-values.ts';
import { insertStepOutcomeOrConflict } from './steps.ts';
import { insertWorkflows } from './workflows.ts';

/** Move the waiting workflow's start to `now + period` (capped by its deadline), with the new inputs. */
async function bounceWaiting(tx: QueryRunner, d: Dialect, request: DebounceRequest): Promise<string | undefined> {
  const { workflow } = request;
  const update = `UPDATE ${d.table('workflow_status')} SET
       delay_until_epoch_ms = CASE WHEN debounce_deadline_epoch_ms IS NOT NULL AND debounce_deadline_epoch_ms < $1
         THEN debounce_deadline_epoch_ms ELSE $1 END,
       serialization = $2, updated_at = $3
     WHERE queue_name = $4 AND deduplication_id = $5 AND status = 'DELAYED' AND is_debounced = TRUE
       AND name = $6 AND COALESCE(class_name, '') = $7
     RETURNING workflow_uuid, queue_name`;
  const [row] = await tx.query<{ workflow_uuid: string }>(d.notifying(update, [{ channel: queueChannel, keyColumn: 'queue_name' }]), [
    request.now + request.periodMs,
    request.serialization,
    request.now,
    workflow.queueName,
    workflow.deduplicationID,
    workflow.workflowName,
    workflow.className ?? '',
  ]);
  if (row) {
    await tx.query(
      `INSERT INTO ${d.table('workflow_input')} (workflow_uuid, inputs) VALUES ($1, $2)
       ON CONFLICT (workflow_uuid) DO UPDATE SET inputs = excluded.inputs`,
      [row.workflow_uuid, request.inputs],
    );
  }
  return row?.workflow_uuid;
}

async function enqueueNew(tx: QueryRunner, d: Dialect, request: DebounceRequest): Promise<boolean> {
  const inserted = await insertWorkflows(tx, d, [request.workflow]);
  if (!inserted.has(request.workflow.workflowID)) return false;
  await tx.query(
    `UPDATE ${d.table('workflow_status')} SET is_debounced = TRUE, debounce_deadline_epoch_ms = $2 WHERE workflow_uuid = $1`,
    [request.workflow.workflowID, request.debounceDeadlineEpochMs],
  );
  return true;
}

/**
 * Why the key could not be taken: 'retry' when it was freed or a debounced
 * workflow left DELAYED (its key is freed here), else who holds it. An
 * existing row under the new workflow's own ID is that workflow (idempotent).
 */
async function inspectHolder(tx: QueryRunner, d: Dialect, request: DebounceRequest): Promise<DebounceOutcome | 'retry'> {
  const table = d.table('workflow_status');
  const { workflow } = request;
  const [holder] = await tx.query<{ workflow_uuid: string; status: string; is_debounced: unknown; name: string; class_name: string | null }>(
    `SELECT workflow_uuid, status, is_debounced, name, class_name FROM ${table} WHERE queue_name = $1 AND deduplication_id = $2`,
    [workflow.queueName, workflow.deduplicationID],
  );
  if (!holder) {
    const [existing] = await tx.query(`SELECT 1 AS found FROM ${table} WHERE workflow_uuid = $1`, [workflow.workflowID]);
    return existing ? { kind: 'enqueued', workflowID: workflow.workflowID } : 'retry';
  }
  const sameWorkflow = holder.name === workflow.workflowName && (holder.class_name ?? '') === (workflow.className ?? '');
  if (!sqlBoolean(holder.is_debounced) || !sameWorkflow) return { kind: 'held', holderID: holder.workflow_uuid };
  if (holder.status !== 'DELAYED') {
    await tx.query(`UPDATE ${table} SET deduplication_id = NULL WHERE workflow_uuid = $1 AND status <> 'DELAYED'`, [
      holder.workflow_uuid,
    ]);
  }
  return 'retry';
}

/** One debounce attempt; 'retry' when the caller should try again (a concurrent change got in the way). */
export async function debounceOnce(
  tx: QueryRunner,
  d: Dialect,
  request: DebounceRequest,
  checkpoint: StepOutcomeRecord | undefined,
): Promise<DebounceOutcome | 'retry'> {
  let outcome: DebounceOutcome | 'retry';
  const bounced = await bounceWaiting(tx, d, request);
  if (bounced !== undefined) outcome = { kind: 'bounced', workflowID: bounced };
  else if (await enqueueNew(tx, d, request)) outcome = { kind: 'enqueued', workflowID: request.workflow.workflowID };
  else outcome = await inspectHolder(tx, d, request);
  if (checkpoint && outcome !== 'retry' && outcome.kind !== 'held') {
    await insertStepOutcomeOrConflict(tx, d, { ...checkpoint, childWorkflowID: outcome.workflowID });
  }
  return outcome;
}
