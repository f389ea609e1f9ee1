/**
 * Replay verification: run a workflow's body again, under the code registered
 * now, against its recorded history, executing nothing. Every operation the
 * code reaches must be in the history under the same name (its recorded
 * outcome is replayed, so no step runs and nothing is written). The first
 * place where code and history part is the divergence:
 *
 * - another operation recorded at that function ID (a renamed, added or
 *   reordered step);
 * - an operation the code calls beyond the end of a finished workflow's
 *   history, or a recorded operation the code no longer reaches;
 * - the same operations, but another result than the recorded one.
 *
 * A workflow still PENDING (or ENQUEUED, CANCELLED...) has a history that
 * simply ends: the replay stops there, and what it replayed is the verdict.
 * It needs only an Engine's system database and registry: the CLI builds one
 * without launching anything, so no workflow of the database is run.
 */
import { isDeepStrictEqual } from 'node:util';
import { DBOSNonExistentWorkflowError, DBOSReplayBeyondHistoryError } from '../errors/errors.ts';
import type { WorkflowStatusRecord } from '../system-database/records.ts';
import type { Engine } from './engine.ts';
import type { RegisteredWorkflow } from './registry.ts';
import { portableSerialization } from './serialization.ts';
import { parseStoredRequest } from './stored-request.ts';
import { parseStoredRoles } from './stored-roles.ts';
import { decodeError, decodeValue, decodeWorkflowInputs, encodeValue, storageFormat } from './stored-values.ts';
import { runInContext, type ReplayOnly, type WorkflowState } from './workflow-context.ts';
import { receiverForRecorded } from './workflow-receiver.ts';

export type ReplayDivergenceKind =
  | 'not-registered'
  | 'operation-differs'
  | 'operation-added'
  | 'operation-removed'
  | 'result-differs'
  | 'replay-failed';

export interface ReplayDivergence {
  kind: ReplayDivergenceKind;
  /** The operation (function ID) where code and history part; undefined for the result or a missing registration. */
  functionID?: number;
  /** What the code now calls there (undefined: the code no longer reaches it). */
  expected?: string;
  /** What the history recorded there (undefined: the history holds nothing there). */
  recorded?: string;
  message: string;
}

export interface ReplayReport {
  workflowID: string;
  workflowName: string;
  /** The workflow's status when it was replayed. */
  status: string;
  /** No divergence. */
  ok: boolean;
  /** Operations of the history the code replayed. */
  replayedOperations: number;
  /** Operations recorded in the history. */
  recordedOperations: number;
  divergence?: ReplayDivergence;
}

const finishedStatuses = new Set(['SUCCESS', 'ERROR']);

/**
 * How long the replayed body may run: it only replays recorded outcomes, so it finishes at once unless the
 * workflow code awaits something that is not a durable operation (then the replay is reported as failed).
 */
export const defaultReplayTimeoutMs = 10_000;

export async function verifyWorkflowReplay(engine: Engine, workflowID: string, timeoutMs = defaultReplayTimeoutMs): Promise<ReplayReport> {
  const status = await engine.systemDatabase.getWorkflowStatus(workflowID);
  if (!status) throw new DBOSNonExistentWorkflowError(`Workflow ${workflowID} does not exist: nothing to replay.`);
  const recorded = await engine.systemDatabase.loadStepOutcomes(workflowID);
  const report = (replayed: number, divergence?: ReplayDivergence): ReplayReport => ({
    workflowID,
    workflowName: status.workflowName,
    status: status.status,
    ok: divergence === undefined,
    replayedOperations: replayed,
    recordedOperations: recorded.length,
    ...(divergence ? { divergence } : {}),
  });
  const registration = engine.registry.findWorkflow(status.className, status.workflowName);
  if (!registration) {
    const message = `Workflow "${status.workflowName}"${status.className ? ` of class ${status.className}` : ''} is not registered by this code.`;
    return report(0, { kind: 'not-registered', message });
  }
  const replayOnly: ReplayOnly = {};
  const state: WorkflowState = {
    engine,
    workflowID,
    workflowName: registration.name,
    deadlineEpochMs: null,
    recorded: new Map(recorded.map((r) => [r.functionID, r])),
    firstExecution: false,
    nextFunctionID: 0,
    cancelled: false,
    replayOnly,
    serialization: status.serialization === portableSerialization ? 'portable' : registration.config.serialization,
  };
  const outcome = await withTimeout(replayBody(registration, status, state), timeoutMs);
  if (outcome === undefined) {
    const message = `The replay did not finish within ${timeoutMs} ms: the workflow code awaits something that is not a durable operation.`;
    return report(recorded.filter((r) => r.functionID < state.nextFunctionID).length, { kind: 'replay-failed', message });
  }
  const replayedUpTo = replayOnly.mismatch?.functionID ?? state.nextFunctionID;
  const replayed = recorded.filter((r) => r.functionID < replayedUpTo).length;
  return report(replayed, await divergenceOf(status, state, replayOnly, outcome));
}

