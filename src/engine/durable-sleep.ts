/**
 * Durable sleep: in workflow code, the wake-up time is recorded before
 * sleeping (as DBOS does: operation `DBOS.sleep`, output the wake-up epoch ms
 * in portable JSON), so a recovered workflow sleeps only what remains.
 * Elsewhere, a plain sleep.
 */
import { DBOSConfigurationError, DBOSWorkflowCancelledError } from '../errors/errors.ts';
import { sleepMs } from '../support/sleep.ts';
import { recordedOutcome } from './checkpoint.ts';
import { wakeOnCancel } from './execution-cancel.ts';
import { portableSerialization } from './serialization.ts';
import { reserveFunctionID, workflowCodeState, type WorkflowState } from './workflow-context.ts';

export const sleepOperationName = 'DBOS.sleep';

export async function durableSleep(durationMs: number): Promise<void> {
  if (!Number.isFinite(durationMs)) {
    throw new DBOSConfigurationError(`A sleep duration must be a finite number of milliseconds, got ${durationMs}.`);
  }
  const workflow = workflowCodeState();
  if (!workflow) return sleepMs(durationMs);
  const wakeAt = await durableDeadline(workflow, reserveFunctionID(workflow), durationMs);
  if (workflow.replayOnly) return; // a replay verification waits for nothing
  // Timers run on a monotonic clock and may fire a little before the wall-clock wake-up time.
  for (let remaining = wakeAt - Date.now(); remaining > 0; remaining = wakeAt - Date.now()) {
    await sleepUnlessCancelled(workflow, remaining);
  }
}

/** Sleeps `ms`, ended early by shutdown (rejects with its reason) or by the workflow's cancellation (throws that). */
async function sleepUnlessCancelled(workflow: WorkflowState, ms: number): Promise<void> {
  const cancelled = new AbortController();
  const stopWaking = wakeOnCancel(workflow, () => cancelled.abort());
  const signal = AbortSignal.any([workflow.engine.interruptSignal, cancelled.signal]);
  try {
    await sleepMs(ms, signal);
  } catch (error) {
    if (workflow.engine.interruptSignal.aborted || !cancelled.signal.aborted) throw error;
    throw new DBOSWorkflowCancelledError(workflow.workflowID);
  } finally {
    stopWaking();
  }
}

/**
 * The wake-up time recorded at `functionID`, or now + `durationMs`, recorded
 * there first. Sleeps and the timeouts of recv/getEvent use it, so a
 * recovered workflow waits only what remains.
 */
export async function durableDeadline(workflow: WorkflowState, functionID: number, durationMs: number): Promise<number> {
  const recorded = recordedOutcome(workflow, functionID, sleepOperationName);
  if (recorded) return Number(JSON.parse(recorded.output ?? '0'));
  workflow.engine.interruptSignal.throwIfAborted();
  const now = Date.now();
  const wakeAt = now + Math.max(0, Math.ceil(durationMs));
  await workflow.engine.systemDatabase.recordStepOutcome({
    workflowID: workflow.workflowID,
    functionID,
    functionName: sleepOperationName,
    output: JSON.stringify(wakeAt),
    error: null,
    childWorkflowID: null,
    startedAtEpochMs: now,
    completedAtEpochMs: wakeAt,
    serialization: portableSerialization,
  });
  return wakeAt;
}
