/**
 * SQLite has no cross-process notification: writes in this process wake
 * waiters at once, and waiters poll briefly for writers in other processes
 * (a read of a local file costs microseconds), backing off while nothing comes.
 */
import { LocalWaiters } from '../local-waiters.ts';
import type { Notifier, Waiter } from '../notifier.ts';

export class SqliteNotifier implements Notifier {
  private readonly local = new LocalWaiters();

  constructor(
    private readonly firstPollMs = 5,
    private readonly maxPollMs = 500,
  ) {}

  wait(channel: string, key: string, timeoutMs: number): Waiter {
    return this.local.wait(channel, key, timeoutMs);
  }

  subscribe(channel: string, listener: (key: string) => void): () => void {
    return this.local.subscribe(channel, listener);
  }

  wakeLocal(channel: string, keys: readonly string[]): void {
    for (const key of keys) this.local.wake(channel, key);
  }

  safetyPollMs(attempt: number): number {
    return Math.min(this.maxPollMs, this.firstPollMs * 2 ** Math.min(attempt, 20));
  }

  async close(): Promise<void> {
    this.local.wakeAll();
  }
}