type Outcome = { ok: true; value: unknown } | { ok: false; error: unknown };

async function replayBody(registration: RegisteredWorkflow, status: WorkflowStatusRecord, state: WorkflowState): Promise<Outcome> {
  try {
    const thisArg = receiverForRecorded(state.engine.registry, registration, status.configName);
    const args = await decodeWorkflowInputs(status.inputs, status.serialization);
    const context = {
      workflow: state,
      authenticatedUser: status.authenticatedUser ?? undefined,
      authenticatedRoles: parseStoredRoles(status.authenticatedRoles) ?? [],
      assumedRole: status.assumedRole || undefined,
      request: parseStoredRequest(status.request),
    };
    const value = await runInContext(context, () => registration.body.apply(thisArg, args));
    return { ok: true, value };
  } catch (error) {
    return { ok: false, error };
  }
}

async function withTimeout<T>(work: Promise<T>, timeoutMs: number): Promise<T | undefined> {
  let timer: NodeJS.Timeout | undefined;
  const expired = new Promise<undefined>((resolve) => {
    timer = setTimeout(() => resolve(undefined), timeoutMs);
  });
  try {
    return await Promise.race([work, expired]);
  } finally {
    clearTimeout(timer);
  }
}

async function divergenceOf(
  status: WorkflowStatusRecord,
  state: WorkflowState,
  replayOnly: ReplayOnly,
  outcome: Outcome,
): Promise<ReplayDivergence | undefined> {
  const { mismatch, beyondHistory } = replayOnly;
  const finished = finishedStatuses.has(status.status);
  if (mismatch && (!beyondHistory || mismatch.functionID <= beyondHistory.functionID)) {
    return {
      kind: 'operation-differs',
      ...mismatch,
      message: `Operation #${mismatch.functionID}: the code calls "${mismatch.expected}", the history recorded "${mismatch.recorded}".`,
    };
  }
  if (beyondHistory) {
    if (!finished) return undefined; // the history of an unfinished workflow ends here: the rest is still to run
    return {
      kind: 'operation-added',
      functionID: beyondHistory.functionID,
      expected: beyondHistory.name,
      message:
        `Operation #${beyondHistory.functionID}: the code calls "${beyondHistory.name}", which the recorded run ` +
        `(${status.status}) never called there.`,
    };
  }
  if (!outcome.ok && !finished && !(outcome.error instanceof DBOSReplayBeyondHistoryError)) {
    return { kind: 'replay-failed', message: `The replay threw: ${describe(outcome.error)}` };
  }
  if (!finished) return undefined;
  const unused = [...state.recorded.values()].filter((r) => r.functionID >= state.nextFunctionID);
  if (unused.length > 0) {
    const first = unused.reduce((a, b) => (a.functionID <= b.functionID ? a : b));
    return {
      kind: 'operation-removed',
      functionID: first.functionID,
      recorded: first.functionName,
      message: `Operation #${first.functionID}: the history recorded "${first.functionName}", which the code no longer calls.`,
    };
  }
  return resultDivergence(status, state, outcome);
}

async function resultDivergence(status: WorkflowStatusRecord, state: WorkflowState, outcome: Outcome): Promise<ReplayDivergence | undefined> {
  const differs = (message: string): ReplayDivergence => ({ kind: 'result-differs', message });
  if (status.status === 'SUCCESS') {
    if (!outcome.ok) return differs(`The recorded run returned a value; the replay threw: ${describe(outcome.error)}`);
    const recordedValue = await decodeValue(status.output, status.serialization);
    const format = storageFormat(state.serialization, 'The workflow serialization');
    const stored = await encodeValue(outcome.value, 'the replayed result', format).catch(() => undefined);
    const replayedValue = stored ? await decodeValue(stored.text, stored.serialization) : outcome.value;
    if (isDeepStrictEqual(replayedValue, recordedValue)) return undefined;
    return differs(`The replay returned ${preview(replayedValue)}; the recorded run returned ${preview(recordedValue)}.`);
  }
  if (outcome.ok) return differs(`The recorded run threw; the replay returned ${preview(outcome.value)}.`);
  const recordedError = await decodeError(status.error ?? '', status.serialization).catch(() => undefined);
  const replayedError = outcome.error as Error;
  if (!recordedError || (recordedError.name === replayedError?.name && recordedError.message === replayedError?.message)) return undefined;
  return differs(`The replay threw ${describe(replayedError)}; the recorded run threw ${describe(recordedError)}.`);
}

function describe(error: unknown): string {
  return error instanceof Error ? `${error.name}: ${error.message}` : String(error);
}

function preview(value: unknown): string {
  let text: string;
  try {
    text = JSON.stringify(value) ?? String(value);
  } catch {
    text = String(value);
  }
  return text.length > 200 ? `${text.slice(0, 200)}…` : text;
}
