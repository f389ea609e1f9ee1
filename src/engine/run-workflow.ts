/**
 * Executing a workflow body that this process owns (it inserted the row, or
 * recovery claimed it): run it in a fresh workflow context, then record its
 * final outcome, which succeeds only while the row is still PENDING. If
 * another execution owns the outcome (it recorded a step first, or the row
 * changed under us), this run stands down and adopts the recorded outcome.
 */
import type { HTTPRequest } from '../types/workflow-types.ts';
import {
  DBOSAwaitedWorkflowCancelledError,
  DBOSMaxRecoveryAttemptsExceededError,
  DBOSSerializationError,
  DBOSShutdownInterruptError,
  DBOSWorkflowCancelledError,
  DBOSWorkflowConflictError,
} from '../errors/errors.ts';
import type { StepOutcomeRecord, WorkflowOutcomeRecord } from '../system-database/records.ts';
import { awaitFinalStatus, outcomeOf, timedOut } from './await-outcome.ts';
import type { Engine } from './engine.ts';
import { operationProbe } from './operation-probe.ts';
import { defaultMaxRecoveryAttempts, type RegisteredWorkflow } from './registry.ts';
import { validatedArguments } from './input-schema.ts';
import { portableSerialization } from './serialization.ts';
import { decodeError, decodeValue, encodeError, encodeValue, storageFormat, type StorageFormat } from './stored-values.ts';
import { runInContext, type ExecutionContext, type WorkflowState } from './workflow-context.ts';
import { withActiveSpan, type Context, type Span } from '../telemetry/tracing.ts';
import type { WorkflowMetrics } from '../telemetry/workflow-metrics.ts';
import { endWorkflowSpan, startWorkflowSpan, storedTraceParent } from './workflow-spans.ts';
import { isRetriableDatabaseFault } from './database-faults.ts';

export interface WorkflowExecution {
  workflowID: string;
  registration: RegisteredWorkflow;
  thisArg: unknown;
  /** Or how to read them: stored inputs that cannot be read make the workflow fail with that error (recorded). */
  args: unknown[] | (() => Promise<unknown[]>);
  deadlineEpochMs: number | null;
  recorded: StepOutcomeRecord[];
  /** This execution inserted the workflow's status row just now: no earlier execution can have written anything. */
  firstExecution?: boolean;
  /**
   * The format its stored inputs were written in. A row holds one format: a workflow enqueued with portable
   * inputs (by another language, or enqueueWorkflowWithOptionsPortable) records its outcome portably too.
   */
  inputsSerialization?: string | null;
  /** The queue it was dequeued from, if any. */
  queueName: string | null;
  authenticatedUser?: string;
  authenticatedRoles?: readonly string[];
  assumedRole?: string;
  request?: HTTPRequest;
  /** Tracing, started here: the parent of its workflow span, or the span itself when the start already began it. */
  traceParent?: Context;
  workflowSpan?: Span;
  /** Tracing, dequeued or recovered: the stored traceparent its workflow span continues. */
  storedTraceContext?: string | null;
}

export function executeWorkflow(engine: Engine, execution: WorkflowExecution): Promise<unknown> {
  // Started from workflow code, the execution must not run in its starter's context: the waits around the body
  // (adopting a recorded outcome) would see the parent's cancellation and fail with the parent's error.
  const previous = engine.states.get(execution.workflowID);
  const superseded = previous?.cancelled ? engine.running.get(execution.workflowID) : undefined;
  const span = workflowSpanFor(engine, execution);
  const body = runInContext({}, () => runBody(engine, execution, superseded !== undefined, span));
  // A span that records nothing (sampled out, or the API's no-op span) is not ended: ending it does nothing.
  const run = span?.isRecording() ? endWorkflowSpan(engine.tracer, span, body) : body;
  if (engine.metrics.enabled) measureWorkflow(engine.metrics, execution, run);
  engine.track(execution.workflowID, run);
  run.catch((error: unknown) => {
    if (isRetriableDatabaseFault(error)) engine.onDatabaseFault(execution.workflowID, error);
  });
  return run;
}

/** Count the execution's start, and its end by status (an interruption by shutdown leaves it PENDING: not counted). */
function measureWorkflow(metrics: WorkflowMetrics, execution: WorkflowExecution, run: Promise<unknown>): void {
  const name = execution.registration.name;
  const startedAt = Date.now();
  metrics.workflowStarted(name, execution.queueName);
  run.then(
    () => metrics.workflowFinished(name, 'SUCCESS', Date.now() - startedAt),
    (error: unknown) => {
      if (error instanceof DBOSShutdownInterruptError) return;
      const status = error instanceof DBOSWorkflowCancelledError ? 'CANCELLED' : 'ERROR';
      metrics.workflowFinished(name, status, Date.now() - startedAt);
    },
  );
}

/**
 * How many times an execution that superseded a cancelled one starts over (below) before it stands down:
 * each start-over answers one late write of the cancelled execution, which stops at its next operation.
 */
