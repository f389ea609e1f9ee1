/**
 * Notifier: how a waiter learns that a write concerning it happened. A waiter
 * registers (channel, key) *before* reading the database, then waits for a
 * wake-up or for the safety-poll interval, and reads again: a lost
 * notification costs latency, never correctness.
 */

export interface Waiter {
  /** Resolves on a notification for (channel, key), or after `timeoutMs`. Never rejects. */
  readonly promise: Promise<void>;
  cancel(): void;
}

export interface Notifier {
  /** Register interest in (channel, key); the returned waiter fires at most once. */
  wait(channel: string, key: string, timeoutMs: number): Waiter;
  /**
   * Announce committed writes: wakes this process's waiters at once and, where
   * the backend can, other processes' (fire and forget: they also poll).
   */
  publish(channel: string, keys: readonly string[]): void;
  /**
   * How long a waiter may sleep before it re-reads the database, for the n-th
   * wait of one loop (n from 0): short where other processes cannot wake us.
   */
  safetyPollMs(attempt: number): number;
  close(): Promise<void>;
}
