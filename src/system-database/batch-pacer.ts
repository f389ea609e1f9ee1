/**
 * Paces the batches of a long maintenance job (garbage collection) so live
 * work barely notices it. Each batch is sized to take about a time budget,
 * whatever the machine, disk or row width: after every batch the next size
 * is scaled by budget / time taken, growing at most twofold at a time, within
 * [min, max]. After each batch the job rests `restRatio` times as long as the
 * batch took (1: it takes at most half of the time), so a live workflow's
 * next write, issued while a batch runs, waits for that one batch and not for
 * a train of them; with 0 it only lets the event loop turn.
 */

export interface BatchPacing {
  /** The first batch's size. */
  initial: number;
  min: number;
  max: number;
  /** The time a batch should take, in ms. */
  budgetMs: number;
  /** The rest after a batch, as a multiple of the time it took. */
  restRatio: number;
}

export class BatchPacer {
  private current: number;
  private lastElapsedMs = 0;

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

  /**
   * The last batch, of the current size, took `elapsedMs`: size the next one. `followUpMs`: a hold of the
   * job's own after it (a checkpoint of what earlier batches wrote), whose time does not scale with one
   * batch's size: it adds to the rest only.
   */
  record(elapsedMs: number, followUpMs = 0): void {
    this.lastElapsedMs = elapsedMs + followUpMs;
    if (this.fixedSize !== undefined) return;
    const { min, max, budgetMs } = this.pacing;
    // A batch faster than the clock's resolution still counts as taking some time (no division by zero).
    const scaled = Math.floor((this.current * budgetMs) / Math.max(elapsedMs, 0.1));
    this.current = Math.max(min, Math.min(max, this.current * 2, scaled));
  }

  /** Between two batches: let timers, I/O and live work run, for restRatio times as long as the last batch held the database. */
  rest(): Promise<void> {
    const ms = Math.round(this.lastElapsedMs * this.pacing.restRatio);
    return new Promise((resolve) => (ms >= 1 ? setTimeout(resolve, ms) : setImmediate(resolve)));
  }
}