const maxStartOvers = 100;

/**
 * Run the body to its recorded outcome. `supersedes`: a cancelled execution of this workflow was still running
 * here when this one started (cancelled, then resumed). Its write in flight may commit after this execution
 * loaded the recorded outcomes, and then wins the race for a function ID. That execution will not go on (it is
 * cancelled), so standing down to wait for it would leave the workflow PENDING forever: this execution starts
 * over instead, replaying what is recorded now, that late write included.
 */
async function runBody(engine: Engine, execution: WorkflowExecution, supersedes: boolean, span: Span | undefined): Promise<unknown> {
  for (let startOvers = 0; ; startOvers++) {
    const outcome = await runOnce(engine, execution, supersedes && startOvers < maxStartOvers, span);
    if (outcome !== startOver) return outcome;
    execution = { ...execution, firstExecution: false, recorded: await engine.systemDatabase.loadStepOutcomes(execution.workflowID) };
  }
}

/** The span of this execution (one for all its start-overs); undefined when tracing is off. */
function workflowSpanFor(engine: Engine, execution: WorkflowExecution): Span | undefined {
  if (!engine.tracer.enabled) return undefined;
  if (execution.workflowSpan) return execution.workflowSpan;
  const { parent, links } = execution.traceParent ? { parent: execution.traceParent, links: undefined } : storedTraceParent(execution.storedTraceContext);
  const facts = {
    workflowID: execution.workflowID,
    workflowName: execution.registration.name,
    queueName: execution.queueName,
    authenticatedUser: execution.authenticatedUser,
    authenticatedRoles: execution.authenticatedRoles,
    assumedRole: execution.assumedRole,
  };
  return startWorkflowSpan(engine.tracer, facts, parent, links);
}

async function runOnce(engine: Engine, execution: WorkflowExecution, mayStartOver: boolean, span: Span | undefined): Promise<unknown> {
  const { workflowID, registration } = execution;
  const state: WorkflowState = {
    engine,
    workflowID,
    workflowName: registration.name,
    deadlineEpochMs: execution.deadlineEpochMs,
    recorded: new Map(execution.recorded.map((r) => [r.functionID, r])),
    firstExecution: execution.firstExecution === true,
    nextFunctionID: 0,
    cancelled: false,
    serialization: execution.inputsSerialization === portableSerialization ? 'portable' : registration.config.serialization,
  };
  const context: ExecutionContext = {
    workflow: state,
    authenticatedUser: execution.authenticatedUser,
    authenticatedRoles: execution.authenticatedRoles,
    assumedRole: execution.assumedRole,
    request: execution.request,
    span,
  };
  // A workflow handed over after shutdown interrupted the engine does not start (it stays PENDING).
  engine.interruptSignal.throwIfAborted();
  engine.states.set(workflowID, state);
  const disarmDeadline = armDeadline(engine, state);
  try {
    return await runAndRecord(engine, execution, context, mayStartOver);
  } finally {
    disarmDeadline();
    if (engine.states.get(workflowID) === state) engine.states.delete(workflowID);
  }
}

/**
 * At its deadline, a workflow is cancelled like any other (it stops at its next
 * operation). Returns the disarm function; shutdown disarms it too, so a
 * workflow left blocked in its own code keeps no timer of ours alive.
 */
function armDeadline(engine: Engine, state: WorkflowState): () => void {
  if (state.deadlineEpochMs === null) return () => undefined;
  let timer: NodeJS.Timeout | undefined;
  const disarm = (): void => {
    clearTimeout(timer);
    engine.interruptSignal.removeEventListener('abort', disarm);
  };
  engine.interruptSignal.addEventListener('abort', disarm, { once: true });
  const cancel = (): void => {
    // Timers may fire a little early (libuv's cached loop time): wait out the rest.
    const early = (state.deadlineEpochMs ?? 0) - Date.now();
    if (early > 0) {
      timer = setTimeout(cancel, early);
      return;
    }
    engine.systemDatabase
      .cancelWorkflows([state.workflowID], false, Date.now())
      .then(() => engine.markCancelled([state.workflowID]))
      .catch((error) => engine.logger.warn(`Could not cancel workflow ${state.workflowID} at its deadline: ${(error as Error).message}`));
  };
  timer = setTimeout(cancel, Math.max(0, Math.min(state.deadlineEpochMs - Date.now(), 2 ** 31 - 1)));
  return disarm;
}

const startOver = Symbol('start over');

