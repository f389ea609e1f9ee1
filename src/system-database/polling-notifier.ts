/**
 * Wake-ups without LISTEN/NOTIFY (`useListenNotify: false` on Postgres, for
 * transaction-mode poolers or servers without NOTIFY): writes in this process
 * wake waiters at once; changes by other processes are seen by polling, from
 * `firstPollMs`, doubling while nothing comes, up to `maxPollMs`.
 */
import { LocalWaiters } from './local-waiters.ts';
import type { Notifier, Waiter } from './notifier.ts';

export class PollingNotifier implements Notifier {
  protected readonly local = new LocalWaiters();
  /** Waits poll here, so they see every write; SQLite's change watcher (the subclass) sees every commit. */
  readonly seesUnannouncedWrites: boolean = true;

  constructor(
    private readonly firstPollMs: number,
    private readonly maxPollMs: number,
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

  /** Nothing crosses processes here: waiters poll (subclasses that hear other processes say otherwise). */
  waitSafetyPollMs(attempt: number): number {
    return this.safetyPollMs(attempt);
  }

  /** Nothing crosses processes here: anything may have been written unheard, every time. */
  unheardWritesMarker(): unknown {
    return Symbol('unheard');
  }

  async close(): Promise<void> {
    this.local.wakeAll();
  }
}
