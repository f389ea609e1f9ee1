/**
 * Row-shaped types that cross the SystemDatabase interface. Times are epoch
 * milliseconds; serialized values are text tagged with the name of their format
 * (`serialization`). Nothing here knows SQL.
 */

export type WorkflowStatusString =
  | 'PENDING'
  | 'SUCCESS'
  | 'ERROR'
  | 'MAX_RECOVERY_ATTEMPTS_EXCEEDED'
  | 'CANCELLED'
  | 'ENQUEUED'
  | 'DELAYED';

export const terminalStatuses: readonly WorkflowStatusString[] = [
  'SUCCESS',
  'ERROR',
  'CANCELLED',
  'MAX_RECOVERY_ATTEMPTS_EXCEEDED',
];

export function isTerminalStatus(status: string): boolean {
  return (terminalStatuses as readonly string[]).includes(status);
}

/**
 * What a waiter of waitForWrite waits for, named so that the database can be asked whether it is there
 * (SystemDatabase.findAwaitedWrites). Each kind's "written" is exactly what the waiter's own read looks for.
 */
export type AwaitedWrite =
  /** The workflow's final status (any terminal one): getResult, waitFirst, waitAll, the end of a stream. */
  | { kind: 'outcome'; workflowID: string }
  /** A value of the event (getEvent). */
  | { kind: 'event'; workflowID: string; key: string }
  /** An unconsumed message to the workflow on the topic (recv; the stored topic, the default one included). */
  | { kind: 'message'; workflowID: string; topic: string }
  /** An entry of the stream at `fromOffset` or later (readStream). */
  | { kind: 'stream'; workflowID: string; key: string; fromOffset: number };

/** What starting a workflow writes: its status row, with its inputs, in one insert. */
export interface NewWorkflowRecord {
  workflowID: string;
  status: 'PENDING' | 'ENQUEUED' | 'DELAYED';
  workflowName: string;
  className: string | null;
  configName: string | null;
  authenticatedUser: string;
  assumedRole: string;
  authenticatedRoles: string;
  inputs: string;
  serialization: string;
  executorID: string;
  applicationVersion: string | null;
  applicationName: string | null;
  createdAt: number;
  recoveryAttempts: number;
  queueName: string | null;
  deduplicationID: string | null;
  priority: number;
  queuePartitionKey: string | null;
  delayUntilEpochMs: number | null;
  timeoutMs: number | null;
  deadlineEpochMs: number | null;
  parentWorkflowID: string | null;
  /** The dynamic schedule that started it, if any. */
  scheduleName?: string | null;
  /** The workflow's attributes as JSON object text, if any. */
  attributes?: string | null;
  /** The HTTP request it was started in, as JSON text (DBOS's `request` column). */
  request?: string | null;
  /** The W3C `traceparent` of the span that started it (or of its own first span), so later runs continue its trace. */
  traceContext?: string | null;
  /** A random ID of this start attempt: a retried insert recognises its own row by it. */
  ownerXid: string;
}

/** A workflow's whole status row, as read back. */
export interface WorkflowStatusRecord {
  workflowID: string;
  status: WorkflowStatusString;
  workflowName: string;
  className: string | null;
  configName: string | null;
  authenticatedUser: string | null;
  assumedRole: string | null;
  authenticatedRoles: string | null;
  request: string | null;
  /** The stored W3C `traceparent` (durably's `trace_context` column), if it was started while tracing. */
  traceContext?: string | null;
  inputs: string | null;
  output: string | null;
  error: string | null;
  serialization: string | null;
  executorID: string | null;
  applicationVersion: string | null;
  applicationID: string | null;
  applicationName: string | null;
  createdAt: number;
  updatedAt: number;
  recoveryAttempts: number;
  queueName: string | null;
  deduplicationID: string | null;
  priority: number;
  queuePartitionKey: string | null;
  startedAtEpochMs: number | null;
  delayUntilEpochMs: number | null;
  timeoutMs: number | null;
  deadlineEpochMs: number | null;
  parentWorkflowID: string | null;
  forkedFrom: string | null;
  scheduleName: string | null;
  completedAt: number | null;
  ownerXid: string | null;
  /** A fork was made from this workflow. */
  wasForkedFrom?: boolean;
  /** JSON object text, if any. */
  attributes?: string | null;
}

/** The recorded outcome of one operation of a workflow (a step, a child start, a sleep...). */
export interface StepOutcomeRecord {
  workflowID: string;
  functionID: number;
  functionName: string;
  output: string | null;
  error: string | null;
  childWorkflowID: string | null;
  startedAtEpochMs: number;
  completedAtEpochMs: number;
  serialization: string | null;
}

