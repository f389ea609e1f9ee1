/**
 * The cron scheduler: after launch, one loop per scheduled workflow. Each loop
 * computes the next fire time after the last one, sleeps until it, and
 * enqueues the workflow under the deterministic ID
 * `sched-<qualified name>-<ISO slot>` with (scheduledTime, actualTime). Every
 * process runs the same loops; the ID makes each slot run once, because
 * starting an existing ID only returns the existing workflow.
 *
 * Mode ExactlyOncePerInterval remembers the last fired slot in
 * event_dispatch_kv and, on launch, enqueues every slot missed since; the
 * default mode starts from now.
 */
import type { Engine } from '../engine/engine.ts';
import { internalQueueName } from '../engine/recovery.ts';
import { startWorkflow } from '../engine/start-workflow.ts';
import { runInContext } from '../engine/workflow-context.ts';
import { SchedulerMode, type ResolvedSchedule } from './scheduled-workflows.ts';

export const schedulerService = 'dbos.scheduler';
const lastStateKey = 'lastState';
/** Timers longer than this overflow Node's 32-bit timer. */
const maxTimerMs = 2 ** 31 - 1;
const retryDelayMs = 1000;

export function scheduledWorkflowID(qualifiedName: string, slot: Date): string {
  return `sched-${qualifiedName}-${slot.toISOString()}`;
}

export class Scheduler {
  private stopped = false;
  private readonly timers = new Set<{ timer: NodeJS.Timeout; wake: () => void }>();
  private loops: Promise<void>[] = [];

  constructor(
    private readonly engine: Engine,
    private readonly schedules: readonly ResolvedSchedule[],
  ) {}

  start(): void {
    // A clean context: ticks are top-level workflows, whatever context launch() was called in.
    this.loops = this.schedules.map((schedule) => runInContext({}, () => this.run(schedule)));
  }

  /** Stop every loop: clear its timer and wait for a tick being enqueued to finish. */
  async stop(): Promise<void> {
    this.stopped = true;
    for (const entry of this.timers) {
      clearTimeout(entry.timer);
      entry.wake();
    }
    this.timers.clear();
    await Promise.all(this.loops);
  }

  private async run(schedule: ResolvedSchedule): Promise<void> {
    let last = (await this.startingPoint(schedule)) ?? new Date();
    while (!this.stopped) {
      const next = schedule.cron.next(last);
      if (!next) return;
      await this.sleepUntil(next);
      if (this.stopped) return;
      try {
        await this.fire(schedule, next);
        last = next;
      } catch (error) {
        if (this.stopped) return;
        this.engine.logger.error(`Scheduled workflow "${schedule.qualifiedName}" could not start for ${next.toISOString()}: ${String(error)}`);
        await this.sleepUntil(new Date(Date.now() + retryDelayMs));
      }
    }
  }

  /** ExactlyOncePerInterval: the last fired slot, so missed slots are enqueued now. */
  private async startingPoint(schedule: ResolvedSchedule): Promise<Date | undefined> {
    if (schedule.mode !== SchedulerMode.ExactlyOncePerInterval) return undefined;
    try {
      const state = await this.engine.systemDatabase.getEventDispatchState(schedulerService, schedule.qualifiedName, lastStateKey);
      const last = state?.value ? new Date(state.value) : undefined;
      return last && !Number.isNaN(last.getTime()) ? last : undefined;
    } catch (error) {
      this.engine.logger.error(`Scheduled workflow "${schedule.qualifiedName}": cannot read its last fired time: ${String(error)}`);
      return undefined;
    }
  }

  private async fire(schedule: ResolvedSchedule, slot: Date): Promise<void> {
    const { registration } = schedule;
    await startWorkflow(this.engine, {
      registration,
      thisArg: registration.thisArg,
      args: [slot, new Date()],
      params: {
        workflowID: scheduledWorkflowID(schedule.qualifiedName, slot),
        queueName: schedule.queueName ?? internalQueueName,
      },
    });
    if (schedule.mode === SchedulerMode.ExactlyOncePerInterval) {
      await this.engine.systemDatabase.upsertEventDispatchState({
        service: schedulerService,
        workflowFnName: schedule.qualifiedName,
        key: lastStateKey,
        value: slot.toISOString(),
        updateSeq: null,
        updateTime: slot.getTime(),
      });
    }
  }

  /** Sleep until `time` (timers can fire a little early: sleep again), or until stop(). */
  private async sleepUntil(time: Date): Promise<void> {
    for (let wait = time.getTime() - Date.now(); wait > 0 && !this.stopped; wait = time.getTime() - Date.now()) {
      await new Promise<void>((resolve) => {
        const entry = { timer: setTimeout(() => done(), Math.min(wait, maxTimerMs)), wake: resolve };
        const done = () => {
          this.timers.delete(entry);
          resolve();
        };
        this.timers.add(entry);
      });
    }
  }
}
