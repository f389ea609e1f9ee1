/**
 * One idle poll for all of a process's empty queues. A queue loop whose last
 * peek found nothing, and whose own backing-off poll has reached the queue's
 * `minPollingIntervalMs`, sleeps without a timer of its own and joins this
 * poll: one read (SystemDatabase.findQueuesWithWork) asks which of them have
 * work, and wakes only those loops. A thousand idle queues thus cost one
 * statement per poll, not a thousand. Wake-ups on enqueue (notifications) and
 * the loops' own timers for delayed workflows falling due are untouched: this
 * poll is only the safety net for work nobody announced (an enqueue by plain
 * SQL or by DBOS's SDKs). Its interval is the shortest `minPollingIntervalMs`
 * of the queues in it, lengthened while the notifier is healthy and nothing
 * is found (Notifier.safetyPollMs).
 */
import type { Engine } from '../engine/engine.ts';
import { queueChannel } from '../system-database/system-database.ts';

export class IdleQueuePoll {
  /** Idle queues, by name: how many loops joined under it (a loop re-joins at each wait) and their interval. */
  private readonly idle = new Map<string, { members: number; intervalMs: number }>();
  private timer: NodeJS.Timeout | undefined;
  private polling = false;
  /** Polls in a row that found nothing: the notifier's backoff lengthens the interval. */
  private emptyPolls = 0;
  private stopped = false;

  constructor(private readonly engine: Engine) {}

  /** The loop of `queueName` sleeps until woken; returns its leave function (call it once the loop is awake). */
  join(queueName: string, intervalMs: number): () => void {
    const entry = this.idle.get(queueName);
    if (entry) {
      entry.members++;
      entry.intervalMs = Math.min(entry.intervalMs, intervalMs);
    } else {
      this.idle.set(queueName, { members: 1, intervalMs });
    }
    this.schedule();
    let left = false;
    return () => {
      if (left) return;
      left = true;
      const current = this.idle.get(queueName);
      if (current && --current.members <= 0) this.idle.delete(queueName);
    };
  }

  stop(): void {
    this.stopped = true;
    clearTimeout(this.timer);
    this.timer = undefined;
  }

  private intervalMs(): number {
    let shortest = Number.POSITIVE_INFINITY;
    for (const { intervalMs } of this.idle.values()) shortest = Math.min(shortest, intervalMs);
    return Math.max(shortest, this.engine.systemDatabase.notifier.safetyPollMs(this.emptyPolls));
  }

  private schedule(): void {
    if (this.stopped || this.timer || this.polling || this.idle.size === 0) return;
    this.timer = setTimeout(() => {
      this.timer = undefined;
      void this.poll();
    }, Math.min(this.intervalMs(), 2 ** 31 - 1));
    this.timer.unref(); // the loops' own waits decide whether the process stays alive
  }

  private async poll(): Promise<void> {
    const names = [...this.idle.keys()];
    if (this.stopped || names.length === 0) return;
    this.polling = true;
    try {
      const withWork = await this.engine.systemDatabase.findQueuesWithWork(names, Date.now());
      this.emptyPolls = withWork.length === 0 ? this.emptyPolls + 1 : 0;
      if (withWork.length > 0) this.engine.systemDatabase.notifier.wakeLocal(queueChannel, withWork);
    } catch {
      // A failed poll wakes every idle loop: each retries on its own path (its round logs the error and backs off).
      if (!this.stopped) this.engine.systemDatabase.notifier.wakeLocal(queueChannel, names);
      this.emptyPolls = 0;
    } finally {
      this.polling = false;
      this.schedule();
    }
  }
}
