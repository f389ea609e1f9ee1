/**
 * What claims of workflows take and give: a dequeue's request and its claimed rows, a queue's limits and its
 * definition row, and recovery's pages and batch claims (split from records.ts, which keeps the workflow rows).
 */
import type { WorkflowStatusRecord } from './records.ts';

/** What recovery may do with one of this executor's PENDING workflows. */
export type RecoveryClaim =
  | { kind: 'run'; workflow: WorkflowStatusRecord }
  | { kind: 'exceeded'; workflow: WorkflowStatusRecord }
  | { kind: 'not-pending' };

/** A PENDING workflow awaiting recovery, as the paged listing returns it: enough to find its registration. */
export interface PendingWorkflowRef {
  workflowID: string;
  workflowName: string;
  className: string | null;
  configName: string | null;
  createdAt: number;
}

/** Where the next page of pending workflows starts: after this (created_at, workflow ID). */
export interface PendingWorkflowCursor {
  createdAt: number;
  workflowID: string;
}

/** One workflow of a batch recovery claim, with its own budget (its registration's maxRecoveryAttempts). */
export interface RecoveryAttemptRequest {
  workflowID: string;
  maxRecoveryAttempts: number;
}

/** A batch recovery claim: the workflows to run here, and those past their budget (now MAX_RECOVERY_ATTEMPTS_EXCEEDED). */
export interface RecoveryBatchClaim {
  run: WorkflowStatusRecord[];
  exceeded: WorkflowStatusRecord[];
}

/** The flow-control limits one claim must respect, all optional. */
export interface QueueLimits {
  /** Most workflows of the queue (or of one partition) PENDING at once, across all processes. */
  concurrency?: number;
  /** Most starts per `periodMs`, across all processes. */
  rateLimit?: { limitPerPeriod: number; periodMs: number };
}

/** One dequeue attempt: take up to `maxTasks` startable workflows of one queue (and partition). */
export interface ClaimRequest {
  queueName: string;
  /** Only this partition's workflows (partitioned queues), with `partitionLimits` applied to it. */
  partitionKey?: string;
  maxTasks: number;
  queueLimits: QueueLimits;
  partitionLimits: QueueLimits;
  executorID: string;
  applicationVersion: string;
  /** Only workflows of this application or of none (taking those), as DBOS dequeues. */
  applicationName: string;
}

/** A claimed workflow, and whether an earlier execution recorded operations (a resumed or recovered one). */
export interface ClaimedWorkflow extends WorkflowStatusRecord {
  hasRecordedOperations: boolean;
}

export interface ClaimResult {
  claimed: ClaimedWorkflow[];
  /** When the earliest delayed workflow of the queue becomes startable, if any is waiting. */
  nextDelayedAt: number | null;
}

/** A queue registered in the database (`queues` table), as its columns hold it. */
export interface QueueDefinitionRecord {
  name: string;
  concurrency: number | null;
  workerConcurrency: number | null;
  rateLimitMax: number | null;
  rateLimitPeriodSec: number | null;
  priorityEnabled: boolean;
  partitionQueue: boolean;
  partitionConcurrency: number | null;
  partitionWorkerConcurrency: number | null;
  partitionRateLimitMax: number | null;
  partitionRateLimitPeriodSec: number | null;
  pollingIntervalSec: number;
  /** The application that registered it (informational). */
  applicationName: string | null;
}

/** What to do when registering a queue whose name already has a row. */
export type QueueDefinitionConflict = 'always_update' | 'never_update';
