/**
 * From start parameters to a queue placement: which queue, and with what
 * deduplication ID, priority, partition key and delay, validated so that a
 * bad option fails before anything is written.
 */
import { DBOSConfigurationError, DBOSInvalidQueuePriorityError, DBOSQueueNotFoundError } from '../errors/errors.ts';
import type { StartWorkflowParams } from '../types/workflow-types.ts';
import type { QueuePlacement } from '../engine/engine.ts';
import type { QueueCatalog } from './queue-catalog.ts';
import type { WorkflowQueue } from './workflow-queue.ts';

export const maxPriority = 2 ** 31 - 1;

export function placementPlanner(catalog: QueueCatalog, reload: () => Promise<void>) {
  return async (params: StartWorkflowParams | undefined): Promise<QueuePlacement | null> => {
    const options = params?.enqueueOptions;
    if (params?.queueName === undefined) {
      // applicationVersion alone also pins a workflow started directly (as in DBOS); the rest are queue options.
      const { applicationVersion: _version, ...queueOnly } = options ?? {};
      const given = Object.entries(queueOnly).filter(([, value]) => value !== undefined).map(([name]) => name);
      if (given.length > 0) {
        // DBOS's wording, then the remedy.
        throw new DBOSConfigurationError(
          `Enqueue option(s) ${given.join(', ')} set on a workflow that is not being enqueued. ` +
            'These options are only supported when enqueueing a workflow onto a queue: give a queueName.',
        );
      }
      return null;
    }
    let queue = catalog.find(params.queueName);
    if (!queue) {
      await reload(); // registered by another process since we last looked?
      queue = catalog.find(params.queueName);
    }
    if (!queue) throw new DBOSQueueNotFoundError(params.queueName);
    return place(queue, params);
  };
}

function place(queue: WorkflowQueue, params: StartWorkflowParams): QueuePlacement {
  const options = params.enqueueOptions ?? {};
  const { deduplicationID, priority, queuePartitionKey, delaySeconds } = options;
  if (deduplicationID !== undefined && (typeof deduplicationID !== 'string' || deduplicationID === '')) {
    throw new DBOSConfigurationError(`deduplicationID must be a non-empty string, got ${JSON.stringify(deduplicationID)}.`);
  }
  if (priority !== undefined) {
    if (typeof priority !== 'number' || !Number.isInteger(priority) || priority < 1 || priority > maxPriority) {
      // A JavaScript caller may pass a non-number; the error keeps the value as given, to name it.
      throw new DBOSInvalidQueuePriorityError(priority as number, 1, maxPriority);
    }
  }
  if (queue.partitioned && (typeof queuePartitionKey !== 'string' || queuePartitionKey === '')) {
    throw new DBOSConfigurationError(`Queue "${queue.name}" is partitioned: enqueueOptions.queuePartitionKey is required.`);
  }
  if (!queue.partitioned && queuePartitionKey !== undefined) {
    throw new DBOSConfigurationError(`Queue "${queue.name}" is not partitioned: remove enqueueOptions.queuePartitionKey.`);
  }
  if (delaySeconds !== undefined && (typeof delaySeconds !== 'number' || !(delaySeconds >= 0) || !Number.isFinite(delaySeconds))) {
    throw new DBOSConfigurationError(`delaySeconds must be a finite number >= 0, got ${JSON.stringify(delaySeconds)}.`);
  }
  const delayed = delaySeconds !== undefined && delaySeconds > 0;
  return {
    queueName: queue.name,
    status: delayed ? 'DELAYED' : 'ENQUEUED',
    deduplicationID: deduplicationID ?? null,
    priority: priority ?? 0,
    queuePartitionKey: queuePartitionKey ?? null,
    delayUntilEpochMs: delayed ? Date.now() + Math.ceil(delaySeconds * 1000) : null,
  };
}
