/**
 * This process's waiters, keyed by (channel, key). Both notifiers use it: a
 * committed write wakes local waiters directly, with no database round trip.
 */
import type { Waiter } from './notifier.ts';

export class LocalWaiters {
  private readonly waiters = new Map<string, Set<() => void>>();
  private readonly subscribers = new Map<string, Set<(key: string) => void>>();

  subscribe(channel: string, listener: (key: string) => void): () => void {
    let set = this.subscribers.get(channel);
    if (!set) this.subscribers.set(channel, (set = new Set()));
    set.add(listener);
    return () => set.delete(listener);
  }

  wait(channel: string, key: string, timeoutMs: number): Waiter {
    const id = `${channel}\u0000${key}`;
    let wake!: () => void;
    let timer: NodeJS.Timeout | undefined;
    const promise = new Promise<void>((resolve) => {
      wake = () => {
        if (timer) clearTimeout(timer);
        this.remove(id, wake);
        resolve();
      };
    });
    let set = this.waiters.get(id);
    if (!set) this.waiters.set(id, (set = new Set()));
    set.add(wake);
    timer = setTimeout(wake, Math.max(0, Math.min(timeoutMs, 2 ** 31 - 1)));
    return { promise, cancel: wake };
  }

  wake(channel: string, key: string): void {
    const set = this.waiters.get(`${channel}\u0000${key}`);
    if (set) for (const wake of [...set]) wake();
    const listeners = this.subscribers.get(channel);
    if (listeners) for (const listener of [...listeners]) listener(key);
  }

  /** Wake everyone (but waiters on `except` channels), so each re-reads the database (after notifications may have been lost). */
  wakeAll(except?: ReadonlySet<string>): void {
    for (const [id, set] of [...this.waiters]) {
      if (except?.has(id.slice(0, id.indexOf('\u0000')))) continue;
      for (const wake of [...set]) wake();
    }
  }

  get size(): number {
    let total = 0;
    for (const set of this.waiters.values()) total += set.size;
    return total;
  }

  private remove(id: string, wake: () => void): void {
    const set = this.waiters.get(id);
    if (!set) return;
    set.delete(wake);
    if (set.size === 0) this.waiters.delete(id);
  }
}
