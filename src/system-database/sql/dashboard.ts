/**
 * SQL for the admin dashboard's reads (dashboard-reads.ts). Lists page by
 * keyset (created_at, workflow_uuid), never by OFFSET, so the 1,000th page
 * costs what the first does. Index use, per read:
 * - workflow pages: workflow_status_created_at_index, walked newest first
 *   (filters narrow the walk, stranded ones too; a queue filter on waiting or running rows may
 *   take idx_workflow_status_in_flight instead; failed statuses take
 *   idx_workflow_status_failed; an ID prefix, where text orders by code
 *   point, the primary key's range);
 * - events, messages, streams: their primary keys / idx_workflow_topic;
 * - queue depths: idx_workflow_status_in_flight (partial, covering);
 * - throughput: idx_workflow_status_completed_at;
 * - executors' running counts: idx_workflow_status_pending_executor;
 * - the change feed: created_at and completed_at indexes, and the PENDING
 *   partial index.
 */
import type { QueryRunner, Row } from '../connection.ts';
import type { Dialect } from '../dialect.ts';
import type {
  ExecutorRecord,
  QueueDepthRecord,
  QueueThroughputRecord,
  StoredEventRecord,
  StoredMessageRecord,
  StoredStreamRecord,
  WorkflowChangeRecord,
  WorkflowPageFilter,
} from '../dashboard-reads.ts';
import type { WorkflowStatusRecord, WorkflowStatusString } from '../records.ts';
import { Conditions } from './conditions.ts';
import { strandedCondition } from './stranded-versions.ts';
import { statusColumns, toWorkflowStatusRecord } from './workflows.ts';

/** idx_workflow_status_failed's statuses (DBOS's index on Postgres; migration 5 on SQLite). */
const failedStatuses: readonly string[] = ['ERROR', 'CANCELLED', 'MAX_RECOVERY_ATTEMPTS_EXCEEDED'];
const failedCondition = `status IN (${failedStatuses.map((status) => `'${status}'`).join(', ')})`;

/** Status columns with the (possibly large) value columns left unread. */
const summaryColumns = (d: Dialect) => statusColumns(d, { inputs: false, outputs: false });

export async function selectWorkflowPage(runner: QueryRunner, d: Dialect, filter: WorkflowPageFilter): Promise<WorkflowStatusRecord[]> {
  const where = new Conditions();
  where.anyOf('status', filter.statuses);
  // Only failed statuses asked for: their partial index, its own condition repeated so SQLite's planner takes it.
  if (filter.statuses?.length && filter.statuses.every((status) => failedStatuses.includes(status))) where.add(failedCondition);
  where.anyOf('name', filter.workflowNames);
  where.anyOf('queue_name', filter.queueNames);
  where.compare('created_at', '>=', filter.createdFrom);
  where.compare('created_at', '<=', filter.createdTo);
  if (filter.workflowIDPrefix !== undefined) where.anyPrefix('workflow_uuid', [filter.workflowIDPrefix], d.codePointTextOrder);
  where.ownedByAnyOf('application_name', filter.ownedBy);
  if (filter.strandedLiveSinceEpochMs !== undefined) where.add(strandedCondition(d, where.param(filter.strandedLiveSinceEpochMs)));
  if (filter.after) {
    // Written as a range plus a tie-break, so the created_at index bounds the walk.
    const createdAt = where.param(filter.after.createdAt);
    where.add(`created_at <= ${createdAt} AND (created_at < ${createdAt} OR workflow_uuid < ${where.param(filter.after.workflowID)})`);
  }
  const rows = await runner.query(
    `SELECT ${summaryColumns(d)} FROM ${d.table('workflow_status')} ${where.where}
     ORDER BY created_at DESC, workflow_uuid DESC LIMIT ${where.param(filter.limit)}`,
    where.params,
  );
  return rows.map(toWorkflowStatusRecord);
}

export async function selectEvents(runner: QueryRunner, d: Dialect, workflowID: string): Promise<StoredEventRecord[]> {
  const rows = await runner.query<{ key: string; value: string; serialization: string | null }>(
    `SELECT key, value, serialization FROM ${d.table('workflow_events')} WHERE workflow_uuid = $1 ORDER BY key`,
    [workflowID],
  );
  return rows.map((row) => ({ key: row.key, value: row.value, serialization: row.serialization }));
}

export async function selectMessages(runner: QueryRunner, d: Dialect, workflowID: string, limit: number): Promise<StoredMessageRecord[]> {
  const rows = await runner.query(
    `SELECT message_uuid, topic, message, serialization, created_at_epoch_ms, consumed FROM ${d.table('notifications')}
     WHERE destination_uuid = $1 ORDER BY created_at_epoch_ms, message_uuid LIMIT $2`,
    [workflowID, limit],
  );
  return rows.map((row) => ({
    messageID: String(row.message_uuid),
    topic: row.topic === null ? null : String(row.topic),
    value: String(row.message),
    serialization: row.serialization === null ? null : String(row.serialization),
    createdAtEpochMs: Number(row.created_at_epoch_ms),
    consumed: Boolean(row.consumed),
  }));
}

