/**
 * Flow control, as pure arithmetic: which limits a claim must respect for a
 * queue (and partition), and how many tasks this process may still start.
 */
import type { QueueLimits } from '../system-database/claim-records.ts';
import type { QueueRateLimit } from './queue-parameters.ts';
import type { WorkflowQueue } from './workflow-queue.ts';

/** No single claim takes more than this, so one process cannot swallow a whole backlog at once. */
export const maxClaimBatch = 100;

export interface ClaimLimits {
  /** Counted in the database across processes: the whole queue. */
  queueLimits: QueueLimits;
  /** Counted in the database across processes: one partition. */
  partitionLimits: QueueLimits;
  /** Most tasks of the queue running in this process, if limited. */
  workerConcurrency?: number;
  /** Most tasks of one partition running in this process, if limited. */
  partitionWorkerConcurrency?: number;
}

function rate(limit: QueueRateLimit | undefined): QueueLimits['rateLimit'] {
  return limit ? { limitPerPeriod: limit.limitPerPeriod, periodMs: limit.periodSec * 1000 } : undefined;
}

export function claimLimits(queue: WorkflowQueue): ClaimLimits {
  if (queue.partitionQueue) {
    // Legacy partitioned queues: every limit applies per partition key.
    return {
      queueLimits: {},
      partitionLimits: { concurrency: queue.concurrency, rateLimit: rate(queue.rateLimit) },
      partitionWorkerConcurrency: queue.workerConcurrency,
    };
  }
  return {
    queueLimits: { concurrency: queue.concurrency, rateLimit: rate(queue.rateLimit) },
    partitionLimits: { concurrency: queue.partitionConcurrency, rateLimit: rate(queue.partitionRateLimit) },
    workerConcurrency: queue.workerConcurrency,
    partitionWorkerConcurrency: queue.partitionWorkerConcurrency,
  };
}

/** How many tasks this process may claim now, given how many of the queue and of the partition it is running. */
export function localBudget(limits: ClaimLimits, runningInQueue: number, runningInPartition: number): number {
  let cap = maxClaimBatch;
  if (limits.workerConcurrency !== undefined) cap = Math.min(cap, limits.workerConcurrency - runningInQueue);
  if (limits.partitionWorkerConcurrency !== undefined) cap = Math.min(cap, limits.partitionWorkerConcurrency - runningInPartition);
  return Math.max(0, cap);
}
