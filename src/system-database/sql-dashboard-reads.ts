/** DashboardReads implemented once in SQL for both backends (a part of SqlSystemDatabase). */
import type { QueryRunner } from './connection.ts';
import type {
  DashboardReads,
  ExecutorRecord,
  QueueDepthRecord,
  QueueThroughputRecord,
  StoredEventRecord,
  StoredMessageRecord,
  StoredStreamRecord,
  WorkflowChangeRecord,
  WorkflowPageFilter,
} from './dashboard-reads.ts';
import type { Dialect } from './dialect.ts';
import type { WorkflowStatusRecord } from './records.ts';
import {
  selectEvents,
  selectExecutors,
  selectMessages,
  selectOldestWaiting,
  selectQueueDepths,
  selectQueueThroughput,
  selectRecentChanges,
  selectStepCounts,
  selectStreamEntries,
  selectWorkflowPage,
} from './sql/dashboard.ts';
import { selectLiveVersions } from './sql/stranded-versions.ts';

export class SqlDashboardReads implements DashboardReads {
  constructor(
    private readonly runner: QueryRunner,
    private readonly dialect: Dialect,
  ) {}

  listWorkflowPage(filter: WorkflowPageFilter): Promise<WorkflowStatusRecord[]> {
    return selectWorkflowPage(this.runner, this.dialect, filter);
  }

  listEvents(workflowID: string): Promise<StoredEventRecord[]> {
    return selectEvents(this.runner, this.dialect, workflowID);
  }

  listMessages(workflowID: string, limit: number): Promise<StoredMessageRecord[]> {
    return selectMessages(this.runner, this.dialect, workflowID, limit);
  }

  listStreamEntries(workflowID: string, limit: number): Promise<StoredStreamRecord[]> {
    return selectStreamEntries(this.runner, this.dialect, workflowID, limit);
  }

  queueDepths(): Promise<QueueDepthRecord[]> {
    return selectQueueDepths(this.runner, this.dialect);
  }

  oldestWaiting(queueName: string): Promise<{ workflowID: string; createdAt: number } | undefined> {
    return selectOldestWaiting(this.runner, this.dialect, queueName);
  }

  queueThroughput(sinceEpochMs: number): Promise<QueueThroughputRecord[]> {
    return selectQueueThroughput(this.runner, this.dialect, sinceEpochMs);
  }

  listExecutors(): Promise<ExecutorRecord[]> {
    return selectExecutors(this.runner, this.dialect);
  }

  liveApplicationVersions(liveSinceEpochMs: number): Promise<string[]> {
    return selectLiveVersions(this.runner, this.dialect, liveSinceEpochMs);
  }

  recentChanges(createdAfter: number, completedAfter: number, limit: number): Promise<WorkflowChangeRecord[]> {
    return selectRecentChanges(this.runner, this.dialect, createdAfter, completedAfter, limit);
  }

  stepCounts(workflowIDs: readonly string[]): Promise<Map<string, number>> {
    return selectStepCounts(this.runner, this.dialect, workflowIDs);
  }
}
