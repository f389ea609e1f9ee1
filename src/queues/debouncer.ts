/**
 * Debouncing (DBOS's Debouncer), built on delayed enqueue. Calls with one key
 * coalesce into one DELAYED workflow whose deduplication ID is the key: each
 * call moves its start to `period` after now (never past `debounceTimeoutMs`
 * after the first call) and gives it the call's arguments. Once it leaves
 * DELAYED the key is free again and the next call enqueues a new workflow.
 *
 * Each call is one transaction (system-database/sql/debounce.ts), so two
 * processes debouncing one key meet in the database, and a crash between
 * calls loses nothing. From workflow code a call is a recorded operation
 * (`DBOS.debounce`) committed with the debounce itself: replay returns the
 * same workflow and debounces nothing.
 *
 * The core takes a workflow by name and serialized inputs, so a client
 * without a registry (DebouncerClient) can build the same request.
 */
import { randomUUID } from 'node:crypto';
import { DBOSConfigurationError, DBOSQueueDuplicatedError } from '../errors/errors.ts';
import { checkpointFor, recordedOutcome, recordError, replay } from '../engine/checkpoint.ts';
import type { Engine } from '../engine/engine.ts';
import type { SerializedValue } from '../engine/serialization.ts';
import { DurableWorkflowHandle } from '../engine/workflow-handle.ts';
import { currentContext, reserveFunctionID, workflowCodeState } from '../engine/workflow-context.ts';
import type { DebounceRequest, StepOutcomeRecord } from '../system-database/records.ts';
import type { StartWorkflowParams } from '../types/workflow-types.ts';
import { monotonicNow } from '../support/clock.ts';
import { internalQueueName } from '../engine/recovery.ts';

/** The recorded operation name of a debounce call in workflow code. */
export const debounceOperationName = 'DBOS.debounce';

/** What a debouncer debounces: a workflow by name, and how it is to be enqueued. */
export interface DebounceTarget {
  workflowName: string;
  className: string | null;
  configName: string | null;
  startWorkflowParams?: StartWorkflowParams;
  debounceTimeoutMs?: number;
  /** The application owning the enqueued workflow (null: unclaimed). */
  applicationName: string | null;
  /** Null: any executor version may run it (a client's enqueue). */
  applicationVersion: string | null;
  executorID: string;
}

/** DBOS's deduplication ID of a debounce key: `<className>.<workflowName>-<key>`. */
export function debounceDeduplicationID(target: Pick<DebounceTarget, 'className' | 'workflowName'>, key: string): string {
  return `${target.className ?? ''}.${target.workflowName}-${key}`;
}

/** The queue options a debouncer sets itself may not come from its start parameters. */
export function validateDebouncerOptions(params: StartWorkflowParams | undefined, debounceTimeoutMs: number | undefined): void {
  const options = (params?.enqueueOptions ?? {}) as Record<string, unknown>;
  for (const owned of ['deduplicationID', 'delaySeconds', 'priority', 'queuePartitionKey']) {
    if (options[owned] !== undefined) {
      throw new DBOSConfigurationError(
        `A Debouncer's startWorkflowParams may not set enqueueOptions.${owned} (got ${JSON.stringify(options[owned])}): ` +
          'the debouncer sets the deduplication ID and delay itself, and enqueues without priority or partition key.',
      );
    }
  }
  const policy = (params as { duplicationPolicy?: unknown } | undefined)?.duplicationPolicy;
  if (policy === 'return-existing') {
    throw new DBOSConfigurationError(`A Debouncer's startWorkflowParams may not set duplicationPolicy "return-existing".`);
  }
  if (debounceTimeoutMs !== undefined && (typeof debounceTimeoutMs !== 'number' || !Number.isFinite(debounceTimeoutMs) || debounceTimeoutMs <= 0)) {
    throw new DBOSConfigurationError(`debounceTimeoutMs must be a positive number of milliseconds, got ${JSON.stringify(debounceTimeoutMs)}.`);
  }
}

function validateCall(key: unknown, periodMs: unknown): void {
  if (typeof key !== 'string' || key === '') {
    throw new DBOSConfigurationError(`A debounce key must be a non-empty string, got ${JSON.stringify(key)}.`);
  }
  if (typeof periodMs !== 'number' || !Number.isFinite(periodMs) || periodMs < 0) {
    throw new DBOSConfigurationError(`debouncePeriodMs must be a finite number >= 0, got ${JSON.stringify(periodMs)}.`);
  }
}

