/** Public workflow and step types, with the names and fields of the DBOS TypeScript SDK. Declarations only. */
import type { WorkflowStatusString } from '../system-database/records.ts';
import type { DLogger } from '../telemetry/logger.ts';

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

/**
 * Validates, and may transform, a workflow's argument list (a Zod tuple, an AJV wrapper, any object with
 * `parse`): receives the arguments as an array, returns the array the body is called with, throws to refuse.
 */
export interface InputSchema {
  parse(input: unknown): unknown;
}

export interface WorkflowConfig {
  /** Recoveries allowed before the workflow moves to MAX_RECOVERY_ATTEMPTS_EXCEEDED (default 100). */
  maxRecoveryAttempts?: number;
  name?: string;
  serialization?: WorkflowSerializationFormat;
  /**
   * Run on every execution (direct call, queue dispatch, recovery) before the body; a refusal fails the
   * workflow with the schema's error. Lets portable inputs (plain JSON) become Dates and the like again.
   */
  inputSchema?: InputSchema;
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
  /** 1 to 2^31-1, lower first (every queue orders by priority, then enqueue time). */
  priority?: number;
  /** Required on partitioned queues: flow-control limits apply per partition key. */
  queuePartitionKey?: string;
  /** Not dequeued before this many seconds have passed. */
  delaySeconds?: number;
  /** Pin the workflow to this application version (only its executors run or recover it); allowed without a queue. */
  applicationVersion?: string;
  /** Enqueue for another application sharing the system database: it owns the row, and its own latest version runs it. */
  applicationName?: string;
}

export interface StartWorkflowParams {
  workflowID?: string;
  /** Start-to-close time limit (for a queued workflow, from its dequeue); `null` detaches it from a parent's deadline. */
  timeoutMS?: number | null;
  /** Enqueue on this queue instead of running at once. */
  queueName?: string;
  enqueueOptions?: EnqueueOptions;
  /** The authenticated user recorded on the workflow (default: the caller's, from the context). */
  authenticatedUser?: string;
  /** The authenticated roles recorded on the workflow (default: the caller's, from the context). */
  authenticatedRoles?: string[];
  /** On a deduplication ID already held on the queue: throw (default), or return a handle to its holder. */
  duplicationPolicy?: DuplicationPolicy;
  /** A plain JSON object stored with the workflow (not inherited by children); listWorkflows filters by containment. */
  workflowAttributes?: Record<string, unknown>;
}

/** 'return-existing' needs a queueName and an enqueueOptions.deduplicationID. */
export type DuplicationPolicy = 'reject' | 'return-existing';

/** DBOS.runWithContext's options: what workflows started inside the callback (and the callback itself) see. */
export interface DBOSContextOptions {
  idAssignedForNextWorkflow?: string;
  queueAssignedForWorkflows?: string;
  authenticatedUser?: string;
  authenticatedRoles?: string[];
  assumedRole?: string;
  workflowTimeoutMS?: number | null;
  /** What DBOS.logger returns in the callback's own code (workflows and steps use the configured logger, as in DBOS). */
  logger?: DLogger;
}

export interface ListWorkflowStepsOptions {
  limit?: number;
  offset?: number;
}

export interface PollingOptions {
  pollingIntervalMs?: number;
}

/** DBOS.waitAll's options. */
export type WaitAllOptions = PollingOptions;

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
  /** A fork was made from this workflow. */
  readonly wasForkedFrom?: boolean;
  readonly attributes?: Record<string, unknown>;
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
 * Which workflows to list (DBOS's GetWorkflowsInput). Filters combine with
 * AND; a list matches any of its values. An unknown key is an error.
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
  /** Finished (completed_at) at or after / at or before this time (ISO 8601). */
  completedAfter?: string;
  completedBefore?: string;
  /** Dequeued (started_at) at or after / at or before this time (ISO 8601). */
  dequeuedAfter?: string;
  dequeuedBefore?: string;
  authenticatedUser?: string | string[];
  executorId?: string | string[];
  /** Workflow IDs starting with this prefix (DBOS's snake_case name). */
  workflow_id_prefix?: string | string[];
  /** Same as workflow_id_prefix (durably's camelCase alias; give one or the other). */
  workflowIdPrefix?: string | string[];
  /** Forks of these workflows. */
  forkedFrom?: string | string[];
  /** Only workflows a fork was (true) or was not (false) made from. */
  wasForkedFrom?: boolean;
  /** Only forks (true) or only non-forks (false). */
  isFork?: boolean;
  parentWorkflowID?: string | string[];
  /** Only children (true) or only top-level workflows (false). */
  hasParent?: boolean;
  /** Workflows whose attributes contain this object (Postgres JSONB `@>` semantics, on both backends). */
  attributes?: Record<string, unknown>;
  applicationName?: string | string[];
  /**
   * durably: only (true) or never (false) stranded workflows: PENDING or ENQUEUED ones whose application
   * version no live process runs (no executor of that version has sent a heartbeat within the executor
   * timeout), so nothing will resume them until that version comes back or a newer one adopts them.
   */
  stranded?: boolean;
  limit?: number;
  offset?: number;
  /** Newest first (default: oldest first, by creation time). */
  sortDesc?: boolean;
  /** Decode the inputs (default true). */
  loadInput?: boolean;
  /** Decode the output or error (default true; false for listQueuedWorkflows). */
  loadOutput?: boolean;
}

export interface RecvOptions extends PollingOptions {
  /** Seconds to wait for a message (default 60); durable inside a workflow. */
  timeoutSeconds?: number;
  /** Wait until this epoch time (ms) instead; wins over `timeoutSeconds`, as in DBOS. */
  deadlineEpochMS?: number;
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

/** The HTTP request a workflow was started in (DBOS.request), recorded with its status and restored on recovery. */
export interface HTTPRequest {
  readonly requestID?: string;
  readonly method?: string;
  readonly url?: string;
  readonly ip?: string;
  /** Lower-cased names; `authorization` and `cookie` are left out. */
  readonly headers?: Readonly<Record<string, string | string[] | undefined>>;
}
