/**
 * The SQL implementations of the schedule and application version stores,
 * shared by both backends like SqlSystemDatabase (of which they are parts).
 */
import type { Connection } from './connection.ts';
import type { Dialect } from './dialect.ts';
import type { Notifier } from './notifier.ts';
import type { ScheduleChanges, ScheduleFilter, ScheduleRecord, StepOutcomeRecord } from './records.ts';
import type { ApplicationVersionRecord } from './records.ts';
import {
  insertApplicationVersion,
  promoteApplicationVersion,
  type VersionPromotion,
  selectApplicationVersions,
} from './sql/application-versions.ts';
import {
  deleteSchedule,
  insertSchedule,
  markScheduleFired,
  selectSchedule,
  selectSchedules,
  updateSchedule,
  upsertSchedules,
} from './sql/schedules.ts';
import {
  schedulesChannel,
  schedulesKey,
  type ApplicationVersionStore,
  type ScheduleStore,
} from './system-database.ts';

export class SqlScheduleStore implements ScheduleStore {
  constructor(
    private readonly connection: Connection,
    private readonly dialect: Dialect,
    private readonly notifier: Notifier,
  ) {}

  async create(schedule: ScheduleRecord, checkpoint?: StepOutcomeRecord): Promise<boolean> {
    return this.announced(await this.connection.transaction((tx) => insertSchedule(tx, this.dialect, schedule, checkpoint)));
  }

  async apply(schedules: readonly ScheduleRecord[]): Promise<void> {
    await this.connection.transaction((tx) => upsertSchedules(tx, this.dialect, schedules));
    this.announced(true);
  }

  list(filter: ScheduleFilter): Promise<ScheduleRecord[]> {
    return selectSchedules(this.connection, this.dialect, filter);
  }

  get(name: string): Promise<ScheduleRecord | undefined> {
    return selectSchedule(this.connection, this.dialect, name);
  }

  async update(name: string, changes: ScheduleChanges, checkpoint?: StepOutcomeRecord): Promise<boolean> {
    return this.announced(await this.connection.transaction((tx) => updateSchedule(tx, this.dialect, name, changes, checkpoint)));
  }

  async delete(name: string, checkpoint?: StepOutcomeRecord): Promise<boolean> {
    return this.announced(await this.connection.transaction((tx) => deleteSchedule(tx, this.dialect, name, checkpoint)));
  }

  markFired(name: string, slot: string): Promise<void> {
    return markScheduleFired(this.connection, this.dialect, name, slot);
  }

  /** This process's scheduler hears of its own changes at once, on every backend. */
  private announced(changed: boolean): boolean {
    if (changed) this.notifier.wakeLocal(schedulesChannel, [schedulesKey]);
    return changed;
  }
}

export class SqlApplicationVersionStore implements ApplicationVersionStore {
  constructor(
    private readonly connection: Connection,
    private readonly dialect: Dialect,
  ) {}

  register(versionName: string, applicationName: string, now: number): Promise<void> {
    return insertApplicationVersion(this.connection, this.dialect, versionName, applicationName, now);
  }

  list(applicationName: string): Promise<ApplicationVersionRecord[]> {
    return selectApplicationVersions(this.connection, this.dialect, applicationName);
  }

  promote(versionName: string, now: number, owner: string | null): Promise<VersionPromotion> {
    return promoteApplicationVersion(this.connection, this.dialect, versionName, now, owner);
  }
}
