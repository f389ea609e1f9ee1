/**
 * Batch enqueue for event receivers (DBOS's `prepareEnqueuedWorkflow` and
 * `enqueueWorkflows`): build ENQUEUED rows without writing, then insert many
 * in one transaction. A receiver (Kafka, SQS...) commits its source offset
 * only after the batch is in, and redelivers the same batch on failure: the
 * workflow IDs are the idempotency keys, so each workflow runs once.
 */
import { randomUUID } from 'node:crypto';
import { DBOSConfigurationError, DBOSInvalidWorkflowInputError } from '../errors/errors.ts';
import type { Engine } from '../engine/engine.ts';
import { qualifiedName, type RegisteredWorkflow } from '../engine/registry.ts';
import type { SerializedValue } from '../engine/serialization.ts';
import { encodeWorkflowInputs, storageFormat } from '../engine/stored-values.ts';
import type { NewWorkflowRecord } from '../system-database/records.ts';
import { monotonicNow } from '../support/clock.ts';

export interface PrepareEnqueuedWorkflowOptions {
  /** Queue the workflow is enqueued on. */
  readonly queueName: string;
  /** Workflow ID: the idempotency key of the batch insert, so it must be deterministic. */
  readonly workflowID: string;
  /** Partition key, for a partitioned queue. */
  readonly queuePartitionKey?: string;
}

/** An assembled, not yet written ENQUEUED workflow row. */
export type PreparedWorkflow = Readonly<NewWorkflowRecord> & { readonly workflowUUID: string };

function checkOptions(options: PrepareEnqueuedWorkflowOptions): void {
  for (const key of ['queueName', 'workflowID'] as const) {
    if (typeof options?.[key] !== 'string' || options[key] === '') {
      throw new DBOSConfigurationError(`prepareEnqueuedWorkflow: ${key} must be a non-empty string, got ${JSON.stringify(options?.[key])}.`);
    }
  }
}

/** The inputs as a start of the workflow would store them; arguments that cannot be are DBOS's input error. */
async function encodeBatchInputs(registration: RegisteredWorkflow, args: unknown[]): Promise<SerializedValue> {
  const format = storageFormat(registration.config.serialization, `The serialization of workflow "${registration.name}"`);
  try {
    return await encodeWorkflowInputs(args, `the arguments of workflow "${registration.name}"`, format);
  } catch (cause) {
    throw new DBOSInvalidWorkflowInputError(registration.name, cause);
  }
}

/** Any ambient context (parent, auth, assigned ID, queue) is ignored: the row is exactly what the options say. */
export async function prepareEnqueuedWorkflow(
  engine: Engine,
  registration: RegisteredWorkflow,
  args: unknown[],
  options: PrepareEnqueuedWorkflowOptions,
): Promise<PreparedWorkflow> {
  checkOptions(options);
  if (!Array.isArray(args)) {
    throw new DBOSConfigurationError(`prepareEnqueuedWorkflow: args must be an array, got ${JSON.stringify(args)}.`);
  }
  if (registration.isInstanceMethod) {
    // A batch row names no configured instance, so no process could give the run its `this`.
    throw new DBOSConfigurationError(
      `prepareEnqueuedWorkflow: workflow "${qualifiedName(registration.className, registration.name)}" is an instance ` +
        'method of a ConfiguredInstance; batch enqueue takes functions and static methods only.',
    );
  }
  const placement = await engine.placeInQueue({
    queueName: options.queueName,
    enqueueOptions: { queuePartitionKey: options.queuePartitionKey },
  });
  const inputs = await encodeBatchInputs(registration, args);
  return {
    workflowID: options.workflowID,
    workflowUUID: options.workflowID,
    status: 'ENQUEUED',
    workflowName: registration.name,
    className: registration.className || null,
    configName: null,
    authenticatedUser: '',
    assumedRole: '',
    authenticatedRoles: '[]',
    inputs: inputs.text,
    serialization: inputs.serialization,
    executorID: engine.identity.executorID,
    applicationVersion: engine.identity.applicationVersion,
    applicationName: engine.identity.applicationName,
    // Strictly increasing in this process, also across batches: a queue runs them in the order prepared.
    createdAt: monotonicNow(),
    recoveryAttempts: 0,
    queueName: placement!.queueName,
    deduplicationID: null,
    priority: 0,
    queuePartitionKey: placement!.queuePartitionKey,
    delayUntilEpochMs: null,
    timeoutMs: null,
    deadlineEpochMs: null,
    parentWorkflowID: null,
    ownerXid: randomUUID(),
  };
}

/** Insert the prepared rows in one transaction; returns the IDs this call inserted (the others existed). */
export async function enqueueWorkflows(engine: Engine, workflows: readonly PreparedWorkflow[]): Promise<Set<string>> {
  if (!Array.isArray(workflows)) {
    throw new DBOSConfigurationError(`enqueueWorkflows takes an array of prepared workflows, got ${JSON.stringify(workflows)}.`);
  }
  for (const workflow of workflows) {
    if (workflow?.status !== 'ENQUEUED' || workflow.queueName === null || workflow.deduplicationID !== null) {
      throw new DBOSConfigurationError(
        `enqueueWorkflows takes rows built by prepareEnqueuedWorkflow (ENQUEUED, on a queue, without deduplication ID); ` +
          `got workflow ${JSON.stringify(workflow?.workflowID)} with status ${JSON.stringify(workflow?.status)}.`,
      );
    }
  }
  return engine.systemDatabase.enqueueWorkflows(workflows);
}
