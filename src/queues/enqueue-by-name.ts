/**
 * Enqueue by name (DBOS.enqueueWorkflowWithOptions): the workflow is named,
 * not passed, so it may be registered only in another process (or written in
 * another language). Nothing is checked against the local registry; the
 * queue is validated where this process knows it, and taken on trust where
 * it does not (it may be declared in the code of the processes that run it).
 *
 * From workflow code the enqueue is a child start: recorded under the
 * workflow's name with a deterministic ID `<parentID>-<functionID>`.
 */
import { contextWithParent, traceparentOf } from '../telemetry/tracing.ts';
import { randomUUID } from 'node:crypto';
import { DBOSConfigurationError, DBOSQueueNotFoundError, DBOSWorkflowIDInUseError } from '../errors/errors.ts';
import { checkpointFor, recordedOutcome, recordError, replay } from '../engine/checkpoint.ts';
import type { Engine, QueuePlacement } from '../engine/engine.ts';
import { serializeValue, type SerializedValue } from '../engine/serialization.ts';
import { encodeWorkflowInputs } from '../engine/stored-values.ts';
import { attributesText } from '../engine/workflow-attributes.ts';
import { DurableWorkflowHandle } from '../engine/workflow-handle.ts';
import { currentContext, reserveFunctionID, workflowCodeState, type WorkflowState } from '../engine/workflow-context.ts';
import type { NewWorkflowRecord } from '../system-database/records.ts';
import { monotonicNow } from '../support/clock.ts';
import { attributesOption, validateEnqueueOptions, type EnqueueWorkflowOptions } from './enqueue-options.ts';

export type { EnqueueWorkflowOptions };

/** The inputs as stored: native arguments (the process's format), or DBOS's portable `{positionalArgs, namedArgs}`. */
export async function encodeInputs(
  options: EnqueueWorkflowOptions,
  positionalArgs: unknown[],
  namedArgs?: Record<string, unknown>,
): Promise<SerializedValue> {
  const what = `the arguments of workflow "${options.workflowName}"`;
  if (options.serializationType === 'portable') {
    const value = namedArgs === undefined ? { positionalArgs } : { positionalArgs, namedArgs };
    return serializeValue(value, what, 'portable', 'inputs');
  }
  if (namedArgs !== undefined) {
    throw new DBOSConfigurationError(`Named arguments need serializationType "portable" (workflow "${options.workflowName}").`);
  }
  return encodeWorkflowInputs(positionalArgs, what, 'native');
}

/** Where the workflow goes: validated against the queue if this process knows it. */
async function placementFor(engine: Engine, options: EnqueueWorkflowOptions): Promise<QueuePlacement> {
  const priority = options.priority === 0 ? undefined : options.priority;
  const enqueueOptions = {
    deduplicationID: options.deduplicationID,
    priority,
    queuePartitionKey: options.queuePartitionKey,
    delaySeconds: options.delaySeconds,
  };
  try {
    const placement = await engine.placeInQueue({ queueName: options.queueName, enqueueOptions });
    if (placement) return placement;
  } catch (error) {
    if (!(error instanceof DBOSQueueNotFoundError)) throw error;
  }
  const delayed = options.delaySeconds !== undefined && options.delaySeconds > 0;
  return {
    queueName: options.queueName,
    status: delayed ? 'DELAYED' : 'ENQUEUED',
    deduplicationID: options.deduplicationID ?? null,
    priority: options.priority ?? 0,
    queuePartitionKey: options.queuePartitionKey ?? null,
    delayUntilEpochMs: delayed ? Date.now() + Math.ceil(options.delaySeconds! * 1000) : null,
  };
}

