/**
 * Runs the dynamic schedules stored in the database: one CronLoop per ACTIVE
 * schedule of this application (or unowned), restarted when its definition
 * changes and stopped when it is paused or deleted. Every process runs the
 * same loops; a slot's workflow ID (`sched-<name>-<ISO slot>`) makes it run
 * once. The loop follows changes at once when this process makes them, and
 * on Postgres when any process does (NOTIFY); otherwise it re-reads the table
 * every `pollingIntervalMs`.
 *
 * With automaticBackfill, a (re)started loop continues after the schedule's
 * last fired slot, so slots missed while no process ran are made up.
 */
import type { Engine } from '../engine/engine.ts';
import type { Waiter } from '../system-database/notifier.ts';
import type { ScheduleRecord } from '../system-database/records.ts';
import { schedulesChannel, schedulesKey } from '../system-database/system-database.ts';
import { CronLoop } from './cron-loop.ts';
import { cronOf, scheduledWorkflowOf, startScheduledRun } from './schedule-runs.ts';
import { scheduledWorkflowID } from './scheduler.ts';

interface RunningSchedule {
  definition: string;
  loop: CronLoop | undefined;
}

/** The parts of a schedule that decide how it fires (not its last fired time). */
function definitionOf(schedule: ScheduleRecord): string {
  const { lastFiredAt: _lastFiredAt, ...definition } = schedule;
  return JSON.stringify(definition);
}

export class DynamicScheduler {
  private stopped = false;
  private readonly running = new Map<string, RunningSchedule>();
  private waiter: Waiter | undefined;
  private followDone: Promise<void> = Promise.resolve();

  constructor(
    private readonly engine: Engine,
    private readonly pollingIntervalMs: number,
  ) {}

  start(): void {
    // Listen before the first read, so a change committed during it is not missed.
    const first = this.nextWaiter();
    this.followDone = this.follow(first);
  }

  async stop(): Promise<void> {
    this.stopped = true;
    this.waiter?.cancel();
    await this.followDone;
    await Promise.all([...this.running.values()].map((entry) => entry.loop?.stop()));
    this.running.clear();
  }

  private nextWaiter(): Waiter {
    this.waiter = this.engine.systemDatabase.notifier.wait(schedulesChannel, schedulesKey, this.pollingIntervalMs);
    return this.waiter;
  }

  private async follow(first: Waiter): Promise<void> {
    let waiter = first;
    for (;;) {
      try {
        await this.reconcile();
      } catch (error) {
        if (this.stopped) return;
        this.engine.logger.warn(`Reading the dynamic schedules failed; retrying: ${(error as Error).message}`);
      }
      await waiter.promise;
      if (this.stopped) return;
      waiter = this.nextWaiter();
    }
  }

  private async reconcile(): Promise<void> {
    const active = await this.engine.systemDatabase.schedules.list({
      statuses: ['ACTIVE'],
      ownedBy: this.engine.identity.applicationName,
    });
    if (this.stopped) return;
    const wanted = new Map(active.map((s) => [s.scheduleName, s]));
    const stopping: Promise<void>[] = [];
    for (const [name, entry] of this.running) {
      const schedule = wanted.get(name);
      if (schedule && definitionOf(schedule) === entry.definition) continue;
      this.running.delete(name);
      if (entry.loop) stopping.push(entry.loop.stop());
    }
    await Promise.all(stopping);
    if (this.stopped) return;
    for (const schedule of active) {
      if (!this.running.has(schedule.scheduleName)) {
        this.running.set(schedule.scheduleName, { definition: definitionOf(schedule), loop: this.loopFor(schedule) });
      }
    }
  }

  /** A loop for the schedule, or none (with a warning) when it cannot run here. */
  private loopFor(schedule: ScheduleRecord): CronLoop | undefined {
    const { engine } = this;
    try {
      scheduledWorkflowOf(engine, schedule);
      return new CronLoop({
        cron: cronOf(schedule),
        describe: `"${schedule.scheduleName}"`,
        logger: engine.logger,
        startAfter: async () => this.startAfter(schedule),
        fire: async (slot) => {
          await startScheduledRun(engine, schedule, scheduledWorkflowID(schedule.scheduleName, slot), slot);
          await engine.systemDatabase.schedules.markFired(schedule.scheduleName, slot.toISOString());
        },
      });
    } catch (error) {
      engine.logger.warn(`Schedule "${schedule.scheduleName}" does not run in this process: ${(error as Error).message}`);
      return undefined;
    }
  }

  private async startAfter(schedule: ScheduleRecord): Promise<Date> {
    if (!schedule.automaticBackfill) return new Date();
    // The row may have fired since this definition was read.
    const current = await this.engine.systemDatabase.schedules.get(schedule.scheduleName).catch(() => undefined);
    const last = current?.lastFiredAt ?? schedule.lastFiredAt;
    const lastDate = last ? new Date(last) : undefined;
    return lastDate && !Number.isNaN(lastDate.getTime()) ? lastDate : new Date();
  }
}
