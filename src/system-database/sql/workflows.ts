/** SQL for workflow status rows: start, outcome, status reads, recovery. */
import type { QueryRunner, Row, SqlValue } from '../connection.ts';
import type { Dialect } from '../dialect.ts';
import type { NewWorkflowRecord, WorkflowOutcomeRecord, WorkflowStatusRecord, WorkflowStatusString } from '../records.ts';
import type { RecoveryClaim } from '../claim-records.ts';
import { outcomeChannel, queueChannel } from '../system-database.ts';
import { valuesChunks, valuesList } from './multi-row.ts';
import { nullableNumber, nullableString } from './row-values.ts';

const insertColumns = [
  'workflow_uuid',
  'status',
  'name',
  'class_name',
  'config_name',
  'authenticated_user',
  'assumed_role',
  'authenticated_roles',
  'serialization',
  'executor_id',
  'application_version',
  'application_name',
  'created_at',
  'updated_at',
  'recovery_attempts',
  'queue_name',
  'deduplication_id',
  'priority',
  'queue_partition_key',
  'delay_until_epoch_ms',
  'workflow_timeout_ms',
  'workflow_deadline_epoch_ms',
  'parent_workflow_id',
  'schedule_name',
  'owner_xid',
  'attributes',
  'request',
  'trace_context',
] as const;

/** The status row's values, in insertColumns order, then `inputs` (written there only without payload tables). */
function statusRow(w: NewWorkflowRecord): SqlValue[] {
  return [
    w.workflowID,
    w.status,
    w.workflowName,
    w.className,
    w.configName,
    w.authenticatedUser,
    w.assumedRole,
    w.authenticatedRoles,
    w.serialization,
    w.executorID,
    w.applicationVersion,
    w.applicationName,
    w.createdAt,
    w.createdAt,
    w.recoveryAttempts,
    w.queueName,
    w.deduplicationID,
    w.priority,
    w.queuePartitionKey,
    w.delayUntilEpochMs,
    w.timeoutMs,
    w.deadlineEpochMs,
    w.parentWorkflowID,
    w.scheduleName ?? null,
    w.ownerXid,
    w.attributes ?? null,
    w.request ?? null,
    w.traceContext ?? null,
  ];
}

/** Each workflow ID's first record only: a batch may name one twice, and only the first can apply. */
function firstPerWorkflow<T extends { workflowID: string }>(records: readonly T[]): T[] {
  const seen = new Set<string>();
  return records.filter((r) => !seen.has(r.workflowID) && seen.add(r.workflowID));
}

/**
 * Insert new status rows, with their inputs (in workflow_input, in the same
 * statement, where the dialect has payload tables); returns the IDs that were
 * inserted (the others existed).
 */
export async function insertWorkflows(
  tx: QueryRunner,
  dialect: Dialect,
  workflows: readonly NewWorkflowRecord[],
): Promise<Set<string>> {
  const inserted = new Set<string>();
  const payloads = dialect.payloadTables;
  const columns = payloads ? insertColumns : [...insertColumns, 'inputs'];
  const toRow = payloads ? statusRow : (w: NewWorkflowRecord) => [...statusRow(w), w.inputs];
  for (const chunk of valuesChunks(dialect, workflows, toRow, undefined, payloads ? 3 : 0)) {
    // No conflict target: an existing ID and a held deduplication ID both leave the row out.
    const insert = `INSERT INTO ${dialect.table('workflow_status')} (${columns.join(', ')}) VALUES ${chunk.valuesSql}
       ON CONFLICT DO NOTHING RETURNING workflow_uuid, queue_name`;
    const alongside: string[] = [];
    let params = chunk.params;
    if (payloads) {
      const inputs = valuesList(
        firstPerWorkflow(chunk.items).map((w) => [w.workflowID, w.inputs, w.createdAt]),
        chunk.params.length + 1,
        ['TEXT', 'TEXT', 'BIGINT'],
      );
      alongside.push(`inputs AS (INSERT INTO ${dialect.table('workflow_input')} (workflow_uuid, inputs, retention_timestamp)
         SELECT v.column1, v.column2, v.column3 FROM (VALUES ${inputs.sql}) AS v JOIN changed ON changed.workflow_uuid = v.column1
         ON CONFLICT (workflow_uuid) DO NOTHING)`);
      params = [...chunk.params, ...inputs.params];
    }
    const rows = await tx.query<{ workflow_uuid: string }>(
      dialect.notifying(insert, [{ channel: queueChannel, keyColumn: 'queue_name' }], alongside),
      params,
    );
    for (const row of rows) inserted.add(row.workflow_uuid);
  }
  return inserted;
}

