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
 * Every commit of another process changes the version, and this process's
 * own writes wake their waiters directly, so while the version can be read
 * waitForWrite's waiters need no safety poll: a crowd of idle waiters costs
 * no reads at all. When it cannot be read (a fault of the file), every waiter
 * is woken, and waits fall back to PollingNotifier's backing-off poll until
 * it can again: a lost wake-up costs latency, never correctness.
 */
import { PollingNotifier } from '../polling-notifier.ts';
import type { Waiter } from '../notifier.ts';

/** Per waiter, the least time between two wake-ups of all of them. */
const wakeAllGapPerWaiterMs = 0.1;

export class SqliteNotifier extends PollingNotifier {
  private timer: NodeJS.Timeout | undefined;
  private lastVersion: number | undefined;
  private lastWakeAll = 0;
  /** Whether the last read of the version succeeded: then every other process's commit is seen. */
  private versionReadable = true;

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

  override waitSafetyPollMs(attempt: number): number {
    return this.versionReadable ? Number.POSITIVE_INFINITY : this.safetyPollMs(attempt);
  }

  /** data_version changes exactly when another connection commits (unreadable: assume it did). */
  override unheardWritesMarker(): unknown {
    return this.dataVersion() ?? super.unheardWritesMarker();
  }

  override async close(): Promise<void> {
    this.versionReadable = false;
    this.stopWatching();
    await super.close();
  }

  /** Start the watcher, reading the version the waiters' first reads will see as the baseline. */
  private watch(): void {
    if (this.timer) return;
    this.lastVersion = this.readVersion();
    this.timer = setInterval(() => this.check(), this.watchMs);
    this.timer.unref(); // a waiter's own timeout keeps the process alive, not the watcher
  }

  private stopWatching(): void {
    clearInterval(this.timer);
    this.timer = undefined;
  }

  /** The version, noting whether it could be read; waiters sleeping without a poll are woken when it cannot. */
  private readVersion(): number | undefined {
    const version = this.dataVersion();
    const readable = version !== undefined;
    if (this.versionReadable && !readable) {
      this.versionReadable = false;
      this.local.wakeAll(this.unwatched);
    }
    this.versionReadable = readable;
    return version;
  }

  private check(): void {
    const waiting = this.local.size;
    if (waiting === 0) return this.stopWatching();
    const version = this.readVersion();
    if (version === undefined || version === this.lastVersion) return;
    const now = performance.now();
    const gapMs = Math.min(this.maxWakeAllGapMs, Math.max(this.watchMs, waiting * wakeAllGapPerWaiterMs));
    if (now - this.lastWakeAll < gapMs) return; // the change stays unseen: the next check after the gap wakes them
    this.lastVersion = version;
    this.lastWakeAll = now;
    this.local.wakeAll(this.unwatched);
  }
}
