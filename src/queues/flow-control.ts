/**
 * Flow control, as pure arithmetic: which limits a claim must respect for a
 * queue (and partition), and how many tasks this process may still start.
 */
import type { QueueLimits } from '../system-database/records.ts';
import type { WorkflowQueue } from './workflow-queue.ts';

/** No single claim takes more than this, so one process cannot swallow a whole backlog at once. */
export const maxClaimBatch = 100;

export interface ClaimLimits {
  queueLimits: QueueLimits;
  partitionLimits: QueueLimits;
  /** Most tasks of one claim scope running in this process (the queue, or one partition), if limited. */
  workerConcurrency?: number;
}

function rate(queue: WorkflowQueue): QueueLimits['rateLimit'] {
  return queue.rateLimit ? { limitPerPeriod: queue.rateLimit.limitPerPeriod, periodMs: queue.rateLimit.periodSec * 1000 } : undefined;
}

export function claimLimits(queue: WorkflowQueue): ClaimLimits {
  if (queue.partitionQueue) {
    // Legacy partitioned queues: every limit applies per partition key.
    return {
      queueLimits: {},
      partitionLimits: { concurrency: queue.concurrency, rateLimit: rate(queue) },
      workerConcurrency: queue.workerConcurrency,
    };
  }
  return {
    queueLimits: { concurrency: queue.concurrency, rateLimit: rate(queue) },
    partitionLimits: { concurrency: queue.partitionConcurrency },
    workerConcurrency: queue.workerConcurrency,
  };
}

/** How many tasks this process may claim now, given how many of that scope it is running. */
export function localBudget(limits: ClaimLimits, runningHere: number): number {
  const cap = limits.workerConcurrency === undefined ? maxClaimBatch : limits.workerConcurrency - runningHere;
  return Math.max(0, Math.min(cap, maxClaimBatch));
}
