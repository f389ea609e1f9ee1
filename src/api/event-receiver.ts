/**
 * The event-receiver surface (DBOS's `@dbos-inc/dbos-sdk/eventreceiver`):
 * batch enqueue for receivers that feed queues from Kafka, SQS and the like,
 * and the queues they feed. Delegations to queues/ on the launched engine.
 */
import {
  enqueueWorkflows as enqueueBatch,
  prepareEnqueuedWorkflow as prepareRow,
  type PreparedWorkflow,
  type PrepareEnqueuedWorkflowOptions,
} from '../queues/batch-enqueue.ts';
import { registeredWorkflowOf } from '../runtime/registration.ts';
import { engineFor, runtimeFor } from '../runtime/runtime.ts';
import { declaredQueues, WorkflowQueue, type QueueParameters } from '../queues/workflow-queue.ts';

export type { PreparedWorkflow, PrepareEnqueuedWorkflowOptions };

/** Build, without writing, an ENQUEUED row for `workflow`, for enqueueWorkflows. Ambient context is ignored. */
export function prepareEnqueuedWorkflow<T extends unknown[], R>(
  workflow: (...args: T) => Promise<R>,
  args: T,
  options: PrepareEnqueuedWorkflowOptions,
): Promise<PreparedWorkflow> {
  const engine = engineFor('prepareEnqueuedWorkflow');
  return prepareRow(engine, registeredWorkflowOf(workflow), args, options);
}

/**
 * Enqueue prepared workflows in one transaction; an existing workflow ID is
 * skipped, so redelivering a batch is a no-op. Not retried: on failure, retry
 * the same batch. Returns the IDs this call enqueued.
 */
export function enqueueWorkflows(workflows: PreparedWorkflow[]): Promise<Set<string>> {
  return enqueueBatch(engineFor('enqueueWorkflows'), workflows);
}

export { registerPollerQueue } from '../queues/poller-queues.ts';

/** A process-local queue a receiver enqueues onto (DBOS's registerInternalQueue): declared like `new WorkflowQueue`. */
export function registerInternalQueue(name: string, params?: QueueParameters): WorkflowQueue {
  return new WorkflowQueue(name, params);
}

export function isPartitionedQueue(queue: WorkflowQueue): boolean {
  return queue.partitionQueue;
}

/** A queue by name: one declared in this process's code, else one registered in the database; null if neither. */
export async function getQueue(name: string): Promise<WorkflowQueue | null> {
  return declaredQueues.get(name) ?? (await runtimeFor('getQueue').databaseQueues.retrieve(name));
}
