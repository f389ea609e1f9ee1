/**
 * The cron scheduler of static schedules (`@DBOS.scheduled`,
 * `DBOS.registerScheduled`): after launch, one CronLoop per scheduled
 * workflow, enqueueing each slot under the deterministic ID
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
import { CronLoop } from './cron-loop.ts';
import { SchedulerMode, type ResolvedSchedule } from './scheduled-workflows.ts';

export const schedulerService = 'dbos.scheduler';
const lastStateKey = 'lastState';

export function scheduledWorkflowID(scheduleName: string, slot: Date): string {
  return `sched-${scheduleName}-${slot.toISOString()}`;
}

export class Scheduler {
  private loops: CronLoop[] = [];

  constructor(
    private readonly engine: Engine,
    private readonly schedules: readonly ResolvedSchedule[],
  ) {}

  start(): void {
    // A clean context: ticks are top-level workflows, whatever context launch() was called in.
    this.loops = this.schedules.map((schedule) =>
      runInContext(
        {},
        () =>
          new CronLoop({
            cron: schedule.cron,
            describe: `"${schedule.qualifiedName}"`,
            logger: this.engine.logger,
            startAfter: async () => (await this.lastFired(schedule)) ?? new Date(),
            fire: (slot) => this.fire(schedule, slot),
          }),
      ),
    );
  }

  async stop(): Promise<void> {
    await Promise.all(this.loops.map((loop) => loop.stop()));
  }

  /** ExactlyOncePerInterval: the last fired slot, so missed slots are enqueued now. */
  private async lastFired(schedule: ResolvedSchedule): Promise<Date | undefined> {
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
}
