/**
 * One schedule's firing loop, shared by static (`@DBOS.scheduled`) and
 * dynamic schedules: from a starting point, compute the next slot, sleep
 * until it, fire it, repeat. A failed fire is logged and retried a second
 * later (the slot is not skipped: its workflow ID makes a retry harmless).
 */
import type { DLogger } from '../telemetry/logger.ts';
import type { CronExpression } from './cron-expression.ts';

/** Timers longer than this overflow Node's 32-bit timer. */
const maxTimerMs = 2 ** 31 - 1;
const retryDelayMs = 1000;

export interface CronLoopOptions {
  cron: CronExpression;
  /** Names the schedule in log lines. */
  describe: string;
  logger: DLogger;
  /** The slot to continue after (now, unless missed slots are to be made up). */
  startAfter: () => Promise<Date>;
  fire: (slot: Date) => Promise<void>;
}

export class CronLoop {
  private stopped = false;
  private sleeping: { timer: NodeJS.Timeout; wake: () => void } | undefined;
  private readonly done: Promise<void>;

  constructor(private readonly options: CronLoopOptions) {
    this.done = this.run();
  }

  /** Stop: clear the timer and wait for a slot being fired to finish. */
  async stop(): Promise<void> {
    this.stopped = true;
    if (this.sleeping) {
      clearTimeout(this.sleeping.timer);
      this.sleeping.wake();
    }
    await this.done;
  }

  private async run(): Promise<void> {
    const { cron, describe, logger } = this.options;
    let last = await this.options.startAfter();
    while (!this.stopped) {
      const next = cron.next(last);
      if (!next) return;
      await this.sleepUntil(next);
      if (this.stopped) return;
      try {
        await this.options.fire(next);
        last = next;
      } catch (error) {
        if (this.stopped) return;
        logger.error(`Schedule ${describe} could not start its run for ${next.toISOString()}: ${String(error)}`);
        await this.sleepUntil(new Date(Date.now() + retryDelayMs));
      }
    }
  }

  /** Sleep until `time` (timers can fire a little early: sleep again), or until stop(). */
  private async sleepUntil(time: Date): Promise<void> {
    for (let wait = time.getTime() - Date.now(); wait > 0 && !this.stopped; wait = time.getTime() - Date.now()) {
      await new Promise<void>((resolve) => {
        this.sleeping = { timer: setTimeout(resolve, Math.min(wait, maxTimerMs)), wake: resolve };
      });
      this.sleeping = undefined;
    }
  }
}
