/**
 * Schedules from a process that does not run their workflows (a DBOSClient,
 * the `durably` CLI): the workflow is named, not passed, and a run is
 * enqueued by name instead of started here. A run gets the ID, queue,
 * arguments `(scheduledDate, context)` and schedule name the firing loops
 * give it, and the schedule's owner, so any worker with the workflow runs it
 * exactly once, and a slot fired by a worker and backfilled here runs once.
 */
import { DBOSConfigurationError, DBOSScheduleExistsError, DBOSScheduleNotFoundError } from '../errors/errors.ts';
import type { Engine } from '../engine/engine.ts';
import { internalQueueName } from '../engine/recovery.ts';
import { deserializeValue, defaultSerialization } from '../engine/serialization.ts';
import { DurableWorkflowHandle } from '../engine/workflow-handle.ts';
import { buildEnqueueRecord, encodeInputs } from '../queues/enqueue-by-name.ts';
import type { EnqueueWorkflowOptions } from '../queues/enqueue-options.ts';
import type { ScheduleRecord } from '../system-database/records.ts';
import type { WorkflowHandle } from '../types/workflow-types.ts';
import { namedScheduleRecord, type NamedScheduleInput, type ScheduleOptions } from './dynamic-schedules.ts';
import { cronOf } from './schedule-runs.ts';
import { scheduledWorkflowID } from './scheduler.ts';

/** A schedule as applySchedules takes it by name: the options inline. */
export type NamedAppliedSchedule = Omit<NamedScheduleInput, 'options'> & ScheduleOptions;

export async function createScheduleByName(engine: Engine, input: NamedScheduleInput, what: string): Promise<void> {
  const record = namedScheduleRecord(engine, input, what);
  if (!(await engine.systemDatabase.schedules.create(record))) throw new DBOSScheduleExistsError(record.scheduleName);
}

/** Insert or redefine these schedules in one transaction (each keeps its status and last fired time). */
export async function applySchedulesByName(engine: Engine, inputs: NamedAppliedSchedule[], what: string): Promise<void> {
  if (!Array.isArray(inputs)) throw new DBOSConfigurationError(`${what}: expected an array of schedules.`);
  const records = inputs.map((input) => {
    const { automaticBackfill, cronTimezone, queueName, ...rest } = input;
    return namedScheduleRecord(engine, { ...rest, options: { automaticBackfill, cronTimezone, queueName } }, what);
  });
  if (new Set(records.map((r) => r.scheduleName)).size !== records.length) {
    throw new DBOSConfigurationError(`${what}: schedule names must be distinct.`);
  }
  await engine.systemDatabase.schedules.apply(records);
}

async function storedSchedule(engine: Engine, name: string, what: string): Promise<ScheduleRecord> {
  if (typeof name !== 'string' || name === '') throw new DBOSConfigurationError(`${what}: the schedule name must be a non-empty string.`);
  const record = await engine.systemDatabase.schedules.get(name);
  if (!record) throw new DBOSScheduleNotFoundError(name, what);
  return record;
}

/** Enqueue one run of a schedule by its workflow's name; an existing workflow with this ID is left as it is. */
async function enqueueScheduledRun(engine: Engine, schedule: ScheduleRecord, workflowID: string, scheduledDate: Date): Promise<WorkflowHandle<unknown>> {
  const options: EnqueueWorkflowOptions = {
    queueName: schedule.queueName ?? internalQueueName,
    workflowName: schedule.workflowName,
    workflowClassName: schedule.workflowClassName ?? undefined,
  };
  const context = deserializeValue(schedule.context, defaultSerialization);
  const inputs = await encodeInputs(options, [scheduledDate, context]);
  const placement = {
    queueName: options.queueName,
    status: 'ENQUEUED' as const,
    deduplicationID: null,
    priority: 0,
    queuePartitionKey: null,
    delayUntilEpochMs: null,
  };
  const record = buildEnqueueRecord(options, placement, inputs, {
    workflowID,
    executorID: engine.identity.executorID,
    applicationName: schedule.applicationName,
    parentWorkflowID: null,
  });
  await engine.systemDatabase.insertWorkflowOrGetExisting({ ...record, scheduleName: schedule.scheduleName });
  return new DurableWorkflowHandle<unknown>(engine, workflowID);
}

/** Run a schedule's workflow once now, whatever its status (`sched-<name>-trigger-<ISO now>`). */
export async function triggerScheduleByName(engine: Engine, name: string, what: string): Promise<WorkflowHandle<unknown>> {
  const schedule = await storedSchedule(engine, name, what);
  const now = new Date();
  return enqueueScheduledRun(engine, schedule, `sched-${schedule.scheduleName}-trigger-${now.toISOString()}`, now);
}

/** Enqueue every slot of a schedule in [start, end), each under its regular slot ID (idempotent). */
export async function backfillScheduleByName(engine: Engine, name: string, start: Date, end: Date, what: string): Promise<WorkflowHandle<unknown>[]> {
  for (const [label, date] of [['start', start], ['end', end]] as const) {
    if (!(date instanceof Date) || Number.isNaN(date.getTime())) throw new DBOSConfigurationError(`${what}: ${label} must be a valid Date.`);
  }
  const schedule = await storedSchedule(engine, name, what);
  const slots = cronOf(schedule)
    .between(new Date(start.getTime() - 1), end)
    .filter((slot) => slot.getTime() < end.getTime());
  const handles: WorkflowHandle<unknown>[] = [];
  for (const slot of slots) handles.push(await enqueueScheduledRun(engine, schedule, scheduledWorkflowID(schedule.scheduleName, slot), slot));
  return handles;
}
