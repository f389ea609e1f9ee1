/**
 * One batched re-check of this process's sleeping waiters, for writes that
 * announce nothing. On Postgres with LISTEN, waitForWrite's waiters sleep with
 * no safety poll, since every write durably makes is announced by NOTIFY; a
 * workflow finished or an event set by a DBOS SDK process, another language's
 * client or plain SQL announces nothing (DBOS's schema has a trigger for
 * messages only). So every `periodMs`, while some waiter has slept that long,
 * one read (SystemDatabase.findAwaitedWrites) asks which of the things all
 * sleepers await are now in the database, and wakes exactly their waiters,
 * which read again: such a write reaches them within about one period. The cost is one statement per period, however many
 * waiters sleep; none when nobody has slept a period, or where the notifier
 * sees every writer (SQLite's change watcher: Notifier.seesUnannouncedWrites).
 */
import { announcedOn } from '../system-database/awaited-writes.ts';
import type { AwaitedWrite } from '../system-database/records.ts';
import type { SystemDatabase } from '../system-database/system-database.ts';
import type { DLogger } from '../telemetry/logger.ts';

/** What the re-check needs of its engine (engine.ts owns one). */
export interface RecheckHost {
  readonly systemDatabase: SystemDatabase;
  readonly logger: DLogger;
  readonly interrupted: boolean;
}

/** The default period: an unannounced write reaches a sleeping waiter within about this long. */
export const defaultRecheckPeriodMs = 5000;

interface Sleeper {
  readonly awaited: readonly AwaitedWrite[];
  /** performance.now() when it fell asleep: monotonic, so the set stays in order of it. */
  readonly since: number;
}

export class SleepingWaitersRecheck {
  private period = defaultRecheckPeriodMs;
  /** In the order they fell asleep: the first is the one the next re-check is due for. */
  private readonly sleepers = new Set<Sleeper>();
  private timer: NodeJS.Timeout | undefined;
  private checking = false;
  private lastCheckAt = Number.NEGATIVE_INFINITY;
  /** What the sleepers await, while none fell asleep or woke since it was gathered: idle, each check reuses it. */
  private awaitedCache: AwaitedWrite[] | undefined;

  constructor(private readonly engine: RecheckHost) {}

  /** How long a waiter sleeps before the re-check covers it, and the least time between two re-checks. */
  get periodMs(): number {
    return this.period;
  }

  /** Tests shorten it; the bench sets Infinity to measure without the re-check. */
  set periodMs(ms: number) {
    this.period = ms;
    clearTimeout(this.timer);
    this.timer = undefined;
    this.schedule();
  }

  /** Whether a waiter about to sleep up to `sleepMs` needs the re-check to learn of unannounced writes. */
  covers(sleepMs: number): boolean {
    return sleepMs > this.periodMs && !this.engine.systemDatabase.notifier.seesUnannouncedWrites;
  }

  /** A waiter falls asleep awaiting `awaited`; call the returned function once it is awake. */
  sleeping(awaited: readonly AwaitedWrite[]): () => void {
    const sleeper: Sleeper = { awaited, since: performance.now() };
    this.sleepers.add(sleeper);
    this.awaitedCache = undefined;
    this.schedule();
    return () => {
      if (this.sleepers.delete(sleeper)) this.awaitedCache = undefined;
    };
  }

  /** How many waiters sleep under the re-check now (for tests and the bench). */
  get sleeperCount(): number {
    return this.sleepers.size;
  }

  private schedule(): void {
    if (this.timer || this.checking) return;
    const [first] = this.sleepers;
    if (!first) return;
    const dueAt = Math.max(first.since + this.periodMs, this.lastCheckAt + this.periodMs);
    if (!Number.isFinite(dueAt)) return; // no re-check at all
    this.timer = setTimeout(() => {
      this.timer = undefined;
      void this.check();
    }, Math.max(0, dueAt - performance.now()));
    this.timer.unref(); // the waiters' own waits decide whether the process stays alive
  }

  private async check(): Promise<void> {
    const [first] = this.sleepers;
    // Due only once some waiter has slept a period (the one that was may have woken since).
    if (!first || first.since > performance.now() - this.periodMs) return this.schedule();
    this.checking = true;
    try {
      const found = await this.engine.systemDatabase.findAwaitedWrites(this.awaitedBySleepers());
      const { notifier } = this.engine.systemDatabase;
      for (const write of found) {
        const { channel, key } = announcedOn(write);
        notifier.wakeLocal(channel, [key]);
      }
    } catch (error) {
      // The sleepers sleep on; the next period asks again (a database fault is retried there, or ends the waits).
      if (!this.engine.interrupted) {
        this.engine.logger.warn(`Re-checking sleeping waiters for unannounced writes failed; retrying: ${(error as Error).message}`);
      }
    } finally {
      this.checking = false;
      this.lastCheckAt = performance.now();
      this.schedule();
    }
  }

  /**
   * What every sleeper awaits, each once (a stream from the lowest offset awaited): those asleep for less than a
   * period too, as they cost no statement more, so an unannounced write waits at most about one period.
   */
  private awaitedBySleepers(): AwaitedWrite[] {
    if (this.awaitedCache) return this.awaitedCache;
    const byIdentity = new Map<string, AwaitedWrite>();
    for (const sleeper of this.sleepers) {
      for (const write of sleeper.awaited) {
        const { channel, key } = announcedOn(write);
        const identity = `${channel}\u0000${key}`;
        const known = byIdentity.get(identity);
        if (!known || (known.kind === 'stream' && write.kind === 'stream' && write.fromOffset < known.fromOffset)) {
          byIdentity.set(identity, write);
        }
      }
    }
    this.awaitedCache = [...byIdentity.values()];
    return this.awaitedCache;
  }
}
