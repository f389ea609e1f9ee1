/**
 * Steps: run a function once per workflow execution history. Outside a
 * workflow (or inside another step) a step is just a call. Inside workflow
 * code, its outcome is replayed if recorded; otherwise it runs, with retries
 * and per-attempt timeouts as configured, and its outcome is committed before
 * the caller continues. A step that crashes mid-way has no record and runs
 * again on recovery: steps run at least once, are recorded exactly once.
 */
import { DBOSMaxStepRetriesError, DBOSStepTimeoutError, DBOSWorkflowCancelledError } from '../errors/errors.ts';
import type { StepConfig } from '../types/workflow-types.ts';
import { sleepMs } from '../support/sleep.ts';
import type { Span } from '../telemetry/tracing.ts';
import { withActiveSpan } from '../telemetry/tracing.ts';
import { recordError, recordedOutcome, recordValue } from './checkpoint.ts';
import { operationProbe } from './operation-probe.ts';
import { delayBeforeAttemptMs, retryPolicy, type RetryPolicy } from './retry-policy.ts';
import { replayTraced, startOperationSpan, traceFailedAttempt } from './workflow-spans.ts';
import {
  currentContext,
  reserveFunctionID,
  runInContext,
  type ExecutionContext,
  type StepState,
  type WorkflowState,
} from './workflow-context.ts';

export async function runStep<T>(
  name: string,
  config: StepConfig,
  body: () => Promise<T> | T,
): Promise<T> {
  const context = currentContext();
  // Inside a step or a transaction, a step is a plain call (its enclosing operation is what is recorded).
  const workflow = context.step || context.transaction ? undefined : context.workflow;
  if (!workflow) return body();
  const policy = retryPolicy(config, name);
  const functionID = reserveFunctionID(workflow);
  const recorded = recordedOutcome(workflow, functionID, name);
  if (recorded) return replayTraced<T>(context, workflow, 'step', name, recorded);

  const startedAtEpochMs = Date.now();
  const step: StepState = { functionID, name, currentAttempt: 0, maxAttempts: policy.maxAttempts };
  const span = startOperationSpan(context, workflow, 'step', name, config);
  const stepContext: ExecutionContext = span ? { ...context, step, span } : { ...context, step };
  const interrupt = workflow.engine.interruptSignal;
  operationProbe?.stepStarting(workflow, functionID, name);
  let value: T;
  try {
    // After shutdown interrupted the engine, a body still running is abandoned: recordValue/recordError refuse
    // its outcome (no per-step listener on the hot path; the body's own timers are the user's).
    value = await attemptWithRetries(workflow, step, stepContext, policy, config, body, interrupt, span);
  } catch (error) {
    const metrics = workflow.engine.metrics;
    if (stoppedBetweenAttempts.has(error as object)) {
      // The workflow's cancellation, not the step's outcome: nothing is recorded, so a resume runs the step again.
      if (span) workflow.engine.tracer.endSpan(span, error);
      throw error;
    }
    if (metrics.enabled) metrics.stepFinished(name, false, Date.now() - startedAtEpochMs, step.currentAttempt);
    operationProbe?.stepFinished(workflow, functionID, name);
    try {
      await recordError(workflow, functionID, name, error, { startedAtEpochMs });
    } finally {
      if (span) workflow.engine.tracer.endSpan(span, error);
    }
    throw error;
  }
  const metrics = workflow.engine.metrics;
  if (metrics.enabled) metrics.stepFinished(name, true, Date.now() - startedAtEpochMs, step.currentAttempt);
  operationProbe?.stepFinished(workflow, functionID, name);
  if (!span) return recordValue(workflow, functionID, name, value, { startedAtEpochMs });
  return endAfter(workflow.engine.tracer, span, recordValue(workflow, functionID, name, value, { startedAtEpochMs }));
}

