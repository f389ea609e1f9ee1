/**
 * SQL for dynamic schedules (`workflow_schedules`, DBOS's table). Every change
 * is announced on the schedules channel so every process's scheduler follows
 * it (Postgres: NOTIFY in the same statement; SQLite: they poll). A change
 * made from workflow code commits with its checkpoint.
 */
import type { QueryRunner, Row, SqlValue } from '../connection.ts';
import type { Dialect, Notice } from '../dialect.ts';
import type { ScheduleChanges, ScheduleFilter, ScheduleRecord, StepOutcomeRecord } from '../records.ts';
import { schedulesChannel, schedulesKey } from '../system-database.ts';
import { Conditions } from './conditions.ts';
import { insertStepOutcomeOrConflict } from './steps.ts';
import { nullableString, sqlBoolean } from './row-values.ts';

const columns = `schedule_id, schedule_name, workflow_name, workflow_class_name, schedule, status, context,
  last_fired_at, automatic_backfill, cron_timezone, queue_name, application_name`;

/** Schedulers reload every schedule on any change, so every change carries the same key. */
const changeKey = `CAST('${schedulesKey}' AS TEXT) AS change_key`;
const changeNotice: Notice = { channel: schedulesChannel, keyColumn: 'change_key' };

const changeColumns: Record<keyof ScheduleChanges, string> = {
  schedule: 'schedule',
  status: 'status',
  context: 'context',
  automaticBackfill: 'automatic_backfill',
  cronTimezone: 'cron_timezone',
  queueName: 'queue_name',
  workflowName: 'workflow_name',
  workflowClassName: 'workflow_class_name',
};

function insertValues(s: ScheduleRecord): SqlValue[] {
  return [
    s.scheduleID,
    s.scheduleName,
    s.workflowName,
    s.workflowClassName,
    s.schedule,
    s.status,
    s.context,
    s.lastFiredAt,
    s.automaticBackfill,
    s.cronTimezone,
    s.queueName,
    s.applicationName,
  ];
}

/** Insert a schedule; false (nothing written) when its name is taken. */
export async function insertSchedule(
  tx: QueryRunner,
  d: Dialect,
  schedule: ScheduleRecord,
  checkpoint: StepOutcomeRecord | undefined,
): Promise<boolean> {
  const insert = `INSERT INTO ${d.table('workflow_schedules')} (${columns})
     VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12)
     ON CONFLICT (schedule_name) DO NOTHING
     RETURNING ${changeKey}`;
  const rows = await tx.query(d.notifying(insert, [changeNotice]), insertValues(schedule));
  if (rows.length === 0) return false;
  if (checkpoint) await insertStepOutcomeOrConflict(tx, d, checkpoint);
  return true;
}

/**
 * Insert or redefine each schedule (declarative apply): an existing one keeps
 * its ID, status and last fired time.
 */
export async function upsertSchedules(tx: QueryRunner, d: Dialect, schedules: readonly ScheduleRecord[]): Promise<void> {
  const redefined = ['workflow_name', 'workflow_class_name', 'schedule', 'context', 'automatic_backfill', 'cron_timezone', 'queue_name'];
  const upsert = `INSERT INTO ${d.table('workflow_schedules')} (${columns})
     VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12)
     ON CONFLICT (schedule_name) DO UPDATE SET ${redefined.map((c) => `${c} = excluded.${c}`).join(', ')}
     RETURNING ${changeKey}`;
  for (const schedule of schedules) await tx.query(d.notifying(upsert, [changeNotice]), insertValues(schedule));
}

export async function selectSchedules(runner: QueryRunner, d: Dialect, filter: ScheduleFilter): Promise<ScheduleRecord[]> {
  const where = new Conditions();
  where.anyOf('application_name', filter.applicationNames);
  where.ownedBy('application_name', filter.ownedBy);
  where.anyOf('status', filter.statuses);
  where.anyOf('workflow_name', filter.workflowNames);
  where.anyPrefix('schedule_name', filter.scheduleNamePrefixes);
  const rows = await runner.query(
    `SELECT ${columns} FROM ${d.table('workflow_schedules')} ${where.where} ORDER BY schedule_name`,
    where.params,
  );
  return rows.map(toScheduleRecord);
}

export async function selectSchedule(runner: QueryRunner, d: Dialect, name: string): Promise<ScheduleRecord | undefined> {
  const rows = await runner.query(`SELECT ${columns} FROM ${d.table('workflow_schedules')} WHERE schedule_name = $1`, [name]);
  return rows[0] ? toScheduleRecord(rows[0]) : undefined;
}

/** Set the given columns of a schedule; false (nothing written) when there is no such schedule. */
export async function updateSchedule(
  tx: QueryRunner,
  d: Dialect,
  name: string,
  changes: ScheduleChanges,
  checkpoint: StepOutcomeRecord | undefined,
): Promise<boolean> {
  const params: SqlValue[] = [name];
  const sets = Object.entries(changes)
    .filter(([, value]) => value !== undefined)
    .map(([key, value]) => {
      params.push(value as SqlValue);
      return `${changeColumns[key as keyof ScheduleChanges]} = $${params.length}`;
    });
  // No column to change still checks that the schedule exists.
  if (sets.length === 0) sets.push('schedule_name = schedule_name');
  const update = `UPDATE ${d.table('workflow_schedules')} SET ${sets.join(', ')} WHERE schedule_name = $1 RETURNING ${changeKey}`;
  const rows = await tx.query(d.notifying(update, [changeNotice]), params);
  if (rows.length === 0) return false;
  if (checkpoint) await insertStepOutcomeOrConflict(tx, d, checkpoint);
  return true;
}

/** Delete a schedule; false when there was none (the checkpoint is written either way). */
export async function deleteSchedule(
  tx: QueryRunner,
  d: Dialect,
  name: string,
  checkpoint: StepOutcomeRecord | undefined,
): Promise<boolean> {
  const remove = `DELETE FROM ${d.table('workflow_schedules')} WHERE schedule_name = $1 RETURNING ${changeKey}`;
  const rows = await tx.query(d.notifying(remove, [changeNotice]), [name]);
  if (checkpoint) await insertStepOutcomeOrConflict(tx, d, checkpoint);
  return rows.length > 0;
}

/**
 * Record that a schedule fired for `slot` (ISO time), never moving it back:
 * processes firing the same slots concurrently converge on the latest. Not
 * announced: it changes no definition.
 */
export async function markScheduleFired(runner: QueryRunner, d: Dialect, name: string, slot: string): Promise<void> {
  await runner.query(
    `UPDATE ${d.table('workflow_schedules')} SET last_fired_at = $2
     WHERE schedule_name = $1 AND (last_fired_at IS NULL OR last_fired_at < $2)`,
    [name, slot],
  );
}

function toScheduleRecord(row: Row): ScheduleRecord {
  return {
    scheduleID: String(row.schedule_id),
    scheduleName: String(row.schedule_name),
    workflowName: String(row.workflow_name),
    workflowClassName: nullableString(row.workflow_class_name),
    schedule: String(row.schedule),
    status: row.status === 'PAUSED' ? 'PAUSED' : 'ACTIVE',
    context: String(row.context),
    lastFiredAt: nullableString(row.last_fired_at),
    automaticBackfill: sqlBoolean(row.automatic_backfill),
    cronTimezone: nullableString(row.cron_timezone),
    queueName: nullableString(row.queue_name),
    applicationName: nullableString(row.application_name),
  };
}
