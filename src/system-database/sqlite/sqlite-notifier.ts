/**
 * SQLite has no cross-process notification: writes in this process wake
 * their waiters at once, and a change watcher stands in for NOTIFY. While
 * anyone waits, it reads `PRAGMA data_version` every `watchMs` (a read of
 * shared memory, about a microsecond: idle CPU stays near zero), and when
 * another process has committed, it wakes every waiter of this process to
 * read again. It cannot tell which key changed, so with many waiters it wakes
 * them all at most every 0.1 ms per waiter (up to `maxPollMs`): the reads it
 * causes stay bounded whatever the number of waiters.
 *
 * The backing-off poll of PollingNotifier stays as the safety net (a missed
 * change, a fault of the file): a lost wake-up costs latency, never correctness.
 */
import { PollingNotifier } from '../polling-notifier.ts';
import type { Waiter } from '../notifier.ts';

/** Per waiter, the least time between two wake-ups of all of them. */
const wakeAllGapPerWaiterMs = 0.1;

export class SqliteNotifier extends PollingNotifier {
  private timer: NodeJS.Timeout | undefined;
  private lastVersion: number | undefined;
  private lastWakeAll = 0;

  /**
   * `dataVersion`: the connection's `PRAGMA data_version` (undefined when it cannot be read). `unwatched`:
   * channels whose waiters are background loops with a reload interval of their own (queue definitions,
   * schedules): woken by every commit of another process, they would read again every few milliseconds.
   */
  constructor(
    private readonly dataVersion: () => number | undefined = () => undefined,
    private readonly unwatched: ReadonlySet<string> = new Set(),
    firstPollMs = 5,
    private readonly maxWakeAllGapMs = 500,
    private readonly watchMs = 2,
  ) {
    super(firstPollMs, maxWakeAllGapMs);
  }

  override wait(channel: string, key: string, timeoutMs: number): Waiter {
    const waiter = super.wait(channel, key, timeoutMs);
    this.watch();
    return waiter;
  }

  override async close(): Promise<void> {
    this.stopWatching();
    await super.close();
  }

  /** Start the watcher, reading the version the waiters' first reads will see as the baseline. */
  private watch(): void {
    if (this.timer) return;
    this.lastVersion = this.dataVersion();
    this.timer = setInterval(() => this.check(), this.watchMs);
    this.timer.unref(); // a waiter's own timeout keeps the process alive, not the watcher
  }

  private stopWatching(): void {
    clearInterval(this.timer);
    this.timer = undefined;
  }

  private check(): void {
    const waiting = this.local.size;
    if (waiting === 0) return this.stopWatching();
    const version = this.dataVersion();
    if (version === undefined || version === this.lastVersion) return;
    const now = performance.now();
    const gapMs = Math.min(this.maxWakeAllGapMs, Math.max(this.watchMs, waiting * wakeAllGapPerWaiterMs));
    if (now - this.lastWakeAll < gapMs) return; // the change stays unseen: the next check after the gap wakes them
    this.lastVersion = version;
    this.lastWakeAll = now;
    this.local.wakeAll(this.unwatched);
  }
}