/**
 * Write final outcomes of workflows still PENDING (output and error in
 * workflow_output, in the same statement, where the dialect has payload
 * tables: a resumed workflow's earlier outcome is replaced); returns the IDs
 * written.
 */
export async function writeWorkflowOutcomes(
  tx: QueryRunner,
  dialect: Dialect,
  outcomes: readonly WorkflowOutcomeRecord[],
): Promise<Set<string>> {
  const written = new Set<string>();
  // Only a workflow's first outcome in a batch may apply (firstOccurrences tells callers so); given
  // two VALUES rows matching one target row, UPDATE ... FROM applies an arbitrary one.
  const chunks = valuesChunks(
    dialect,
    firstPerWorkflow(outcomes),
    (o) => [o.workflowID, o.status, o.output, o.error, o.serialization, o.completedAt],
    ['TEXT', 'TEXT', 'TEXT', 'TEXT', 'TEXT', 'BIGINT'],
  );
  const table = dialect.table('workflow_status');
  const payloads = dialect.payloadTables;
  const inRow = payloads ? '' : 'output = v.column3, error = v.column4, ';
  for (const chunk of chunks) {
    const update = `UPDATE ${table} SET status = v.column2, ${inRow}serialization = v.column5, completed_at = v.column6,
         updated_at = v.column6, deduplication_id = NULL
       FROM (VALUES ${chunk.valuesSql}) AS v
       WHERE ${table}.workflow_uuid = v.column1 AND ${table}.status = 'PENDING'
       RETURNING ${table}.workflow_uuid, ${table}.queue_name`;
    // The same parameters again: the outcome's row in workflow_output, for the rows the update changed.
    const alongside = payloads
      ? [
          `outputs AS (INSERT INTO ${dialect.table('workflow_output')} (workflow_uuid, output, error, retention_timestamp)
           SELECT v.column1, v.column3, v.column4, v.column6 FROM (VALUES ${chunk.valuesSql}) AS v
           JOIN changed ON changed.workflow_uuid = v.column1
           ON CONFLICT (workflow_uuid) DO UPDATE SET output = excluded.output, error = excluded.error,
             retention_timestamp = excluded.retention_timestamp)`,
        ]
      : [];
    const rows = await tx.query<{ workflow_uuid: string }>(
      dialect.notifying(
        update,
        [
          { channel: outcomeChannel, keyColumn: 'workflow_uuid' },
          { channel: queueChannel, keyColumn: 'queue_name' },
        ],
        alongside,
      ),
      chunk.params,
    );
    for (const row of rows) written.add(row.workflow_uuid);
  }
  return written;
}

const plainStatusColumns = `workflow_uuid, status, name, class_name, config_name, authenticated_user, assumed_role,
  authenticated_roles, request, serialization, executor_id, application_version,
  application_id, application_name, created_at, updated_at, recovery_attempts, queue_name, deduplication_id,
  priority, queue_partition_key, started_at_epoch_ms, delay_until_epoch_ms, workflow_timeout_ms,
  workflow_deadline_epoch_ms, parent_workflow_id, forked_from, completed_at, owner_xid, schedule_name,
  was_forked_from, attributes, trace_context`;

/**
 * A payload column as DBOS 5.3 reads it: from its payload table, else from
 * the legacy workflow_status column (rows written before the payload tables).
 */
function payloadColumn(d: Dialect, column: string, payloadTable: string): string {
  const status = d.table('workflow_status');
  return `COALESCE((SELECT p.${column} FROM ${d.table(payloadTable)} AS p WHERE p.workflow_uuid = ${status}.workflow_uuid),
    ${status}.${column}) AS ${column}`;
}

/**
 * The select list of a WorkflowStatusRecord (also valid in a RETURNING clause
 * of workflow_status); unread payloads come back NULL (they can be large).
 */
export function statusColumns(d: Dialect, read: { inputs?: boolean; outputs?: boolean } = {}): string {
  const inputs = read.inputs === false ? 'NULL AS inputs' : payloadColumn(d, 'inputs', 'workflow_input');
  const outputs =
    read.outputs === false
      ? 'NULL AS output, NULL AS error'
      : `${payloadColumn(d, 'output', 'workflow_output')}, ${payloadColumn(d, 'error', 'workflow_output')}`;
  return `${plainStatusColumns}, ${inputs}, ${outputs}`;
}

export async function selectWorkflowStatus(
  runner: QueryRunner,
  dialect: Dialect,
  workflowID: string,
): Promise<WorkflowStatusRecord | undefined> {
  const rows = await runner.query(
    `SELECT ${statusColumns(dialect)} FROM ${dialect.table('workflow_status')} WHERE workflow_uuid = $1`,
    [workflowID],
  );
  return rows[0] ? toWorkflowStatusRecord(rows[0]) : undefined;
}

