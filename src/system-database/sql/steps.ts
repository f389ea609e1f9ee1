/** SQL for operation_outputs: the checkpoint log of each workflow's operations. */
import { DBOSWorkflowConflictError } from '../../errors/errors.ts';
import type { QueryRunner, Row, SqlValue } from '../connection.ts';
import type { Dialect } from '../dialect.ts';
import type { StepOutcomeRecord } from '../records.ts';
import { valuesChunks } from './multi-row.ts';
import { nullableString } from './row-values.ts';

export function stepKey(workflowID: string, functionID: number): string {
  return `${functionID}:${workflowID}`;
}

/**
 * Insert outcome rows; returns the keys inserted. A row already present means
 * another execution recorded that operation first: the caller lost the race.
 */
export async function insertStepOutcomes(
  tx: QueryRunner,
  dialect: Dialect,
  outcomes: readonly StepOutcomeRecord[],
): Promise<Set<string>> {
  const inserted = new Set<string>();
  const chunks = valuesChunks(dialect, outcomes, (o) => [
    o.workflowID,
    o.functionID,
    o.functionName,
    o.output,
    o.error,
    o.childWorkflowID,
    o.startedAtEpochMs,
    o.completedAtEpochMs,
    o.serialization,
  ]);
  for (const chunk of chunks) {
    const rows = await tx.query<{ workflow_uuid: string; function_id: number }>(
      `INSERT INTO ${dialect.table('operation_outputs')} (workflow_uuid, function_id, function_name, output, error,
         child_workflow_id, started_at_epoch_ms, completed_at_epoch_ms, serialization)
       VALUES ${chunk.valuesSql}
       ON CONFLICT (workflow_uuid, function_id) DO NOTHING RETURNING workflow_uuid, function_id`,
      chunk.params,
    );
    for (const row of rows) inserted.add(stepKey(row.workflow_uuid, Number(row.function_id)));
  }
  return inserted;
}

/**
 * One operation's checkpoint as a plain INSERT (no ON CONFLICT): a row already there fails it with the key's
 * unique violation. For a connection that sends it together with its COMMIT, so that a conflict commits nothing.
 */
export function insertStepOutcomeStatement(dialect: Dialect, o: StepOutcomeRecord): { sql: string; params: SqlValue[] } {
  return {
    sql: `INSERT INTO ${dialect.table('operation_outputs')} (workflow_uuid, function_id, function_name, output, error,
         child_workflow_id, started_at_epoch_ms, completed_at_epoch_ms, serialization)
       VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)`,
    params: [o.workflowID, o.functionID, o.functionName, o.output, o.error, o.childWorkflowID, o.startedAtEpochMs, o.completedAtEpochMs, o.serialization],
  };
}

export async function selectStepOutcomes(
  runner: QueryRunner,
  dialect: Dialect,
  workflowID: string,
  functionID?: number,
): Promise<StepOutcomeRecord[]> {
  const rows = await runner.query(
    `SELECT function_id, function_name, output, error, child_workflow_id, started_at_epoch_ms,
       completed_at_epoch_ms, serialization
     FROM ${dialect.table('operation_outputs')}
     WHERE workflow_uuid = $1 ${functionID === undefined ? '' : 'AND function_id = $2'} ORDER BY function_id`,
    functionID === undefined ? [workflowID] : [workflowID, functionID],
  );
  return rows.map((row) => stepOutcomeFromRow(workflowID, row));
}

/** The recorded operations of many workflows in one query (recovery of a batch), each list in function-ID order. */
export async function selectStepOutcomesOf(
  runner: QueryRunner,
  dialect: Dialect,
  workflowIDs: readonly string[],
): Promise<Map<string, StepOutcomeRecord[]>> {
  const outcomes = new Map<string, StepOutcomeRecord[]>(workflowIDs.map((id) => [id, []]));
  if (workflowIDs.length === 0) return outcomes;
  const rows = await runner.query(
    `SELECT workflow_uuid, function_id, function_name, output, error, child_workflow_id, started_at_epoch_ms,
       completed_at_epoch_ms, serialization
     FROM ${dialect.table('operation_outputs')}
     WHERE workflow_uuid IN (${workflowIDs.map((_, i) => `$${i + 1}`).join(', ')}) ORDER BY workflow_uuid, function_id`,
    workflowIDs,
  );
  for (const row of rows) {
    const workflowID = String(row.workflow_uuid);
    outcomes.get(workflowID)?.push(stepOutcomeFromRow(workflowID, row));
  }
  return outcomes;
}

/** Record one operation's outcome inside a caller's transaction, beside the write it checkpoints. */
/**
 * Insert a checkpoint written in the same transaction as its effect (a send, an event). A row already there is
 * a conflict with another execution, unless it is this very record: an earlier attempt of this transaction
 * committed, and its answer was lost with its connection; then the retry (whose other writes are idempotent)
 * commits nothing new and succeeds, rather than failing the workflow on its own checkpoint.
 */
export async function insertStepOutcomeOrConflict(tx: QueryRunner, dialect: Dialect, outcome: StepOutcomeRecord): Promise<void> {
  const inserted = await insertStepOutcomes(tx, dialect, [outcome]);
  if (inserted.has(stepKey(outcome.workflowID, outcome.functionID))) return;
  const [existing] = await selectStepOutcomes(tx, dialect, outcome.workflowID, outcome.functionID);
  if (existing && isSameAttempt(existing, outcome) && existing.output === outcome.output && existing.error === outcome.error) return;
  throw new DBOSWorkflowConflictError(outcome.workflowID);
}

/** The recorded checkpoint was written by the same attempt of the same operation (its times are that attempt's). */
export function isSameAttempt(recorded: StepOutcomeRecord, attempt: StepOutcomeRecord): boolean {
  return (
    recorded.functionName === attempt.functionName &&
    recorded.startedAtEpochMs === attempt.startedAtEpochMs &&
    recorded.completedAtEpochMs === attempt.completedAtEpochMs
  );
}

/** A page of a workflow's recorded operations, in function-ID order (listWorkflowSteps). */
export async function selectStepOutcomePage(
  runner: QueryRunner,
  dialect: Dialect,
  workflowID: string,
  limit: number | undefined,
  offset: number | undefined,
): Promise<StepOutcomeRecord[]> {
  // SQLite takes OFFSET only after a LIMIT; this one means "no limit" on both backends.
  const rows = await runner.query(
    `SELECT function_id, function_name, output, error, child_workflow_id, started_at_epoch_ms,
       completed_at_epoch_ms, serialization
     FROM ${dialect.table('operation_outputs')} WHERE workflow_uuid = $1 ORDER BY function_id LIMIT $2 OFFSET $3`,
    [workflowID, limit ?? Number.MAX_SAFE_INTEGER, offset ?? 0],
  );
  return rows.map((row) => stepOutcomeFromRow(workflowID, row));
}

function stepOutcomeFromRow(workflowID: string, row: Row): StepOutcomeRecord {
  return {
    workflowID,
    functionID: Number(row.function_id),
    functionName: String(row.function_name ?? ''),
    output: nullableString(row.output),
    error: nullableString(row.error),
    childWorkflowID: nullableString(row.child_workflow_id),
    startedAtEpochMs: Number(row.started_at_epoch_ms ?? 0),
    completedAtEpochMs: Number(row.completed_at_epoch_ms ?? 0),
    serialization: nullableString(row.serialization),
  };
}
