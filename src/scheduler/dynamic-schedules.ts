/**
 * Dynamic schedules, DBOS's API: schedules stored in the database
 * (`workflow_schedules`), created, changed and removed at runtime by any
 * process, and run by every process's DynamicScheduler. Definitions are
 * validated before anything is written; a change made from workflow code is
 * recorded with the change itself, so a replay does not make it again.
 */
import { randomUUID } from 'node:crypto';
import {
  DBOSConfigurationError,
  DBOSNotRegisteredError,
  DBOSScheduleExistsError,
  DBOSScheduleNotFoundError,
} from '../errors/errors.ts';
import type { WorkflowHandle } from '../types/workflow-types.ts';
import { checkpointFor } from '../engine/checkpoint.ts';
import { recordedOperation, recordedOutcome, replay } from '../engine/checkpoint.ts';
import type { Engine } from '../engine/engine.ts';
import { deserializeValue, defaultSerialization, serializeValue } from '../engine/serialization.ts';
import { reserveFunctionID, workflowCodeState } from '../engine/workflow-context.ts';
import { DurableWorkflowHandle } from '../engine/workflow-handle.ts';
import type { ScheduleChanges, ScheduleRecord, StepOutcomeRecord } from '../system-database/records.ts';
import { CronExpression } from './cron-expression.ts';
import { backfillScheduledRuns, triggerScheduledRun } from './schedule-runs.ts';

/** The signature of a dynamically scheduled workflow. */
export type ScheduledWorkflowFn = (scheduledDate: Date, context: any) => Promise<void>;

export interface ScheduleOptions {
  /** After downtime, run the slots missed since the last one fired (default false: skip them). */
  automaticBackfill?: boolean;
  /** IANA time zone of the crontab (default: the process's local zone). */
  cronTimezone?: string;
  /** Queue of the runs (default: the internal queue, no limits). */
  queueName?: string;
}

export interface CreateScheduleInput {
  scheduleName: string;
  workflowFn: ScheduledWorkflowFn;
  schedule: string;
  context?: unknown;
  options?: ScheduleOptions;
}

/** A schedule as applySchedules takes it: the options inline. */
export type AppliedSchedule = Omit<CreateScheduleInput, 'options'> & ScheduleOptions;

export interface ScheduleUpdates {
  schedule?: string;
  context?: unknown;
  automaticBackfill?: boolean;
  cronTimezone?: string | null;
  queueName?: string | null;
}

export interface ScheduleListFilters {
  applicationName?: string | string[];
  status?: string | string[];
  workflowName?: string | string[];
  scheduleNamePrefix?: string | string[];
}

/** A schedule as DBOS reports it. */
export interface WorkflowSchedule {
  scheduleId: string;
  scheduleName: string;
  workflowName: string;
  workflowClassName: string;
  schedule: string;
  status: string;
  context: unknown;
  lastFiredAt: string | null;
  automaticBackfill: boolean;
  cronTimezone: string | null;
  queueName: string | null;
  applicationName?: string;
}

function asList(value: string | string[] | undefined): string[] | undefined {
  return value === undefined ? undefined : Array.isArray(value) ? value : [value];
}

function checkName(name: unknown, what: string): string {
  if (typeof name !== 'string' || name.trim() === '') {
    throw new DBOSConfigurationError(`${what}: the schedule name must be a non-empty string, got ${JSON.stringify(name)}.`);
  }
  return name;
}

function optionalString(value: unknown, option: string, what: string): string | null {
  if (value === undefined || value === null) return null;
  if (typeof value !== 'string' || value === '') {
    throw new DBOSConfigurationError(`${what}: ${option} must be a non-empty string, got ${JSON.stringify(value)}.`);
  }
  return value;
}

function serializedContext(context: unknown, scheduleName: string): string {
  return serializeValue(context ?? null, `the context of schedule "${scheduleName}"`, 'native', 'context').text;
}

function toWorkflowSchedule(record: ScheduleRecord): WorkflowSchedule {
  return {
    scheduleId: record.scheduleID,
    scheduleName: record.scheduleName,
    workflowName: record.workflowName,
    workflowClassName: record.workflowClassName ?? '',
    schedule: record.schedule,
    status: record.status,
    context: deserializeValue(record.context, defaultSerialization),
    lastFiredAt: record.lastFiredAt,
    automaticBackfill: record.automaticBackfill,
    cronTimezone: record.cronTimezone,
    queueName: record.queueName,
    ...(record.applicationName === null ? {} : { applicationName: record.applicationName }),
  };
}

/** A schedule named by its workflow's name rather than its function (a DBOSClient's, or the registry's answer). */
export interface NamedScheduleInput {
  scheduleName: string;
  workflowName: string;
  workflowClassName?: string | null;
  schedule: string;
  context?: unknown;
  options?: ScheduleOptions;
  /** The owner; default: the engine's application (none for an unnamed client). */
  applicationName?: string | null;
}

