/**
 * Sizes the batches of a long maintenance job (garbage collection) so each
 * takes about a time budget, whatever the machine, disk or row width: after
 * every batch the next size is scaled by budget / time taken, growing at most
 * twofold at a time, within [min, max]. A batch's time is what it holds
 * others up: on SQLite (a synchronous driver) the whole event loop waits for
 * it, on Postgres its transaction holds its rows' locks.
 */

export interface BatchPacing {
  /** The first batch's size. */
  initial: number;
  min: number;
  max: number;
  /** The time a batch should take, in ms. */
  budgetMs: number;
}

export class BatchPacer {
  private current: number;

  /** With `fixedSize`, every batch has that size (tests, and callers that know better). */
  constructor(
    private readonly pacing: BatchPacing,
    private readonly fixedSize?: number,
  ) {
    this.current = fixedSize ?? pacing.initial;
  }

  get size(): number {
    return this.current;
  }

  /** The last batch, of the current size, took `elapsedMs`: size the next one. */
  record(elapsedMs: number): void {
    if (this.fixedSize !== undefined) return;
    const { min, max, budgetMs } = this.pacing;
    // A batch faster than the clock's resolution still counts as taking some time (no division by zero).
    const scaled = Math.floor((this.current * budgetMs) / Math.max(elapsedMs, 0.1));
    this.current = Math.max(min, Math.min(max, this.current * 2, scaled));
  }
}

/** Let timers, I/O and queued work of this process run between two batches. */
export function yieldToEventLoop(): Promise<void> {
  return new Promise((resolve) => setImmediate(resolve));
}
