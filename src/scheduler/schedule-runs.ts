/**
 * Starting the runs of a dynamic schedule: its workflow, looked up by name in
 * this process's registry, enqueued with (scheduledDate, context) under a
 * deterministic ID, so a slot fired by several processes (or backfilled
 * twice) runs once. Used by the firing loops, triggerSchedule and
 * backfillSchedule.
 */
import { DBOSNotRegisteredError } from '../errors/errors.ts';
import type { WorkflowHandle } from '../types/workflow-types.ts';
import type { Engine } from '../engine/engine.ts';
import { internalQueueName } from '../engine/recovery.ts';
import { qualifiedName, type RegisteredWorkflow } from '../engine/registry.ts';
import { deserializeValue, defaultSerialization } from '../engine/serialization.ts';
import { startWorkflow } from '../engine/start-workflow.ts';
import { runInContext } from '../engine/workflow-context.ts';
import type { ScheduleRecord } from '../system-database/records.ts';
import { CronExpression } from './cron-expression.ts';
import { scheduledWorkflowID } from './scheduler.ts';

/** The registered workflow a schedule runs; DBOSNotRegisteredError when this process does not have it. */
export function scheduledWorkflowOf(engine: Engine, schedule: ScheduleRecord): RegisteredWorkflow {
  const registration = engine.registry.findWorkflow(schedule.workflowClassName, schedule.workflowName);
  if (!registration) {
    const name = qualifiedName(schedule.workflowClassName ?? '', schedule.workflowName);
    throw new DBOSNotRegisteredError(
      name,
      `Schedule "${schedule.scheduleName}" runs workflow "${name}", which this process has not registered.`,
    );
  }
  return registration;
}

export function cronOf(schedule: ScheduleRecord): CronExpression {
  return CronExpression.parse(schedule.schedule, schedule.cronTimezone ?? undefined, `Schedule "${schedule.scheduleName}"`);
}

/** Enqueue one run of a schedule; an existing workflow with this ID is returned instead. */
export function startScheduledRun(
  engine: Engine,
  schedule: ScheduleRecord,
  workflowID: string,
  scheduledDate: Date,
): Promise<WorkflowHandle<unknown>> {
  const registration = scheduledWorkflowOf(engine, schedule);
  const context = deserializeValue(schedule.context, defaultSerialization);
  // A top-level workflow, whatever context the caller is in.
  return runInContext({}, () =>
    startWorkflow(engine, {
      registration,
      thisArg: registration.thisArg,
      args: [scheduledDate, context],
      params: { workflowID, queueName: schedule.queueName ?? internalQueueName },
      scheduleName: schedule.scheduleName,
    }),
  );
}

/** Run a schedule once now (`sched-<name>-trigger-<ISO now>`). */
export function triggerScheduledRun(engine: Engine, schedule: ScheduleRecord): Promise<WorkflowHandle<unknown>> {
  const now = new Date();
  return startScheduledRun(engine, schedule, `sched-${schedule.scheduleName}-trigger-${now.toISOString()}`, now);
}

/** Enqueue every slot of a schedule in [start, end), each under its regular slot ID (idempotent). */
export async function backfillScheduledRuns(
  engine: Engine,
  schedule: ScheduleRecord,
  start: Date,
  end: Date,
): Promise<WorkflowHandle<unknown>[]> {
  const slots = cronOf(schedule)
    .between(new Date(start.getTime() - 1), end)
    .filter((slot) => slot.getTime() < end.getTime());
  const handles: WorkflowHandle<unknown>[] = [];
  for (const slot of slots) handles.push(await startScheduledRun(engine, schedule, scheduledWorkflowID(schedule.scheduleName, slot), slot));
  return handles;
}
