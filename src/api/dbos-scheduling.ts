/**
 * The scheduling part of the DBOS facade (DBOS inherits these static
 * members): static cron schedules declared in code, and dynamic schedules
 * stored in the system database. Each member delegates; no logic lives here.
 */
import { DBOSManagement } from './dbos-management.ts';
import type { FunctionName, WorkflowHandle } from '../types/workflow-types.ts';
import { engineFor } from '../runtime/runtime.ts';
import {
  applySchedules,
  backfillSchedule,
  createSchedule,
  deleteSchedule,
  getSchedule,
  listSchedules,
  setScheduleStatus,
  triggerSchedule,
  updateSchedule,
  type AppliedSchedule,
  type CreateScheduleInput,
  type ScheduleListFilters,
  type ScheduleUpdates,
  type WorkflowSchedule,
} from '../scheduler/dynamic-schedules.ts';
import { registerScheduled, scheduledDecorator, type SchedulerConfig } from '../scheduler/scheduled-workflows.ts';

export class DBOSScheduling extends DBOSManagement {
  /** Method decorator, with @DBOS.workflow(): run the static method on a cron schedule with (scheduledTime, actualTime). */
  static scheduled(config: SchedulerConfig) {
    return scheduledDecorator(config);
  }

  /** Run a registered workflow on a cron schedule with (scheduledTime, actualTime). */
  static registerScheduled<This, Return>(
    fn: (this: This, scheduledTime: Date, actualTime: Date) => Promise<Return>,
    config: SchedulerConfig & FunctionName,
  ): void {
    registerScheduled(fn, config);
  }

  // ---- dynamic schedules ----

  /** Store a schedule: every process runs `workflowFn(scheduledDate, context)` at each slot, once per slot. */
  static createSchedule(input: CreateScheduleInput): Promise<void> {
    return createSchedule(engineFor('DBOS.createSchedule'), input);
  }

  /** Schedules, by name; filters match any of their values. */
  static listSchedules(filters?: ScheduleListFilters): Promise<WorkflowSchedule[]> {
    return listSchedules(engineFor('DBOS.listSchedules'), filters);
  }

  static getSchedule(name: string): Promise<WorkflowSchedule | null> {
    return getSchedule(engineFor('DBOS.getSchedule'), name);
  }

  /** Delete a schedule (no error if there is none); runs already started are not affected. */
  static deleteSchedule(name: string): Promise<void> {
    return deleteSchedule(engineFor('DBOS.deleteSchedule'), name);
  }

  /** Stop firing a schedule until it is resumed. */
  static pauseSchedule(name: string): Promise<void> {
    return setScheduleStatus(engineFor('DBOS.pauseSchedule'), name, 'PAUSED');
  }

  static resumeSchedule(name: string): Promise<void> {
    return setScheduleStatus(engineFor('DBOS.resumeSchedule'), name, 'ACTIVE');
  }

  /** Change a schedule: only the given keys change; null clears the time zone or the queue. */
  static updateSchedule(name: string, updates: ScheduleUpdates): Promise<void> {
    return updateSchedule(engineFor('DBOS.updateSchedule'), name, updates);
  }

  /** Insert or redefine these schedules in one transaction (each keeps its status and last fired time). */
  static applySchedules(schedules: AppliedSchedule[]): Promise<void> {
    return applySchedules(engineFor('DBOS.applySchedules'), schedules);
  }

  /** Run a schedule's workflow once now. */
  static triggerSchedule(name: string): Promise<WorkflowHandle<unknown>> {
    return triggerSchedule(engineFor('DBOS.triggerSchedule'), name);
  }

  /** Enqueue every slot of a schedule in [start, end) that has not run (idempotent). */
  static backfillSchedule(name: string, start: Date, end: Date): Promise<WorkflowHandle<unknown>[]> {
    return backfillSchedule(engineFor('DBOS.backfillSchedule'), name, start, end);
  }
}
