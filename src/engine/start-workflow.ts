/**
 * Starting a workflow: choose its ID, write its status row with its inputs in
 * one insert, and run its body here if that insert created the row. Starting
 * an ID that exists never runs the body again: the caller gets a handle to the
 * existing workflow (or a conflict error if it is another function's).
 *
 * Started from workflow code, the start is a recorded operation of the parent:
 * the child's ID is deterministic (`<parentID>-<functionID>`) and replay
 * returns a handle to the same child without starting anything.
 */
import { randomUUID } from 'node:crypto';
import {
  DBOSConfigurationError,
  DBOSConflictingWorkflowError,
  DBOSInvalidWorkflowTransitionError,
} from '../errors/errors.ts';
import type { StartWorkflowParams } from '../types/workflow-types.ts';
import type { NewWorkflowRecord, WorkflowStatusRecord } from '../system-database/records.ts';
import { checkpointFor, recordedOutcome, recordError, replay } from './checkpoint.ts';
import type { Engine } from './engine.ts';
import { monotonicNow } from '../support/clock.ts';
import { qualifiedName, type RegisteredWorkflow } from './registry.ts';
import { executeWorkflow } from './run-workflow.ts';
import { encodeWorkflowInputs, storageFormat } from './stored-values.ts';
import { DurableWorkflowHandle } from './workflow-handle.ts';
import { configNameForStart } from './workflow-receiver.ts';
import { insertRespectingDuplicationPolicy, ownerAndVersion, resolveStartOptions, type StartOptions } from './start-options.ts';
import { currentContext, reserveFunctionID, type ExecutionContext, type WorkflowState } from './workflow-context.ts';
import { traceForStart } from './workflow-spans.ts';

export interface StartRequest {
  registration: RegisteredWorkflow;
  thisArg: unknown;
  args: unknown[];
  params?: StartWorkflowParams;
  /** The dynamic schedule starting this run (recorded in its status row). */
  scheduleName?: string;
  /** The configured instance's name (set here from `thisArg`). */
  configName?: string | null;
}

export async function startWorkflow<R>(engine: Engine, request: StartRequest): Promise<DurableWorkflowHandle<R>> {
  // An instance method off its configured instance is refused before anything is reserved or written.
  request = { ...request, configName: configNameForStart(engine.registry, request.registration, request.thisArg) };
  const context = currentContext();
  if (context.step || context.transaction) {
    const inside = context.step ? `step "${context.step.name}"` : `a transaction of data source "${context.transaction?.dataSourceName}"`;
    throw new DBOSInvalidWorkflowTransitionError(
      `Cannot start workflow "${request.registration.name}" from inside ${inside}: ` +
        'start it from workflow code or outside any workflow.',
    );
  }
  const options = resolveStartOptions(request.params, context);
  const parent = context.workflow;
  if (!parent) return startTopLevel(engine, request, context, options);
  const functionID = reserveFunctionID(parent);
  const recorded = recordedOutcome(parent, functionID, request.registration.name);
  if (recorded) {
    if (recorded.error !== null) await replay(recorded);
    return new DurableWorkflowHandle<R>(engine, recorded.childWorkflowID ?? '');
  }
  const startedAtEpochMs = Date.now();
  let workflowID = chooseWorkflowID(request.params, context, `${parent.workflowID}-${functionID}`);
  try {
    // With duplicationPolicy 'return-existing' this may be another workflow: the one recorded.
    workflowID = await insertAndRun(engine, request, context, workflowID, parent, options);
  } catch (error) {
    await recordError(parent, functionID, request.registration.name, error, { startedAtEpochMs, childWorkflowID: workflowID });
    throw error;
  }
  engine.interruptSignal.throwIfAborted(); // shutdown: the child stays PENDING, its start unrecorded (runs again on recovery)
  await engine.systemDatabase.recordStepOutcome(checkpointFor(parent, functionID, request.registration.name, startedAtEpochMs, workflowID));
  return new DurableWorkflowHandle<R>(engine, workflowID);
}

async function startTopLevel<R>(
  engine: Engine,
  request: StartRequest,
  context: ExecutionContext,
  options: StartOptions,
): Promise<DurableWorkflowHandle<R>> {
  const workflowID = chooseWorkflowID(request.params, context, undefined);
  const startedID = await insertAndRun(engine, request, context, workflowID, undefined, options);
  return new DurableWorkflowHandle<R>(engine, startedID);
}

function chooseWorkflowID(
  params: StartWorkflowParams | undefined,
  context: ExecutionContext,
  childDefault: string | undefined,
): string {
  if (params?.workflowID !== undefined) {
    if (typeof params.workflowID !== 'string' || params.workflowID.length === 0) {
      throw new DBOSConfigurationError(`A workflow ID must be a non-empty string, got ${JSON.stringify(params.workflowID)}.`);
    }
    return params.workflowID;
  }
  const assigned = context.assignedWorkflowID;
  if (assigned && !assigned.used) {
    assigned.used = true;
    return assigned.id;
  }
  return childDefault ?? randomUUID();
}

