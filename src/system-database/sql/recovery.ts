/**
 * SQL for recovery at launch, in bounded batches: page an executor's PENDING
 * direct workflows (keyset, oldest first), and count one recovery attempt for
 * a whole batch in one transaction. Queued workflows are not paged here: they
 * go back to their queues (requeuePendingWorkflows) and are dequeued again.
 */
import type { QueryRunner } from '../connection.ts';
import type { Dialect } from '../dialect.ts';
import type {
  PendingWorkflowCursor,
  PendingWorkflowRef,
  RecoveryAttemptRequest,
  RecoveryBatchClaim,
  WorkflowStatusRecord,
} from '../records.ts';
import { outcomeChannel } from '../system-database.ts';
import { nullableString } from './row-values.ts';
import { statusColumns, toWorkflowStatusRecord } from './workflows.ts';

function placeholders(count: number, first = 1): string {
  return Array.from({ length: count }, (_, i) => `$${i + first}`).join(', ');
}

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
 * transaction. Inputs are read, outputs are not (a PENDING workflow has none).
 */
export async function claimRecoveryAttempts(
  tx: QueryRunner,
  d: Dialect,
  requests: readonly RecoveryAttemptRequest[],
  now: number,
): Promise<RecoveryBatchClaim> {
  if (requests.length === 0) return { run: [], exceeded: [] };
  const table = d.table('workflow_status');
  const budgets = new Map(requests.map((r) => [r.workflowID, r.maxRecoveryAttempts]));
  const ids = [...budgets.keys()];
  const rows = await tx.query(
    `UPDATE ${table} SET recovery_attempts = recovery_attempts + 1, updated_at = $1
     WHERE workflow_uuid IN (${placeholders(ids.length, 2)}) AND status = 'PENDING'
     RETURNING ${statusColumns(d, { outputs: false })}`,
    [now, ...ids],
  );
  const claim: RecoveryBatchClaim = { run: [], exceeded: [] };
  for (const row of rows) {
    const workflow: WorkflowStatusRecord = toWorkflowStatusRecord(row);
    // A direct start counts as attempt 1, so recoveries are attempts 2, 3, ...
    if (workflow.recoveryAttempts <= budgets.get(workflow.workflowID)! + 1) claim.run.push(workflow);
    else claim.exceeded.push({ ...workflow, status: 'MAX_RECOVERY_ATTEMPTS_EXCEEDED' });
  }
  if (claim.exceeded.length > 0) {
    const exceeded = claim.exceeded.map((w) => w.workflowID);
    const update = `UPDATE ${table} SET status = 'MAX_RECOVERY_ATTEMPTS_EXCEEDED', deduplication_id = NULL,
         started_at_epoch_ms = NULL, completed_at = $1, updated_at = $1
       WHERE workflow_uuid IN (${placeholders(exceeded.length, 2)}) RETURNING workflow_uuid`;
    // Waiters on its result hear of it at once (where the backend notifies across processes).
    await tx.query(d.notifying(update, [{ channel: outcomeChannel, keyColumn: 'workflow_uuid' }]), [now, ...exceeded]);
  }
  return claim;
}