/** A validated schedule row, ready to insert. */
function newScheduleRecord(engine: Engine, input: CreateScheduleInput, what: string): ScheduleRecord {
  if (!input || typeof input !== 'object') throw new DBOSConfigurationError(`${what}: an options object is required.`);
  const scheduleName = checkName(input.scheduleName, what);
  const fn: unknown = input.workflowFn;
  const registration = typeof fn === 'function' ? engine.registry.findByFunction(fn) : undefined;
  if (registration?.kind !== 'workflow') {
    const name = (fn as { name?: string } | undefined)?.name || String(fn);
    throw new DBOSNotRegisteredError(name, `${what} "${scheduleName}": workflowFn "${name}" is not a registered workflow.`);
  }
  return namedScheduleRecord(engine, { ...input, workflowName: registration.name, workflowClassName: registration.className }, what);
}

/** A validated schedule row for a workflow named, not passed (it may be registered only in other processes). */
export function namedScheduleRecord(engine: Engine, input: NamedScheduleInput, what: string): ScheduleRecord {
  if (!input || typeof input !== 'object') throw new DBOSConfigurationError(`${what}: an options object is required.`);
  const scheduleName = checkName(input.scheduleName, what);
  if (typeof input.workflowName !== 'string' || input.workflowName === '') {
    throw new DBOSConfigurationError(`${what} "${scheduleName}": workflowName must be a non-empty string, got ${JSON.stringify(input.workflowName)}.`);
  }
  const options = input.options ?? {};
  const cronTimezone = optionalString(options.cronTimezone, 'cronTimezone', what);
  CronExpression.parse(input.schedule, cronTimezone ?? undefined, `${what} "${scheduleName}"`);
  if (options.automaticBackfill !== undefined && typeof options.automaticBackfill !== 'boolean') {
    throw new DBOSConfigurationError(`${what} "${scheduleName}": automaticBackfill must be a boolean.`);
  }
  const owner = input.applicationName !== undefined ? input.applicationName : engine.identity.applicationName;
  return {
    scheduleID: randomUUID(),
    scheduleName,
    workflowName: input.workflowName,
    workflowClassName: input.workflowClassName || null,
    schedule: input.schedule.trim(),
    status: 'ACTIVE',
    context: serializedContext(input.context, scheduleName),
    lastFiredAt: null,
    automaticBackfill: options.automaticBackfill ?? false,
    cronTimezone,
    queueName: optionalString(options.queueName, 'queueName', what),
    // An unnamed client's schedule is unclaimed: every application sharing the database runs it.
    applicationName: owner || null,
  };
}

/**
 * Make a schedule change: from workflow code, once (replayed from its
 * checkpoint, which commits with the change); elsewhere, directly.
 */
async function change<T>(name: string, apply: (checkpoint?: StepOutcomeRecord) => Promise<T>): Promise<T | undefined> {
  const workflow = workflowCodeState();
  if (!workflow) return apply();
  const functionID = reserveFunctionID(workflow);
  const recorded = recordedOutcome(workflow, functionID, name);
  if (recorded) return replay<T>(recorded);
  return apply(checkpointFor(workflow, functionID, name, Date.now()));
}

export async function createSchedule(engine: Engine, input: CreateScheduleInput): Promise<void> {
  const record = newScheduleRecord(engine, input, 'DBOS.createSchedule');
  await change('DBOS.createSchedule', async (checkpoint) => {
    if (!(await engine.systemDatabase.schedules.create(record, checkpoint))) throw new DBOSScheduleExistsError(record.scheduleName);
  });
}

/** Define many schedules at once (insert or redefine), in one transaction; not from workflow code. */
export async function applySchedules(engine: Engine, inputs: AppliedSchedule[]): Promise<void> {
  if (workflowCodeState()) throw new DBOSConfigurationError('DBOS.applySchedules cannot be called from workflow code.');
  const records = inputs.map((input) => newScheduleRecord(engine, { ...input, options: pickOptions(input) }, 'DBOS.applySchedules'));
  const names = new Set(records.map((r) => r.scheduleName));
  if (names.size !== records.length) throw new DBOSConfigurationError('DBOS.applySchedules: schedule names must be distinct.');
  await engine.systemDatabase.schedules.apply(records);
}

function pickOptions(input: ScheduleOptions): ScheduleOptions {
  return { automaticBackfill: input.automaticBackfill, cronTimezone: input.cronTimezone, queueName: input.queueName };
}

/** By default, this application's schedules and unowned ones; `applicationName` names the applications instead. */
export async function listSchedules(engine: Engine, filters: ScheduleListFilters = {}): Promise<WorkflowSchedule[]> {
  const applicationNames = asList(filters.applicationName);
  const records = await engine.systemDatabase.schedules.list({
    applicationNames,
    // An unnamed DBOSClient acts for no application, so it sees every application's schedules.
    ownedBy: applicationNames === undefined && engine.identity.applicationName !== '' ? engine.identity.applicationName : undefined,
    statuses: asList(filters.status),
    workflowNames: asList(filters.workflowName),
    scheduleNamePrefixes: asList(filters.scheduleNamePrefix),
  });
  return records.map(toWorkflowSchedule);
}

