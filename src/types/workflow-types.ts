/** Public workflow and step types, with the names and fields of the DBOS TypeScript SDK. Declarations only. */
import type { WorkflowStatusString } from '../system-database/records.ts';

export type { WorkflowStatusString };

export const StatusString = {
  PENDING: 'PENDING',
  SUCCESS: 'SUCCESS',
  ERROR: 'ERROR',
  MAX_RECOVERY_ATTEMPTS_EXCEEDED: 'MAX_RECOVERY_ATTEMPTS_EXCEEDED',
  CANCELLED: 'CANCELLED',
  ENQUEUED: 'ENQUEUED',
  DELAYED: 'DELAYED',
} as const;

export type WorkflowSerializationFormat = undefined | 'native' | 'portable';

export interface WorkflowConfig {
  /** Recoveries allowed before the workflow moves to MAX_RECOVERY_ATTEMPTS_EXCEEDED (default 100). */
  maxRecoveryAttempts?: number;
  name?: string;
  serialization?: WorkflowSerializationFormat;
}

export interface StepConfig {
  retriesAllowed?: boolean;
  /** Seconds before the first retry (default 1). */
  intervalSeconds?: number;
  /** Attempts in all, the first included (default 3). */
  maxAttempts?: number;
  /** Multiplier of the interval after each retry (default 2). */
  backoffRate?: number;
  /** Decides whether an error is worth another attempt (default: every error is). */
  shouldRetry?: (error: unknown) => boolean | Promise<boolean>;
  /** Per-attempt time limit; a late attempt fails with DBOSStepTimeoutError (and may be retried). */
  timeoutMS?: number;
  name?: string;
}

export interface FunctionName {
  name?: string;
  className?: string;
  /** For a method: its class (a static method) or the class's prototype (an instance method of a ConfiguredInstance). */
  ctorOrProto?: object;
}

export interface StepStatus {
  stepID: number;
  currentAttempt?: number;
  maxAttempts?: number;
  /** Aborted when the current attempt's `timeoutMS` expires. */
  timeoutSignal?: AbortSignal;
}

export interface EnqueueOptions {
  /** While a workflow with this ID is ENQUEUED or PENDING on the queue, enqueueing another fails. */
  deduplicationID?: string;
  /** 1 to 2^31-1, lower first; only on queues with `priorityEnabled`. */
  priority?: number;
  /** Required on partitioned queues: flow-control limits apply per partition key. */
  queuePartitionKey?: string;
  /** Not dequeued before this many seconds have passed. */
  delaySeconds?: number;
}

export interface StartWorkflowParams {
  workflowID?: string;
  /** Start-to-close time limit (for a queued workflow, from its dequeue); `null` detaches it from a parent's deadline. */
  timeoutMS?: number | null;
  /** Enqueue on this queue instead of running at once. */
  queueName?: string;
  enqueueOptions?: EnqueueOptions;
}

export interface PollingOptions {
  pollingIntervalMs?: number;
}

export interface GetResultOptions extends PollingOptions {
  timeoutSeconds?: number;
  deadlineEpochMS?: number;
}

export interface WorkflowStatus {
  readonly workflowID: string;
  readonly status: string;
  readonly workflowName: string;
  readonly workflowClassName: string;
  readonly workflowConfigName?: string;
  readonly queueName?: string;
  readonly authenticatedUser?: string;
  readonly assumedRole?: string;
  readonly authenticatedRoles?: string[];
  readonly input?: unknown[];
  readonly output?: unknown;
  readonly error?: unknown;
  readonly executorId?: string;
  readonly applicationVersion?: string;
  readonly applicationName?: string;
  readonly createdAt: number;
  readonly updatedAt?: number;
  readonly timeoutMS?: number;
  readonly deadlineEpochMS?: number;
  readonly deduplicationID?: string;
  readonly priority: number;
  readonly queuePartitionKey?: string;
  readonly dequeuedAt?: number;
  readonly delayUntilEpochMS?: number;
  readonly completedAt?: number;
  readonly forkedFrom?: string;
  /** The dynamic schedule that started this workflow. */
  readonly scheduleName?: string;
  readonly parentWorkflowID?: string;
  readonly recoveryAttempts?: number;
}

export interface WorkflowHandle<R> {
  readonly workflowID: string;
  getStatus(): Promise<WorkflowStatus | null>;
  getResult(options?: PollingOptions): Promise<R>;
  getWorkflowInputs<T extends unknown[] = unknown[]>(): Promise<T>;
}

/**
 * Which workflows to list (DBOS's GetWorkflowsInput, for the filters durably
 * supports so far). Filters combine with AND; a list matches any of its values.
 */
export interface GetWorkflowsInput {
  workflowIDs?: string[];
  workflowName?: string | string[];
  status?: WorkflowStatusString | WorkflowStatusString[];
  /** Created at or after this time (an ISO 8601 / RFC 3339 timestamp). */
  startTime?: string;
  /** Created at or before this time. */
  endTime?: string;
  applicationVersion?: string | string[];
  queueName?: string | string[];
  /** Only runs started by these dynamic schedules. */
  scheduleName?: string | string[];
  /** Only workflows that were enqueued. */
  queuesOnly?: boolean;
  limit?: number;
  offset?: number;
  /** Newest first (default: oldest first, by creation time). */
  sortDesc?: boolean;
  /** Decode the inputs (default true). */
  loadInput?: boolean;
  /** Decode the output or error (default true; false for listQueuedWorkflows). */
  loadOutput?: boolean;
}

export interface RecvOptions {
  /** Seconds to wait for a message (default 60); durable inside a workflow. */
  timeoutSeconds?: number;
}

export type GetEventOptions = RecvOptions;

export interface StepInfo {
  readonly functionID: number;
  readonly name: string;
  readonly output: unknown;
  readonly error: Error | null;
  readonly childWorkflowID: string | null;
  readonly startedAtEpochMs?: number;
  readonly completedAtEpochMs?: number;
}