async function runAndRecord(
  engine: Engine,
  execution: WorkflowExecution,
  context: ExecutionContext,
  mayStartOver: boolean,
): Promise<unknown> {
  const { workflowID, registration } = execution;
  let outcome: Outcome;
  try {
    const args = typeof execution.args === 'function' ? await execution.args() : execution.args;
    const callBody = registration.config.inputSchema
      ? async () => registration.body.apply(execution.thisArg, await validatedArguments(registration, args))
      : () => registration.body.apply(execution.thisArg, args);
    // With a span, the body runs with it active, so the application's own instrumentation nests under the workflow.
    const span = context.span;
    const value = await runInContext(context, span ? () => withActiveSpan(span, callBody) : callBody);
    outcome = { ok: true, value };
  } catch (error) {
    // Another execution recorded a step first, or this workflow was cancelled (the cancel wrote
    // its status, and a resume may have started it again since): record nothing, adopt the outcome.
    const ownConflict = error instanceof DBOSWorkflowConflictError && error.workflowID === workflowID;
    const ownCancellation = error instanceof DBOSWorkflowCancelledError && error.workflowID === workflowID;
    if (ownConflict && mayStartOver && !context.workflow?.cancelled) return startOver;
    if (ownConflict || ownCancellation) return adoptRecordedOutcome(engine, execution);
    // The database failed, not the workflow: record nothing, stay PENDING, resume when it clears.
    if (isRetriableDatabaseFault(error)) throw error;
    outcome = { ok: false, error: awaitedAsSuch(error) };
  }
  if (operationProbe && context.workflow) operationProbe.outcomeRecording(context.workflow);
  // Interrupted by shutdown (even if the workflow code caught the interruption): record nothing, stay PENDING.
  engine.interruptSignal.throwIfAborted();
  const final = await finalRecord(execution, outcome);
  const owned = await engine.systemDatabase.recordWorkflowOutcome(final.record);
  if (!owned) return adoptRecordedOutcome(engine, execution);
  if (!final.outcome.ok) throw final.outcome.error;
  return final.outcome.value;
}

/**
 * Another workflow's cancellation (a child this one awaited, cancelled or timed out) fails this workflow with
 * DBOSAwaitedWorkflowCancelledError, as in DBOS: this workflow was not cancelled itself.
 */
function awaitedAsSuch(error: unknown): unknown {
  return error instanceof DBOSWorkflowCancelledError ? new DBOSAwaitedWorkflowCancelledError(error.workflowID) : error;
}

function workflowFormat(execution: WorkflowExecution): StorageFormat {
  if (execution.inputsSerialization === portableSerialization) return 'portable';
  const { config, name } = execution.registration;
  return storageFormat(config.serialization, `The serialization of workflow "${name}"`);
}

type Outcome = { ok: true; value: unknown } | { ok: false; error: unknown };

/**
 * The outcome row to write; a result that cannot be stored makes the workflow fail with that error. A portable
 * workflow's caller gets its result or error as every later reader will, read back from the record (as in DBOS).
 */
async function finalRecord(execution: WorkflowExecution, outcome: Outcome): Promise<{ record: WorkflowOutcomeRecord; outcome: Outcome }> {
  const { workflowID, registration, queueName } = execution;
  const format = workflowFormat(execution);
  const completedAt = Date.now();
  let failure: unknown;
  if (outcome.ok) {
    try {
      const what = `the result of workflow "${registration.name}" (${workflowID})`;
      const { text, serialization } = await encodeValue(outcome.value, what, format);
      const record = { workflowID, queueName, status: 'SUCCESS', output: text, error: null, serialization, completedAt } as const;
      // Portable: the first caller gets the result as every later reader will (plain JSON: a Date as its ISO
      // string, undefined as null), as in DBOS.
      if (format === 'portable') return { record, outcome: { ok: true, value: await decodeValue(text, serialization) } };
      return { record, outcome };
    } catch (error) {
      if (!(error instanceof DBOSSerializationError)) throw error;
      failure = error;
    }
  } else {
    failure = outcome.error;
  }
  const { text, serialization } = await encodeError(failure, format);
  const thrown = format === 'portable' ? await decodeError(text, serialization) : failure;
  return {
    record: { workflowID, queueName, status: 'ERROR', output: null, error: text, serialization, completedAt },
    outcome: { ok: false, error: thrown },
  };
}

/**
 * The outcome recorded by whoever owns it now, delivered to this execution's own handle as DBOS does: its
 * cancellation as DBOSWorkflowCancelledError, its dead-lettering as DBOSMaxRecoveryAttemptsExceededError, and
 * a row deleted meanwhile as DBOSNonExistentWorkflowError at once (the row existed, so it is not to come).
 */
async function adoptRecordedOutcome(engine: Engine, execution: WorkflowExecution): Promise<unknown> {
  const { workflowID, registration } = execution;
  const status = await awaitFinalStatus(engine, workflowID, undefined, undefined, true);
  if (status === timedOut) throw new Error('unreachable: no deadline');
  if (status.status === 'CANCELLED') throw new DBOSWorkflowCancelledError(workflowID);
  if (status.status === 'MAX_RECOVERY_ATTEMPTS_EXCEEDED') {
    throw new DBOSMaxRecoveryAttemptsExceededError(workflowID, registration.config.maxRecoveryAttempts ?? defaultMaxRecoveryAttempts);
  }
  engine.logger.warn(`Workflow ${workflowID} was finished by another execution; this one adopts its outcome.`);
  return outcomeOf(status);
}