/** The status row the options describe (without writing it); shared with a client's enqueue. */
export function buildEnqueueRecord(
  options: EnqueueWorkflowOptions,
  placement: QueuePlacement,
  inputs: SerializedValue,
  stamp: { workflowID: string; executorID: string; applicationName: string | null; parentWorkflowID: string | null },
): NewWorkflowRecord {
  return {
    workflowID: stamp.workflowID,
    status: placement.status,
    workflowName: options.workflowName,
    className: options.workflowClassName || null,
    configName: options.workflowConfigName || null,
    authenticatedUser: options.authenticatedUser ?? '',
    assumedRole: '',
    authenticatedRoles: JSON.stringify(options.authenticatedRoles ?? []),
    inputs: inputs.text,
    serialization: inputs.serialization,
    executorID: stamp.executorID,
    // Unset unless given: any executor may run it (it may not even be our code).
    applicationVersion: options.appVersion ?? null,
    applicationName: options.applicationName ?? stamp.applicationName,
    createdAt: monotonicNow(),
    recoveryAttempts: 0,
    queueName: placement.queueName,
    deduplicationID: placement.deduplicationID,
    priority: placement.priority,
    queuePartitionKey: placement.queuePartitionKey,
    delayUntilEpochMs: placement.delayUntilEpochMs,
    timeoutMs: options.workflowTimeoutMS ?? null,
    deadlineEpochMs: null,
    parentWorkflowID: stamp.parentWorkflowID,
    ownerXid: randomUUID(),
    attributes: options.attributes == null ? null : attributesText(attributesOption, options.attributes),
    // The span around the enqueue (durably's, else the application's active one; a client's caller's too): its run continues that trace.
    traceContext: traceparentOf(contextWithParent(currentContext().span)) ?? null,
  };
}

export async function enqueueWorkflowByName<R>(
  engine: Engine,
  options: EnqueueWorkflowOptions,
  positionalArgs: unknown[],
  namedArgs?: Record<string, unknown>,
): Promise<DurableWorkflowHandle<R>> {
  validateEnqueueOptions(options);
  const context = currentContext();
  const withAuth: EnqueueWorkflowOptions = {
    ...options,
    authenticatedUser: options.authenticatedUser ?? context.authenticatedUser,
    authenticatedRoles: options.authenticatedRoles ?? (context.authenticatedRoles as string[] | undefined),
  };
  const parent = workflowCodeState();
  if (!parent) {
    const workflowID = options.workflowID ?? context.assignedWorkflowID?.id ?? randomUUID();
    if (options.workflowID === undefined && context.assignedWorkflowID) context.assignedWorkflowID.used = true;
    await insert(engine, withAuth, workflowID, positionalArgs, namedArgs, undefined);
    return new DurableWorkflowHandle<R>(engine, workflowID);
  }
  const functionID = reserveFunctionID(parent);
  const recorded = recordedOutcome(parent, functionID, options.workflowName);
  if (recorded) {
    if (recorded.error !== null) replay(recorded);
    return new DurableWorkflowHandle<R>(engine, recorded.childWorkflowID ?? '');
  }
  const startedAtEpochMs = Date.now();
  const workflowID = options.workflowID ?? `${parent.workflowID}-${functionID}`;
  try {
    await insert(engine, withAuth, workflowID, positionalArgs, namedArgs, parent);
  } catch (error) {
    await recordError(parent, functionID, options.workflowName, error, { startedAtEpochMs, childWorkflowID: workflowID });
    throw error;
  }
  await engine.systemDatabase.recordStepOutcome(checkpointFor(parent, functionID, options.workflowName, startedAtEpochMs, workflowID));
  return new DurableWorkflowHandle<R>(engine, workflowID);
}

async function insert(
  engine: Engine,
  options: EnqueueWorkflowOptions,
  workflowID: string,
  positionalArgs: unknown[],
  namedArgs: Record<string, unknown> | undefined,
  parent: WorkflowState | undefined,
): Promise<void> {
  const inputs = await encodeInputs(options, positionalArgs, namedArgs);
  const placement = await placementFor(engine, options);
  const record = buildEnqueueRecord(options, placement, inputs, {
    workflowID,
    executorID: engine.identity.executorID,
    applicationName: engine.identity.applicationName,
    parentWorkflowID: parent?.workflowID ?? null,
  });
  const result = await engine.systemDatabase.insertWorkflowOrGetExisting(record);
  if (result.inserted || options.workflowIDReusePolicy !== 'reject') return;
  // A replay finding the child this workflow enqueued before a crash is not a reuse.
  if (parent && result.existing.parentWorkflowID === parent.workflowID) return;
  throw new DBOSWorkflowIDInUseError(workflowID, result.existing.status, result.existing.workflowName);
}
