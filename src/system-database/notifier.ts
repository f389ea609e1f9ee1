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
   * Wake this process's waiters of committed writes at once. Other processes
   * hear of them from the committing SQL itself (Dialect.notifying) or poll.
   */
  wakeLocal(channel: string, keys: readonly string[]): void;
  /**
   * Call `listener` with every key announced on `channel` (by this process or,
   * where the backend can, by others) until the returned function is called.
   */
  subscribe(channel: string, listener: (key: string) => void): () => void;
  /**
   * How long a waiter may sleep before it re-reads the database, for the n-th
   * wait of one loop (n from 0): short where other processes cannot wake us.
   */
  safetyPollMs(attempt: number): number;
  /**
   * The same for a waiter of `waitForWrite` (results, messages, events,
   * streams), whose awaited writes durably announces: Infinity while this
   * notifier hears every process's writes (Postgres LISTEN connected, SQLite's
   * change watcher reading), so a crowd of waiters costs no reads at all while
   * idle. When that stops being true, the notifier wakes every waiter, and
   * their next waits poll (`safetyPollMs`) until it is true again.
   */
  waitSafetyPollMs(attempt: number): number;
  /**
   * Whether such waiters, sleeping without a safety poll, still learn of
   * writes that announce nothing (a DBOS SDK process, another language's
   * client, plain SQL). SQLite: yes, its change watcher sees every commit
   * (and where waiters poll, the polls see them). Postgres LISTEN: no, it
   * hears only NOTIFYs; there the engine re-checks long sleepers in one
   * batched read per period (engine/sleeping-waiters-recheck.ts).
   */
  readonly seesUnannouncedWrites: boolean;
  /**
   * A value that stays the same only while no other process can have written
   * anything this process's subscribers did not hear of: safety checks (the
   * cancellation watcher's) compare it with the last one and skip reads that
   * could only find what announcements already told. Where other processes
   * are not heard, a new value at every call.
   */
  unheardWritesMarker(): unknown;
  close(): Promise<void>;
}
