/**
 * A workflow executing here, as cancellation reaches it (DBOS.cancelWorkflow, its deadline, another process's
 * cancel seen by the cancellation watcher). Its next durable operation throws; and its waits that are already
 * under way, a durable sleep or a recv/getEvent, end at once, so a workflow cancelled (or timed out) during
 * an hour's sleep stops now and its callers learn it now, not when the sleep would have ended.
 */

/** What the engine tracks of a workflow executing here (its full state lives in workflow-context.ts). */
export interface RunningWorkflowState {
  readonly workflowID: string;
  /** Set when the workflow is cancelled (or times out): its next durable operation throws. */
  cancelled: boolean;
  /** Its waits under way, woken by the cancellation. */
  cancelWakers?: Set<() => void>;
}

export function markExecutionCancelled(state: RunningWorkflowState): void {
  if (state.cancelled) return;
  state.cancelled = true;
  const wakers = state.cancelWakers;
  state.cancelWakers = undefined;
  wakers?.forEach((wake) => wake());
}

/** Calls `wake` when the execution is cancelled; returns the unsubscribe. A cancelled execution wakes at once. */
export function wakeOnCancel(state: RunningWorkflowState, wake: () => void): () => void {
  if (state.cancelled) {
    wake();
    return () => undefined;
  }
  const wakers = (state.cancelWakers ??= new Set());
  wakers.add(wake);
  return () => state.cancelWakers?.delete(wake);
}
