/**
 * SQL for queues registered in the database (the `queues` table): register
 * (upsert), read, list, delete. Every change is announced on the queue
 * definitions channel, so other processes reload their queue catalogs
 * (Postgres: NOTIFY in the same statement; SQLite: they poll).
 */
import { randomUUID } from 'node:crypto';
import type { QueryRunner, Row } from '../connection.ts';
import type { Dialect, Notice } from '../dialect.ts';
import type { QueueDefinitionConflict, QueueDefinitionRecord } from '../claim-records.ts';
import { queueDefinitionsChannel, queueDefinitionsKey } from '../system-database.ts';
import { nullableNumber, nullableString, sqlBoolean } from './row-values.ts';

const columns = `name, concurrency, worker_concurrency, rate_limit_max, rate_limit_period_sec, priority_enabled,
  partition_queue, partition_concurrency, polling_interval_sec, application_name,
  partition_worker_concurrency, partition_rate_limit_max, partition_rate_limit_period_sec`;

/**
 * Listeners reload the whole catalog on any change, so every change carries
 * the same key (a constant column of RETURNING) rather than the queue's name.
 */
const changeKey = `CAST('${queueDefinitionsKey}' AS TEXT) AS change_key`;
const changeNotice: Notice = { channel: queueDefinitionsChannel, keyColumn: 'change_key' };

/** The columns a registration may change (never queue_id, name or created_at). */
const updatable = [
  'concurrency',
  'worker_concurrency',
  'rate_limit_max',
  'rate_limit_period_sec',
  'priority_enabled',
  'partition_queue',
  'partition_concurrency',
  'polling_interval_sec',
  'application_name',
  'partition_worker_concurrency',
  'partition_rate_limit_max',
  'partition_rate_limit_period_sec',
  'updated_at',
];

/** Insert a queue's row; on an existing name, overwrite it or keep it. Returns the row as stored. */
export async function upsertQueueDefinition(
  runner: QueryRunner,
  d: Dialect,
  definition: QueueDefinitionRecord,
  onConflict: QueueDefinitionConflict,
  now: number,
): Promise<QueueDefinitionRecord> {
  // `never_update` still takes the DO UPDATE path, as a no-op, so that one
  // statement returns the stored row whether or not it was just inserted.
  const onExisting =
    onConflict === 'always_update' ? updatable.map((c) => `${c} = excluded.${c}`).join(', ') : 'name = excluded.name';
  const insert = `INSERT INTO ${d.table('queues')} (queue_id, ${columns}, created_at, updated_at)
     VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $15)
     ON CONFLICT (name) DO UPDATE SET ${onExisting}
     RETURNING ${columns}, ${changeKey}`;
  const rows = await runner.query(d.notifying(insert, [changeNotice]), [
    randomUUID(),
    definition.name,
    definition.concurrency,
    definition.workerConcurrency,
    definition.rateLimitMax,
    definition.rateLimitPeriodSec,
    definition.priorityEnabled,
    definition.partitionQueue,
    definition.partitionConcurrency,
    definition.pollingIntervalSec,
    definition.applicationName,
    definition.partitionWorkerConcurrency,
    definition.partitionRateLimitMax,
    definition.partitionRateLimitPeriodSec,
    now,
  ]);
  return toQueueDefinition(rows[0]!);
}

export async function selectQueueDefinition(
  runner: QueryRunner,
  d: Dialect,
  name: string,
): Promise<QueueDefinitionRecord | undefined> {
  const rows = await runner.query(`SELECT ${columns} FROM ${d.table('queues')} WHERE name = $1`, [name]);
  return rows[0] ? toQueueDefinition(rows[0]) : undefined;
}

export async function selectQueueDefinitions(runner: QueryRunner, d: Dialect): Promise<QueueDefinitionRecord[]> {
  const rows = await runner.query(`SELECT ${columns} FROM ${d.table('queues')} ORDER BY name`);
  return rows.map(toQueueDefinition);
}

/** Delete a queue's row; false if there was none. */
export async function deleteQueueDefinition(runner: QueryRunner, d: Dialect, name: string): Promise<boolean> {
  const remove = `DELETE FROM ${d.table('queues')} WHERE name = $1 RETURNING name, ${changeKey}`;
  const rows = await runner.query(d.notifying(remove, [changeNotice]), [name]);
  return rows.length > 0;
}

function toQueueDefinition(row: Row): QueueDefinitionRecord {
  return {
    name: String(row.name),
    concurrency: nullableNumber(row.concurrency),
    workerConcurrency: nullableNumber(row.worker_concurrency),
    rateLimitMax: nullableNumber(row.rate_limit_max),
    rateLimitPeriodSec: nullableNumber(row.rate_limit_period_sec),
    priorityEnabled: sqlBoolean(row.priority_enabled),
    partitionQueue: sqlBoolean(row.partition_queue),
    partitionConcurrency: nullableNumber(row.partition_concurrency),
    partitionWorkerConcurrency: nullableNumber(row.partition_worker_concurrency),
    partitionRateLimitMax: nullableNumber(row.partition_rate_limit_max),
    partitionRateLimitPeriodSec: nullableNumber(row.partition_rate_limit_period_sec),
    pollingIntervalSec: Number(row.polling_interval_sec ?? 1),
    applicationName: nullableString(row.application_name),
  };
}