/** End `span` when `recording` settles: OK, or ERROR if the outcome could not be recorded. */
async function endAfter<T>(tracer: { endSpan(span: Span, error?: unknown): void }, span: Span, recording: Promise<T>): Promise<T> {
  try {
    const value = await recording;
    tracer.endSpan(span);
    return value;
  } catch (error) {
    tracer.endSpan(span, error);
    throw error;
  }
}

/** Cancellations raised between attempts (below), told apart from the step's own errors so they are not recorded. */
const stoppedBetweenAttempts = new WeakSet<object>();

/**
 * Before each retry, as DBOS does: a workflow cancelled, or past its deadline, makes no more attempts. The
 * wait before a retry ends at the deadline, so a deadline that falls inside it stops the step on time.
 */
async function waitBeforeRetry(workflow: WorkflowState, delayMs: number, interrupt: AbortSignal): Promise<void> {
  throwIfStopped(workflow);
  const untilDeadline = workflow.deadlineEpochMs === null ? delayMs : workflow.deadlineEpochMs - Date.now();
  await sleepMs(Math.max(0, Math.min(delayMs, untilDeadline)), interrupt);
  // A wait cut short by the deadline ended at it, even if the timer fired a millisecond early by Date.now().
  throwIfStopped(workflow, workflow.deadlineEpochMs !== null && untilDeadline <= delayMs);
}

function throwIfStopped(workflow: WorkflowState, deadlineReached = false): void {
  const pastDeadline = deadlineReached || (workflow.deadlineEpochMs !== null && Date.now() >= workflow.deadlineEpochMs);
  if (!workflow.cancelled && !pastDeadline) return;
  const error = new DBOSWorkflowCancelledError(workflow.workflowID);
  stoppedBetweenAttempts.add(error);
  throw error;
}

async function attemptWithRetries<T>(
  workflow: WorkflowState,
  step: StepState,
  context: ExecutionContext,
  policy: RetryPolicy,
  config: StepConfig,
  body: () => Promise<T> | T,
  interrupt: AbortSignal,
  span: Span | undefined,
): Promise<T> {
  const errors: Error[] = [];
  const attemptBody = () => attemptOnce(step, config, body, interrupt);
  // With a span, the body runs with it active, so the application's own instrumentation nests under the step.
  const run = span ? () => withActiveSpan(span, attemptBody) : attemptBody;
  for (let attempt = 1; ; attempt++) {
    step.currentAttempt = attempt;
    try {
      return await runInContext(context, run);
    } catch (error) {
      if (policy.maxAttempts === 1) throw error;
      interrupt.throwIfAborted();
      errors.push(error instanceof Error ? error : new Error(String(error)));
      const delayMs = delayBeforeAttemptMs(policy, attempt + 1);
      traceFailedAttempt(span, attempt, error, delayMs / 1000);
      if (config.shouldRetry && !(await config.shouldRetry(error))) throw error;
      if (attempt >= policy.maxAttempts) throw new DBOSMaxStepRetriesError(step.name, policy.maxAttempts, errors);
      await waitBeforeRetry(workflow, delayMs, interrupt);
    }
  }
}

async function attemptOnce<T>(
  step: StepState,
  config: StepConfig,
  body: () => Promise<T> | T,
  interrupt: AbortSignal,
): Promise<T> {
  const timeoutMS = config.timeoutMS;
  if (timeoutMS === undefined) return body();
  const controller = new AbortController();
  step.timeoutSignal = controller.signal;
  let timer: NodeJS.Timeout | undefined;
  const expired = new Promise<never>((_, reject) => {
    timer = setTimeout(() => {
      const error = new DBOSStepTimeoutError(step.name, timeoutMS);
      controller.abort(error);
      reject(error);
    }, timeoutMS);
  });
  // Shutdown clears the timeout at once (a step left running must not keep the process alive).
  const disarm = (): void => clearTimeout(timer);
  interrupt.addEventListener('abort', disarm, { once: true });
  try {
    return await Promise.race([Promise.resolve().then(body), expired]);
  } finally {
    interrupt.removeEventListener('abort', disarm);
    disarm();
  }
}
