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
    const start = await this.startingPoint();
    if (start === undefined) return;
    let last = start;
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

  /**
   * The slot to continue after. It is read from the database (the last fired slot), which may be
   * out (a restart): retried like a failed fire, never thrown (nobody awaits the loop but stop()).
   */
  private async startingPoint(): Promise<Date | undefined> {
    while (!this.stopped) {
      try {
        return await this.options.startAfter();
      } catch (error) {
        if (this.stopped) return undefined;
        this.options.logger.warn(`Schedule ${this.options.describe} could not read where to resume; retrying: ${String(error)}`);
        await this.sleepUntil(new Date(Date.now() + retryDelayMs));
      }
    }
    return undefined;
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