export async function claimRecoveryAttempt(
  tx: QueryRunner,
  dialect: Dialect,
  workflowID: string,
  maxRecoveryAttempts: number,
  now: number,
): Promise<RecoveryClaim> {
  const table = dialect.table('workflow_status');
  const rows = await tx.query(
    `UPDATE ${table} SET recovery_attempts = recovery_attempts + 1, updated_at = $2
     WHERE workflow_uuid = $1 AND status = 'PENDING' RETURNING ${statusColumns(dialect)}`,
    [workflowID, now],
  );
  if (!rows[0]) return { kind: 'not-pending' };
  const workflow = toWorkflowStatusRecord(rows[0]);
  // A direct start counts as attempt 1, so recoveries are attempts 2, 3, ...
  if (workflow.recoveryAttempts <= maxRecoveryAttempts + 1) return { kind: 'run', workflow };
  await tx.query(
    `UPDATE ${table} SET status = 'MAX_RECOVERY_ATTEMPTS_EXCEEDED', deduplication_id = NULL,
       started_at_epoch_ms = NULL, completed_at = $2, updated_at = $2
     WHERE workflow_uuid = $1`,
    [workflowID, now],
  );
  return { kind: 'exceeded', workflow: { ...workflow, status: 'MAX_RECOVERY_ATTEMPTS_EXCEEDED' } };
}

export function toWorkflowStatusRecord(row: Row): WorkflowStatusRecord {
  return {
    workflowID: String(row.workflow_uuid),
    status: String(row.status) as WorkflowStatusString,
    workflowName: String(row.name ?? ''),
    className: nullableString(row.class_name),
    configName: nullableString(row.config_name),
    authenticatedUser: nullableString(row.authenticated_user),
    assumedRole: nullableString(row.assumed_role),
    authenticatedRoles: nullableString(row.authenticated_roles),
    request: nullableString(row.request),
    traceContext: nullableString(row.trace_context),
    inputs: nullableString(row.inputs),
    output: nullableString(row.output),
    error: nullableString(row.error),
    serialization: nullableString(row.serialization),
    executorID: nullableString(row.executor_id),
    applicationVersion: nullableString(row.application_version),
    applicationID: nullableString(row.application_id),
    applicationName: nullableString(row.application_name),
    createdAt: Number(row.created_at),
    updatedAt: Number(row.updated_at),
    recoveryAttempts: Number(row.recovery_attempts ?? 0),
    queueName: nullableString(row.queue_name),
    deduplicationID: nullableString(row.deduplication_id),
    priority: Number(row.priority ?? 0),
    queuePartitionKey: nullableString(row.queue_partition_key),
    startedAtEpochMs: nullableNumber(row.started_at_epoch_ms),
    delayUntilEpochMs: nullableNumber(row.delay_until_epoch_ms),
    timeoutMs: nullableNumber(row.workflow_timeout_ms),
    deadlineEpochMs: nullableNumber(row.workflow_deadline_epoch_ms),
    parentWorkflowID: nullableString(row.parent_workflow_id),
    forkedFrom: nullableString(row.forked_from),
    scheduleName: nullableString(row.schedule_name),
    completedAt: nullableNumber(row.completed_at),
    ownerXid: nullableString(row.owner_xid),
    wasForkedFrom: Boolean(row.was_forked_from),
    attributes: jsonText(row.attributes),
  };
}

/** A JSON column as text: Postgres returns JSONB parsed, SQLite returns the stored text. */
function jsonText(value: unknown): string | null {
  if (value === null || value === undefined) return null;
  return typeof value === 'string' ? value : JSON.stringify(value);
}

/** A workflow out of recovery attempts becomes MAX_RECOVERY_ATTEMPTS_EXCEEDED; false if it was not PENDING. */
export async function markRecoveryAttemptsExceeded(
  runner: QueryRunner,
  dialect: Dialect,
  workflowID: string,
  now: number,
): Promise<boolean> {
  const update = `UPDATE ${dialect.table('workflow_status')} SET status = 'MAX_RECOVERY_ATTEMPTS_EXCEEDED',
       deduplication_id = NULL, completed_at = $2, updated_at = $2
     WHERE workflow_uuid = $1 AND status = 'PENDING' RETURNING workflow_uuid`;
  const rows = await runner.query(dialect.notifying(update, [{ channel: outcomeChannel, keyColumn: 'workflow_uuid' }]), [
    workflowID,
    now,
  ]);
  return rows.length > 0;
}