/** A workflow's final result, written once while it is still PENDING. */
export interface WorkflowOutcomeRecord {
  workflowID: string;
  /** Its queue, if any: a slot there frees up, so that queue's dequeuers are woken. */
  queueName: string | null;
  status: 'SUCCESS' | 'ERROR';
  output: string | null;
  error: string | null;
  serialization: string;
  completedAt: number;
}

export type InsertWorkflowResult =
  | { inserted: true }
  | { inserted: false; existing: WorkflowStatusRecord };


/**
 * Which workflow status rows to list, and how. Every filter is optional and
 * they combine with AND; a list filter matches any of its values.
 */
export interface WorkflowListFilter {
  workflowIDs?: readonly string[];
  workflowNames?: readonly string[];
  statuses?: readonly WorkflowStatusString[];
  /** Created at or after this time (epoch ms). */
  createdFrom?: number;
  /** Created at or before this time (epoch ms). */
  createdTo?: number;
  applicationVersions?: readonly string[];
  queueNames?: readonly string[];
  scheduleNames?: readonly string[];
  /** Only workflows that were enqueued (have a queue name). */
  queuesOnly?: boolean;
  /** Finished at or after / at or before (epoch ms). */
  completedFrom?: number;
  completedTo?: number;
  /** Dequeued (started_at) at or after / at or before (epoch ms). */
  dequeuedFrom?: number;
  dequeuedTo?: number;
  authenticatedUsers?: readonly string[];
  executorIDs?: readonly string[];
  workflowIDPrefixes?: readonly string[];
  forkedFrom?: readonly string[];
  wasForkedFrom?: boolean;
  isFork?: boolean;
  parentWorkflowIDs?: readonly string[];
  hasParent?: boolean;
  /** JSON object text: rows whose attributes contain it (JSONB `@>`). */
  attributesContain?: string;
  applicationNames?: readonly string[];
  /** Rows owned by one of these applications or by none (NULL application_name): DBOS's ownership scope. */
  ownedBy?: readonly string[];
  /** Rows holding one of these deduplication IDs (internal: duplicationPolicy 'return-existing'). */
  deduplicationIDs?: readonly string[];
  /** Only (true) or never (false) stranded rows: see `stranded`, judged against executors live since `liveSinceEpochMs`. */
  stranded?: { only: boolean; liveSinceEpochMs: number };
  limit?: number;
  offset?: number;
  /** Newest first; oldest first by default. */
  sortDesc?: boolean;
  /** Read the inputs column (default true); unread columns come back null. */
  loadInput?: boolean;
  /** Read the output and error columns (default true). */
  loadOutput?: boolean;
}

/** A message for a workflow (DBOS.send). */
export interface MessageRecord {
  messageID: string;
  destinationID: string;
  /** Stored as DBOS does: `__null__topic__` for the default topic. */
  topic: string;
  text: string;
  serialization: string;
  createdAt: number;
}

/** A value a workflow published (DBOS.setEvent) or appended to a stream (DBOS.writeStream). */
export interface PublishedValue {
  workflowID: string;
  key: string;
  text: string;
  serialization: string;
  /** The publishing operation's function ID (events history, stream rows). */
  functionID: number;
}

export interface StoredValue {
  text: string;
  serialization: string | null;
}

export interface StreamEntry extends StoredValue {
  offset: number;
}

/** A fork: a new workflow from an original's inputs and its outcomes before `startStep`. */
export interface ForkRequest {
  originalID: string;
  newWorkflowID: string;
  startStep: number;
  /** Null: the original's version. */
  applicationVersion: string | null;
  timeoutMs: number | null;
  queueName: string;
  executorID: string;
  ownerXid: string;
  now: number;
  /** The fork's partition key on a partitioned queue. */
  queuePartitionKey?: string | null;
  /**
   * The fork stores the original's trace context behind this prefix (telemetry/tracing.ts): its runs start
   * a trace of their own, with a span link to the original's.
   */
  traceLinkPrefix: string;
}

/** Rewind a finished workflow in place: drop its history from `startStep` on and enqueue it again under its ID. */
export interface RewindRequest {
  workflowID: string;
  startStep: number;
  /** Null: keep its version. */
  applicationVersion: string | null;
  queueName: string;
  queuePartitionKey: string | null;
  now: number;
}

