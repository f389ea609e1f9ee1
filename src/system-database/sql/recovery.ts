/**
 * SQL for recovery at launch, in bounded batches: page an executor's PENDING
 * direct workflows (keyset, oldest first), and count one recovery attempt for
 * a whole batch in one transaction. Queued workflows are not paged here: they
 * go back to their queues (requeuePendingWorkflows) and are dequeued again.
 */
import type { QueryRunner } from '../connection.ts';
import type { Dialect } from '../dialect.ts';
import type { WorkflowStatusRecord } from '../records.ts';
import type { PendingWorkflowCursor, PendingWorkflowRef, RecoveryAttemptRequest, RecoveryBatchClaim } from '../claim-records.ts';
import { outcomeChannel } from '../system-database.ts';
import { valuesChunks } from './multi-row.ts';
import { nullableString } from './row-values.ts';
import { statusColumns, toWorkflowStatusRecord } from './workflows.ts';

/**
 * Up to `limit` PENDING workflows of this executor and version that were
 * started directly (no queue), after `after` in (created_at, workflow ID)
 * order. Only the columns needed to find their registration: a page costs
 * little memory whatever the inputs' size.
 */
export async function selectPendingDirectWorkflows(
  runner: QueryRunner,
  d: Dialect,
  executorID: string,
  applicationVersion: string,
  after: PendingWorkflowCursor | null,
  limit: number,
): Promise<PendingWorkflowRef[]> {
  const params: (string | number)[] = [executorID, applicationVersion, limit];
  let keyset = '';
  if (after) {
    params.push(after.createdAt, after.workflowID);
    // The first conjunct bounds the index range scan; the second breaks ties of created_at by ID.
    keyset = 'AND created_at >= $4 AND (created_at > $4 OR workflow_uuid > $5)';
  }
  const rows = await runner.query(
    `SELECT workflow_uuid, name, class_name, config_name, created_at FROM ${d.table('workflow_status')}
     WHERE status = 'PENDING' AND executor_id = $1 AND application_version = $2 AND queue_name IS NULL ${keyset}
     ORDER BY created_at, workflow_uuid LIMIT $3`,
    params,
  );
  return rows.map((row) => ({
    workflowID: String(row.workflow_uuid),
    workflowName: String(row.name ?? ''),
    className: nullableString(row.class_name),
    configName: nullableString(row.config_name),
    createdAt: Number(row.created_at),
  }));
}

/**
 * Count one more recovery attempt of each still-PENDING workflow of the
 * batch (a workflow finished or cancelled meanwhile is left out); those past
 * their own budget become MAX_RECOVERY_ATTEMPTS_EXCEEDED in the same
 * statement (each workflow's claim is one row's update: no transaction, one
 * round trip). Inputs are read, outputs are not (a PENDING workflow has none).
 */
export async function claimRecoveryAttempts(
  runner: QueryRunner,
  d: Dialect,
  requests: readonly RecoveryAttemptRequest[],
  now: number,
): Promise<RecoveryBatchClaim> {
  const claim: RecoveryBatchClaim = { run: [], exceeded: [] };
  const table = d.table('workflow_status');
  // A direct start counts as attempt 1, so recoveries are attempts 2, 3, ... up to the budget + 1.
  const exceeded = `${table}.recovery_attempts + 1 > v.column2 + 1`;
  const chunks = valuesChunks(d, requests, (r) => [r.workflowID, r.maxRecoveryAttempts], ['TEXT', 'BIGINT'], 1); // room for the one parameter more (now)
  for (const chunk of chunks) {
    const now$ = `$${chunk.params.length + 1}`;
    const update = `UPDATE ${table} SET recovery_attempts = ${table}.recovery_attempts + 1, updated_at = ${now$},
         status = CASE WHEN ${exceeded} THEN 'MAX_RECOVERY_ATTEMPTS_EXCEEDED' ELSE ${table}.status END,
         deduplication_id = CASE WHEN ${exceeded} THEN NULL ELSE ${table}.deduplication_id END,
         started_at_epoch_ms = CASE WHEN ${exceeded} THEN NULL ELSE ${table}.started_at_epoch_ms END,
         completed_at = CASE WHEN ${exceeded} THEN ${now$} ELSE ${table}.completed_at END
       FROM (VALUES ${chunk.valuesSql}) AS v
       WHERE ${table}.workflow_uuid = v.column1 AND ${table}.status = 'PENDING'
       RETURNING ${statusColumns(d, { outputs: false })},
         CASE WHEN ${table}.status = 'MAX_RECOVERY_ATTEMPTS_EXCEEDED' THEN ${table}.workflow_uuid END AS exceeded_id`;
    // Waiters on an exceeded workflow's result hear of it at once (where the backend notifies across processes).
    const rows = await runner.query(d.notifying(update, [{ channel: outcomeChannel, keyColumn: 'exceeded_id' }]), [...chunk.params, now]);
    for (const row of rows) {
      const workflow: WorkflowStatusRecord = toWorkflowStatusRecord(row);
      (workflow.status === 'PENDING' ? claim.run : claim.exceeded).push(workflow);
    }
  }
  return claim;
}
