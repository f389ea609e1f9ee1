/**
 * Reads for the admin dashboard (admin/): paged, filtered workflow lists and
 * what operators want to see of a workflow, a queue or an executor. Each read
 * is one indexed query, bounded by a limit; none writes, none is on the hot
 * path. Implemented once in SQL (sql-dashboard-reads.ts, sql/dashboard.ts).
 */
import type { WorkflowStatusRecord, WorkflowStatusString } from './records.ts';

/** Position after the last row of a page, newest first: (created_at, workflow_uuid). */
export interface WorkflowPageCursor {
  createdAt: number;
  workflowID: string;
}

export interface WorkflowPageFilter {
  statuses?: readonly WorkflowStatusString[];
  workflowNames?: readonly string[];
  queueNames?: readonly string[];
  /** Created at or after / at or before (epoch ms). */
  createdFrom?: number;
  createdTo?: number;
  workflowIDPrefix?: string;
  /** Rows owned by one of these applications or by none (as listings scope them). */
  ownedBy?: readonly string[];
  /** Only stranded rows, judged against executors live since this time (sql/stranded-versions.ts). */
  strandedLiveSinceEpochMs?: number;
  /** Rows after this position, newest first. */
  after?: WorkflowPageCursor;
  limit: number;
}

export interface StoredEventRecord {
  key: string;
  value: string;
  serialization: string | null;
}

export interface StoredMessageRecord {
  messageID: string;
  topic: string | null;
  value: string;
  serialization: string | null;
  createdAtEpochMs: number;
  consumed: boolean;
}

export interface StoredStreamRecord {
  key: string;
  offset: number;
  value: string;
  serialization: string | null;
}

/** How many workflows of a queue are in each waiting or running status, and since when. */
export interface QueueDepthRecord {
  queueName: string;
  status: WorkflowStatusString;
  count: number;
  oldestCreatedAt: number;
}

export interface QueueThroughputRecord {
  queueName: string;
  completed: number;
}

export interface ExecutorRecord {
  executorID: string;
  applicationVersion: string | null;
  heartbeatAt: number;
  startedAt: number;
  /** PENDING workflows stamped with this executor. */
  pendingWorkflows: number;
}

/** A change seen by the dashboard's change feed. */
export interface WorkflowChangeRecord {
  workflowID: string;
  status: WorkflowStatusString;
  at: number;
}

export interface DashboardReads {
  /** A page of status rows, newest first, without inputs, outputs or errors. */
  listWorkflowPage(filter: WorkflowPageFilter): Promise<WorkflowStatusRecord[]>;
  /** The latest value of each of a workflow's events. */
  listEvents(workflowID: string): Promise<StoredEventRecord[]>;
  /** Messages sent to a workflow, oldest first (at most `limit`). */
  listMessages(workflowID: string, limit: number): Promise<StoredMessageRecord[]>;
  /** Stream entries of a workflow by key and offset (at most `limit`). */
  listStreamEntries(workflowID: string, limit: number): Promise<StoredStreamRecord[]>;
  /** ENQUEUED, DELAYED and PENDING counts per queue. */
  queueDepths(): Promise<QueueDepthRecord[]>;
  /** The oldest waiting (ENQUEUED or DELAYED) workflow of a queue. */
  oldestWaiting(queueName: string): Promise<{ workflowID: string; createdAt: number } | undefined>;
  /** Workflows of each queue finished since `sinceEpochMs`. */
  queueThroughput(sinceEpochMs: number): Promise<QueueThroughputRecord[]>;
  listExecutors(): Promise<ExecutorRecord[]>;
  /** The application versions executors with a heartbeat since `liveSinceEpochMs` run (stranded marks). */
  liveApplicationVersions(liveSinceEpochMs: number): Promise<string[]>;
  /** Workflows created or finished after the given times, and every PENDING one (the change feed's one read). */
  recentChanges(createdAfter: number, completedAfter: number, limit: number): Promise<WorkflowChangeRecord[]>;
  /** How many operations each of these workflows has recorded. */
  stepCounts(workflowIDs: readonly string[]): Promise<Map<string, number>>;
}