/** What a rewind found: done, no such workflow, or a workflow not finished (its status). */
export type RewindOutcome = { kind: 'rewound' } | { kind: 'missing' } | { kind: 'not-terminal'; status: string };

/** renameApplication's request: rows of `oldName` (and unowned ones, with adoptUnclaimedRows) become `newName`'s. */
export interface ApplicationRename {
  oldName: string | undefined;
  newName: string;
  /** Terminal workflows and steps move this many per transaction; null: all in one. */
  batchSize: number | null;
  adoptUnclaimedRows: boolean;
}

/** Rows a rename moved, by table (DBOS's ApplicationRowCounts). */
export interface ApplicationRowCounts {
  queues: number;
  schedules: number;
  versions: number;
  workflows: number;
  steps: number;
}

/** A row of `event_dispatch_kv`: versioned state of an event receiver (the cron scheduler's last fired slot). */
export interface EventDispatchState {
  service: string;
  workflowFnName: string;
  key: string;
  value: string | null;
  updateSeq: number | null;
  updateTime: number | null;
}

/** A dynamic schedule's row (`workflow_schedules`); `context` is serialized, `lastFiredAt` an ISO time. */
export interface ScheduleRecord {
  scheduleID: string;
  scheduleName: string;
  workflowName: string;
  workflowClassName: string | null;
  schedule: string;
  status: 'ACTIVE' | 'PAUSED';
  context: string;
  lastFiredAt: string | null;
  automaticBackfill: boolean;
  cronTimezone: string | null;
  queueName: string | null;
  applicationName: string | null;
}

/** Filters of a schedule listing; each matches any of its values, absent ones match all. */
export interface ScheduleFilter {
  applicationNames?: readonly string[];
  /** Only schedules of this application or of none. */
  ownedBy?: string;
  statuses?: readonly string[];
  workflowNames?: readonly string[];
  scheduleNamePrefixes?: readonly string[];
}

/** The columns of a schedule a change may set (name, ID and owner never change). */
export type ScheduleChanges = Partial<
  Pick<ScheduleRecord, 'schedule' | 'status' | 'context' | 'automaticBackfill' | 'cronTimezone' | 'queueName' | 'workflowName' | 'workflowClassName'>
>;

/** An application version row (`application_versions`); the latest is the greatest versionTimestamp. */
export interface ApplicationVersionRecord {
  versionID: string;
  versionName: string;
  versionTimestamp: number;
  createdAt: number;
  applicationName: string | null;
}

/**
 * One debounce call (DBOS's Debouncer): coalesce into the DELAYED workflow
 * holding `deduplicationID` on its queue, or enqueue `workflow` as a new one.
 */
export interface DebounceRequest {
  /** The new workflow, if none is waiting: status DELAYED, `deduplicationID` the debounce key. */
  workflow: NewWorkflowRecord & { status: 'DELAYED'; queueName: string; deduplicationID: string };
  /** Latest start of the new workflow (epoch ms), null for no bound. */
  debounceDeadlineEpochMs: number | null;
  /** The waiting workflow is moved to start this long after `now` (never past its deadline)... */
  periodMs: number;
  now: number;
  /** ...with these inputs. */
  inputs: string;
  serialization: string;
}

export type DebounceOutcome =
  | { kind: 'bounced' | 'enqueued'; workflowID: string }
  /** The deduplication ID is held by another (not debounced) workflow. */
  | { kind: 'held'; holderID: string };

/** Handing a stranded workflow to another application version (SystemDatabase.adoptStrandedWorkflow). */
export interface StrandedAdoption {
  workflowID: string;
  /** The version the workflow was stamped with; the adoption applies only while it still is, and still stranded. */
  fromVersion: string;
  toVersion: string;
  /** Where a directly started (queueless) workflow goes to be claimed (recovery's internal queue). */
  fallbackQueue: string;
  liveSinceEpochMs: number;
  now: number;
}

/** How SystemDatabase.garbageCollect runs its batches (each batch: one transaction deleting up to `batchSize` workflows). */
export interface GarbageCollectionPacing {
  /**
   * Workflows per batch, fixed (and rows per step in finding keepRows' cutoff); by default each batch is
   * sized to take a few milliseconds (sql/garbage-collection.ts).
   */
  batchSize?: number;
  /** Awaited after each batch commits, before the next starts (nothing is held meanwhile). */
  afterBatch?: (batch: GarbageCollectionBatch) => void | Promise<void>;
}

export interface GarbageCollectionBatch {
  /** The most workflows this batch could delete. */
  limit: number;
  /** The workflows it deleted. */
  deleted: number;
}
