/**
 * The event-receiver surface (DBOS's `@dbos-inc/dbos-sdk/eventreceiver`):
 * batch enqueue for receivers that feed queues from Kafka, SQS and the like.
 * Delegations to queues/batch-enqueue.ts on the launched engine.
 */
import {
  enqueueWorkflows as enqueueBatch,
  prepareEnqueuedWorkflow as prepareRow,
  type PreparedWorkflow,
  type PrepareEnqueuedWorkflowOptions,
} from '../queues/batch-enqueue.ts';
import { registeredWorkflowOf } from '../runtime/registration.ts';
import { engineFor } from '../runtime/runtime.ts';

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