export async function selectStreamEntries(runner: QueryRunner, d: Dialect, workflowID: string, limit: number): Promise<StoredStreamRecord[]> {
  const rows = await runner.query(
    `SELECT key, "offset", value, serialization FROM ${d.table('streams')} WHERE workflow_uuid = $1
     ORDER BY key, "offset" LIMIT $2`,
    [workflowID, limit],
  );
  return rows.map((row) => ({
    key: String(row.key),
    offset: Number(row.offset),
    value: String(row.value),
    serialization: row.serialization === null ? null : String(row.serialization),
  }));
}

/** The partial index's own condition, repeated so SQLite's planner may use it. */
const inFlight = `status IN ('ENQUEUED', 'DELAYED', 'PENDING') AND queue_name IS NOT NULL`;

export async function selectQueueDepths(runner: QueryRunner, d: Dialect): Promise<QueueDepthRecord[]> {
  const rows = await runner.query(
    `SELECT queue_name, status, COUNT(*) AS count, MIN(created_at) AS oldest FROM ${d.table('workflow_status')}
     WHERE ${inFlight} GROUP BY queue_name, status`,
  );
  return rows.map((row) => ({
    queueName: String(row.queue_name),
    status: row.status as WorkflowStatusString,
    count: Number(row.count),
    oldestCreatedAt: Number(row.oldest),
  }));
}

export async function selectOldestWaiting(
  runner: QueryRunner,
  d: Dialect,
  queueName: string,
): Promise<{ workflowID: string; createdAt: number } | undefined> {
  const rows = await runner.query(
    `SELECT workflow_uuid, created_at FROM ${d.table('workflow_status')}
     WHERE ${inFlight} AND queue_name = $1 AND status IN ('ENQUEUED', 'DELAYED')
     ORDER BY created_at, workflow_uuid LIMIT 1`,
    [queueName],
  );
  const row = rows[0];
  return row ? { workflowID: String(row.workflow_uuid), createdAt: Number(row.created_at) } : undefined;
}

export async function selectQueueThroughput(runner: QueryRunner, d: Dialect, since: number): Promise<QueueThroughputRecord[]> {
  const rows = await runner.query(
    `SELECT queue_name, COUNT(*) AS completed FROM ${d.table('workflow_status')}
     WHERE completed_at IS NOT NULL AND completed_at >= $1 AND queue_name IS NOT NULL GROUP BY queue_name`,
    [since],
  );
  return rows.map((row) => ({ queueName: String(row.queue_name), completed: Number(row.completed) }));
}

export async function selectExecutors(runner: QueryRunner, d: Dialect): Promise<ExecutorRecord[]> {
  const [executors, pending] = await Promise.all([
    runner.query(
      `SELECT executor_id, application_version, heartbeat_at, started_at FROM ${d.table('durably_executors')} ORDER BY executor_id`,
    ),
    runner.query(
      `SELECT executor_id, COUNT(*) AS count FROM ${d.table('workflow_status')} WHERE status = 'PENDING' GROUP BY executor_id`,
    ),
  ]);
  const running = new Map(pending.map((row) => [String(row.executor_id), Number(row.count)]));
  return executors.map((row) => ({
    executorID: String(row.executor_id),
    applicationVersion: row.application_version === null ? null : String(row.application_version),
    heartbeatAt: Number(row.heartbeat_at),
    startedAt: Number(row.started_at),
    pendingWorkflows: running.get(String(row.executor_id)) ?? 0,
  }));
}

function toChange(row: Row, at: string): WorkflowChangeRecord {
  return { workflowID: String(row.workflow_uuid), status: row.status as WorkflowStatusString, at: Number(row[at]) };
}

export async function selectRecentChanges(
  runner: QueryRunner,
  d: Dialect,
  createdAfter: number,
  completedAfter: number,
  limit: number,
): Promise<WorkflowChangeRecord[]> {
  const table = d.table('workflow_status');
  // Three small indexed reads rather than one OR, which neither planner turns into index scans reliably.
  const [created, completed, pending] = await Promise.all([
    runner.query(`SELECT workflow_uuid, status, created_at FROM ${table} WHERE created_at > $1 ORDER BY created_at LIMIT $2`, [
      createdAfter,
      limit,
    ]),
    runner.query(
      `SELECT workflow_uuid, status, completed_at FROM ${table} WHERE completed_at IS NOT NULL AND completed_at > $1
       ORDER BY completed_at LIMIT $2`,
      [completedAfter, limit],
    ),
    runner.query(`SELECT workflow_uuid, status, updated_at FROM ${table} WHERE status = 'PENDING' LIMIT $1`, [limit]),
  ]);
  return [
    ...created.map((row) => toChange(row, 'created_at')),
    ...completed.map((row) => toChange(row, 'completed_at')),
    ...pending.map((row) => toChange(row, 'updated_at')),
  ];
}

export async function selectStepCounts(runner: QueryRunner, d: Dialect, workflowIDs: readonly string[]): Promise<Map<string, number>> {
  if (workflowIDs.length === 0) return new Map();
  const where = new Conditions();
  where.anyOf('workflow_uuid', workflowIDs);
  const rows = await runner.query(
    `SELECT workflow_uuid, COUNT(*) AS count FROM ${d.table('operation_outputs')} ${where.where} GROUP BY workflow_uuid`,
    where.params,
  );
  return new Map(rows.map((row) => [String(row.workflow_uuid), Number(row.count)]));
}