export async function getSchedule(engine: Engine, name: string): Promise<WorkflowSchedule | null> {
  const record = await engine.systemDatabase.schedules.get(checkName(name, 'DBOS.getSchedule'));
  return record ? toWorkflowSchedule(record) : null;
}

/** Change a schedule's definition: only given keys change, null clears a time zone or queue. */
export async function updateSchedule(engine: Engine, name: string, updates: ScheduleUpdates): Promise<void> {
  const what = 'DBOS.updateSchedule';
  checkName(name, what);
  const changes = await validatedChanges(engine, name, updates ?? {}, what);
  await setColumns(engine, name, changes, what);
}

export async function setScheduleStatus(engine: Engine, name: string, status: 'ACTIVE' | 'PAUSED'): Promise<void> {
  const what = status === 'PAUSED' ? 'DBOS.pauseSchedule' : 'DBOS.resumeSchedule';
  await setColumns(engine, checkName(name, what), { status }, what);
}

async function setColumns(engine: Engine, name: string, changes: ScheduleChanges, what: string): Promise<void> {
  await change(what, async (checkpoint) => {
    if (!(await engine.systemDatabase.schedules.update(name, changes, checkpoint))) throw new DBOSScheduleNotFoundError(name, what);
  });
}

async function validatedChanges(engine: Engine, name: string, updates: ScheduleUpdates, what: string): Promise<ScheduleChanges> {
  const changes: ScheduleChanges = {};
  if ('context' in updates) changes.context = serializedContext(updates.context, name);
  if (updates.automaticBackfill !== undefined) {
    if (typeof updates.automaticBackfill !== 'boolean') throw new DBOSConfigurationError(`${what} "${name}": automaticBackfill must be a boolean.`);
    changes.automaticBackfill = updates.automaticBackfill;
  }
  if (updates.queueName !== undefined) changes.queueName = optionalString(updates.queueName, 'queueName', what);
  if (updates.cronTimezone !== undefined) changes.cronTimezone = optionalString(updates.cronTimezone, 'cronTimezone', what);
  if (updates.schedule !== undefined || changes.cronTimezone !== undefined) {
    // The crontab and the zone are checked together, one of them possibly as stored.
    const stored = await engine.systemDatabase.schedules.get(name);
    if (!stored) throw new DBOSScheduleNotFoundError(name, what);
    const crontab = updates.schedule ?? stored.schedule;
    const zone = changes.cronTimezone !== undefined ? changes.cronTimezone : stored.cronTimezone;
    CronExpression.parse(crontab, zone ?? undefined, `${what} "${name}"`);
    if (updates.schedule !== undefined) changes.schedule = crontab.trim();
  }
  return changes;
}

export async function deleteSchedule(engine: Engine, name: string): Promise<void> {
  const what = 'DBOS.deleteSchedule';
  await change(what, (checkpoint) => engine.systemDatabase.schedules.delete(checkName(name, what), checkpoint));
}

async function existingSchedule(engine: Engine, name: string, what: string): Promise<ScheduleRecord> {
  const record = await engine.systemDatabase.schedules.get(checkName(name, what));
  if (!record) throw new DBOSScheduleNotFoundError(name, what);
  return record;
}

/**
 * Start runs of a schedule: from workflow code, once (the started IDs are
 * recorded, so a replay returns the same runs instead of starting new ones).
 */
async function startRuns(engine: Engine, what: string, start: () => Promise<WorkflowHandle<unknown>[]>): Promise<WorkflowHandle<unknown>[]> {
  const workflow = workflowCodeState();
  if (!workflow) return start();
  const ids = await recordedOperation(workflow, what, async () => (await start()).map((handle) => handle.workflowID));
  return ids.map((id) => new DurableWorkflowHandle<unknown>(engine, id));
}

/** Run a schedule's workflow once now, whatever its status. */
export async function triggerSchedule(engine: Engine, name: string): Promise<WorkflowHandle<unknown>> {
  const what = 'DBOS.triggerSchedule';
  const [handle] = await startRuns(engine, what, async () => [await triggerScheduledRun(engine, await existingSchedule(engine, name, what))]);
  return handle!;
}

/** Enqueue every slot in [start, end) not run yet (each slot's ID is the one the scheduler uses). */
export async function backfillSchedule(engine: Engine, name: string, start: Date, end: Date): Promise<WorkflowHandle<unknown>[]> {
  const what = 'DBOS.backfillSchedule';
  for (const [label, date] of [['start', start], ['end', end]] as const) {
    if (!(date instanceof Date) || Number.isNaN(date.getTime())) throw new DBOSConfigurationError(`${what}: ${label} must be a valid Date.`);
  }
  return startRuns(engine, what, async () => backfillScheduledRuns(engine, await existingSchedule(engine, name, what), start, end));
}