function resolveDeadline(params: StartWorkflowParams | undefined, context: ExecutionContext, parent?: WorkflowState) {
  const timeoutMS = params?.timeoutMS !== undefined ? params.timeoutMS : context.workflowTimeoutMS;
  if (timeoutMS === null) return { timeoutMs: null, deadlineEpochMs: null };
  if (timeoutMS !== undefined) {
    if (!(timeoutMS > 0) || !Number.isFinite(timeoutMS)) {
      throw new DBOSConfigurationError(`timeoutMS must be a positive number of milliseconds, got ${timeoutMS}.`);
    }
    return { timeoutMs: timeoutMS, deadlineEpochMs: Date.now() + timeoutMS };
  }
  return { timeoutMs: null, deadlineEpochMs: parent?.deadlineEpochMs ?? null };
}

async function insertAndRun(
  engine: Engine,
  request: StartRequest,
  context: ExecutionContext,
  workflowID: string,
  parent: WorkflowState | undefined,
  options: StartOptions,
): Promise<string> {
  const { registration, args } = request;
  const placement = await engine.placeInQueue(options.params);
  const format = storageFormat(registration.config.serialization, `The serialization of workflow "${registration.name}"`);
  const inputs = await encodeWorkflowInputs(args, `the arguments of workflow "${registration.name}"`, format);
  const { timeoutMs, deadlineEpochMs } = resolveDeadline(options.params, context, parent);
  const trace = engine.tracer.enabled
    ? traceForStart(engine.tracer, context, { workflowID, workflowName: registration.name, ...options.auth }, placement !== null)
    : undefined;
  const record: NewWorkflowRecord = {
    workflowID,
    status: placement?.status ?? 'PENDING',
    workflowName: registration.name,
    className: registration.className || null,
    configName: request.configName ?? null,
    authenticatedUser: options.auth.authenticatedUser ?? '',
    assumedRole: options.auth.assumedRole ?? '',
    authenticatedRoles: JSON.stringify(options.auth.authenticatedRoles ?? []),
    inputs: inputs.text,
    serialization: inputs.serialization,
    executorID: engine.identity.executorID,
    ...ownerAndVersion(engine, options.params),
    createdAt: placement ? monotonicNow() : Date.now(),
    // A queued workflow's attempts are counted as it is dequeued.
    recoveryAttempts: placement ? 0 : 1,
    queueName: placement?.queueName ?? null,
    deduplicationID: placement?.deduplicationID ?? null,
    priority: placement?.priority ?? 0,
    queuePartitionKey: placement?.queuePartitionKey ?? null,
    delayUntilEpochMs: placement?.delayUntilEpochMs ?? null,
    timeoutMs,
    // A queued workflow's deadline starts when it is dequeued.
    deadlineEpochMs: placement && timeoutMs !== null ? null : deadlineEpochMs,
    parentWorkflowID: parent?.workflowID ?? null,
    scheduleName: request.scheduleName ?? null,
    ownerXid: randomUUID(),
    attributes: options.attributes,
    request: options.auth.request === undefined ? null : JSON.stringify(options.auth.request),
    traceContext: trace?.stored ?? null,
  };
  // Marked until it is tracked as running (or found to exist): background recovery must not take it meanwhile.
  const direct = placement === null;
  if (direct) engine.startingHere.set(workflowID, (engine.startingHere.get(workflowID) ?? 0) + 1);
  try {
    return await insertAndExecute(engine, request, record, options, trace, deadlineEpochMs);
  } finally {
    if (direct) unmarkStarting(engine, workflowID);
  }
}

function unmarkStarting(engine: Engine, workflowID: string): void {
  const count = engine.startingHere.get(workflowID) ?? 1;
  if (count > 1) engine.startingHere.set(workflowID, count - 1);
  else engine.startingHere.delete(workflowID);
}

async function insertAndExecute(
  engine: Engine,
  request: StartRequest,
  record: NewWorkflowRecord,
  options: StartOptions,
  trace: ReturnType<typeof traceForStart> | undefined,
  deadlineEpochMs: number | null,
): Promise<string> {
  const { registration, args } = request;
  const workflowID = record.workflowID;
  const result = await insertRespectingDuplicationPolicy(engine, record, options.returnExisting);
  if ('holderID' in result) return result.holderID;
  if (!result.inserted) assertSameFunction(result.existing, registration, request.configName ?? null);
  if (!result.inserted || record.queueName !== null) return workflowID;
  executeWorkflow(engine, {
    workflowID,
    registration,
    thisArg: request.thisArg,
    args,
    deadlineEpochMs,
    recorded: [],
    firstExecution: true,
    queueName: null,
    ...options.auth,
    traceParent: trace?.parent,
    workflowSpan: trace?.span,
  });
  return workflowID;
}

function assertSameFunction(existing: WorkflowStatusRecord, registration: RegisteredWorkflow, configName: string | null): void {
  const requested = qualifiedName(registration.className, registration.name) + (configName === null ? '' : ` on "${configName}"`);
  const found =
    qualifiedName(existing.className ?? '', existing.workflowName) + (existing.configName === null ? '' : ` on "${existing.configName}"`);
  if (requested !== found) {
    throw new DBOSConflictingWorkflowError(
      existing.workflowID,
      `Workflow ID ${existing.workflowID} already belongs to workflow "${found}"; it cannot be reused for "${requested}". ` +
        'Choose another workflow ID.',
    );
  }
}