function timeoutOf(params: StartWorkflowParams | undefined): number | null {
  const timeoutMS = params?.timeoutMS;
  if (timeoutMS === undefined || timeoutMS === null) return null;
  if (typeof timeoutMS !== 'number' || !Number.isFinite(timeoutMS) || timeoutMS <= 0) {
    throw new DBOSConfigurationError(`timeoutMS must be a positive number of milliseconds, got ${JSON.stringify(timeoutMS)}.`);
  }
  return timeoutMS;
}

/** The request one debounce call makes; pure, so a client builds the same one. */
export function buildDebounceRequest(
  target: DebounceTarget,
  key: string,
  periodMs: number,
  inputs: SerializedValue,
  workflowID: string,
  authenticated: { user?: string; roles?: readonly string[] } = {},
): DebounceRequest {
  validateCall(key, periodMs);
  const now = Date.now();
  const deadline = target.debounceTimeoutMs === undefined ? null : now + target.debounceTimeoutMs;
  const queueName = target.startWorkflowParams?.queueName ?? internalQueueName;
  const workflow: DebounceRequest['workflow'] = {
    workflowID,
    status: 'DELAYED',
    workflowName: target.workflowName,
    className: target.className,
    configName: target.configName,
    authenticatedUser: authenticated.user ?? '',
    assumedRole: '',
    authenticatedRoles: JSON.stringify(authenticated.roles ?? []),
    inputs: inputs.text,
    serialization: inputs.serialization,
    executorID: target.executorID,
    applicationVersion: target.applicationVersion,
    applicationName: target.applicationName,
    createdAt: monotonicNow(),
    recoveryAttempts: 0,
    queueName,
    deduplicationID: debounceDeduplicationID(target, key),
    priority: 0,
    queuePartitionKey: null,
    delayUntilEpochMs: deadline === null ? now + periodMs : Math.min(now + periodMs, deadline),
    timeoutMs: timeoutOf(target.startWorkflowParams),
    deadlineEpochMs: null,
    parentWorkflowID: null,
    ownerXid: randomUUID(),
  };
  return { workflow, debounceDeadlineEpochMs: deadline, periodMs, now, inputs: inputs.text, serialization: inputs.serialization };
}

/** Debounce from this process: recorded when called from workflow code. */
export async function debounceWorkflow<R>(
  engine: Engine,
  target: DebounceTarget,
  key: string,
  periodMs: number,
  inputs: () => SerializedValue,
): Promise<DurableWorkflowHandle<R>> {
  validateCall(key, periodMs);
  const params = target.startWorkflowParams;
  // The queue must exist here (and not need a partition key); the placement itself is the debouncer's.
  await engine.placeInQueue({ queueName: params?.queueName ?? internalQueueName });
  const context = currentContext();
  const authenticated = { user: context.authenticatedUser, roles: context.authenticatedRoles };
  const parent = workflowCodeState();
  if (!parent) {
    const request = buildDebounceRequest(target, key, periodMs, inputs(), params?.workflowID ?? randomUUID(), authenticated);
    return new DurableWorkflowHandle<R>(engine, await settle(engine, request));
  }
  const functionID = reserveFunctionID(parent);
  const recorded = recordedOutcome(parent, functionID, debounceOperationName);
  if (recorded) {
    if (recorded.error !== null) replay(recorded);
    return new DurableWorkflowHandle<R>(engine, recorded.childWorkflowID ?? '');
  }
  const startedAtEpochMs = Date.now();
  const workflowID = params?.workflowID ?? `${parent.workflowID}-${functionID}`;
  try {
    const request = buildDebounceRequest(target, key, periodMs, inputs(), workflowID, authenticated);
    const checkpoint = checkpointFor(parent, functionID, debounceOperationName, startedAtEpochMs);
    return new DurableWorkflowHandle<R>(engine, await settle(engine, request, checkpoint));
  } catch (error) {
    await recordError(parent, functionID, debounceOperationName, error, { startedAtEpochMs });
    throw error;
  }
}

/** Apply one debounce request: the workflow it joined or enqueued, or DBOSQueueDuplicatedError when a non-debounced workflow holds the key. */
export async function settle(engine: Engine, request: DebounceRequest, checkpoint?: StepOutcomeRecord): Promise<string> {
  const outcome = await engine.systemDatabase.debounceWorkflow(request, checkpoint);
  if (outcome.kind === 'held') {
    const { queueName, deduplicationID } = request.workflow;
    throw new DBOSQueueDuplicatedError(request.workflow.workflowID, queueName, deduplicationID);
  }
  return outcome.workflowID;
}

