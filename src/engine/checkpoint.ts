/**
 * Replay-or-record: every durable operation of a workflow goes through here.
 * On replay, the outcome recorded at the operation's function ID is returned
 * (or its error rethrown) without running anything, after checking that the
 * recorded operation has the same name (else the code is not deterministic).
 * On a first run, the outcome is serialized, committed, and only then handed
 * back to the caller.
 *
 * No read happens here: a recovering workflow's outcomes were loaded once,
 * when it resumed (WorkflowState.recorded).
 */
import { DBOSReplayBeyondHistoryError, DBOSUnexpectedStepError } from '../errors/errors.ts';
import type { StepOutcomeRecord } from '../system-database/records.ts';
import { decodeError, decodeValue, encodeError, encodeValue } from './stored-values.ts';
import { reserveFunctionID, type ReplayOnly, type WorkflowState } from './workflow-context.ts';

/** The outcome recorded at `functionID`, checked against the name the replaying code expects. */
export function recordedOutcome(
  workflow: WorkflowState,
  functionID: number,
  name: string,
): StepOutcomeRecord | undefined {
  const recorded = workflow.recorded.get(functionID);
  if (recorded && !sameOperation(name, recorded.functionName)) {
    if (workflow.replayOnly) workflow.replayOnly.mismatch ??= { functionID, expected: name, recorded: recorded.functionName };
    throw new DBOSUnexpectedStepError(workflow.workflowID, functionID, name, recorded.functionName);
  }
  if (!recorded && workflow.replayOnly) throw beyondHistory(workflow, workflow.replayOnly, functionID, name);
  return recorded;
}

/**
 * Earlier durably builds recorded an anonymous `DBOS.runStep` step as 'runStep'; DBOS (and durably now) record ''.
 * Both are the same operation, so workflows left pending across the upgrade still replay.
 */
function sameOperation(expected: string, recorded: string): boolean {
  return expected === recorded || (expected === '' && recorded === 'runStep');
}

/**
 * A replay verification reached an operation its history does not hold: it must not run. The first such
 * point is kept (workflow code may catch the error and go on).
 */
export function beyondHistory(workflow: WorkflowState, replayOnly: ReplayOnly, functionID: number, name: string): Error {
  replayOnly.beyondHistory ??= { functionID, name };
  return new DBOSReplayBeyondHistoryError(workflow.workflowID, functionID, name);
}

/** Return a recorded value, or throw a recorded error. */
export async function replay<T>(recorded: StepOutcomeRecord): Promise<T> {
  if (recorded.error !== null) throw await decodeError(recorded.error, recorded.serialization);
  return decodeValue<T>(recorded.output, recorded.serialization);
}

export interface OperationOutcome {
  startedAtEpochMs: number;
  childWorkflowID?: string | null;
}

/**
 * Record a successful outcome and return the value as replay would give it
 * (a stored-and-read copy), so first runs and replays see the same thing.
 */
export async function recordValue<T>(
  workflow: WorkflowState,
  functionID: number,
  name: string,
  value: T,
  outcome: OperationOutcome,
): Promise<T> {
  // Once shutdown interrupted the engine, an outcome that arrives late is dropped (the operation runs again on recovery).
  workflow.engine.interruptSignal.throwIfAborted();
  const serialized = await encodeValue(value, `the result of "${name}" in workflow ${workflow.workflowID}`);
  await workflow.engine.systemDatabase.recordStepOutcome({
    workflowID: workflow.workflowID,
    functionID,
    functionName: name,
    output: serialized.text,
    error: null,
    childWorkflowID: outcome.childWorkflowID ?? null,
    startedAtEpochMs: outcome.startedAtEpochMs,
    completedAtEpochMs: Date.now(),
    serialization: serialized.serialization,
  });
  return decodeValue<T>(serialized.text, serialized.serialization);
}

export async function recordError(
  workflow: WorkflowState,
  functionID: number,
  name: string,
  error: unknown,
  outcome: OperationOutcome,
): Promise<void> {
  workflow.engine.interruptSignal.throwIfAborted();
  const serialized = await encodeError(error);
  await workflow.engine.systemDatabase.recordStepOutcome({
    workflowID: workflow.workflowID,
    functionID,
    functionName: name,
    output: null,
    error: serialized.text,
    childWorkflowID: outcome.childWorkflowID ?? null,
    startedAtEpochMs: outcome.startedAtEpochMs,
    completedAtEpochMs: Date.now(),
    serialization: serialized.serialization,
  });
}

/**
 * Run `body` once as a recorded operation named `name` of the current
 * workflow: replayed if recorded, else run, its outcome (value or error)
 * recorded. For internal operations such as DBOS.now().
 */
export async function recordedOperation<T>(
  workflow: WorkflowState,
  name: string,
  body: () => Promise<T> | T,
  childWorkflowID: string | null = null,
): Promise<T> {
  const functionID = reserveFunctionID(workflow);
  const recorded = recordedOutcome(workflow, functionID, name);
  if (recorded) return replay<T>(recorded);
  const startedAtEpochMs = Date.now();
  let value: T;
  try {
    value = await body();
  } catch (error) {
    await recordError(workflow, functionID, name, error, { startedAtEpochMs, childWorkflowID });
    throw error;
  }
  return recordValue(workflow, functionID, name, value, { startedAtEpochMs, childWorkflowID });
}

/**
 * The checkpoint row of an operation that records no value of its own and commits beside its own write (a
 * send, a setEvent, a queue change); with `childWorkflowID`, the record of a child workflow started or enqueued.
 */
export function checkpointFor(
  workflow: WorkflowState,
  functionID: number,
  functionName: string,
  startedAtEpochMs: number,
  childWorkflowID: string | null = null,
): StepOutcomeRecord {
  return {
    workflowID: workflow.workflowID,
    functionID,
    functionName,
    output: null,
    error: null,
    childWorkflowID,
    startedAtEpochMs,
    completedAtEpochMs: Date.now(),
    serialization: null,
  };
}
