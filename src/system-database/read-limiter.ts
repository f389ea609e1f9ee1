/**
 * A bound on concurrent polling reads (DBOS's
 * `systemDatabasePollingConcurrency`): the reads of waits (getResult, recv,
 * getEvent, streams) queue here, first come first served, so a crowd of
 * waiters polling at once cannot hold every pool connection while workflow
 * writes wait for one. A limit of 0 means unlimited.
 */
export class ReadLimiter {
  private active = 0;
  private peak = 0;
  private readonly queued: (() => void)[] = [];

  constructor(readonly limit: number) {}

  async run<T>(read: () => Promise<T>): Promise<T> {
    if (this.limit > 0 && this.active >= this.limit) {
      await new Promise<void>((resolve) => this.queued.push(resolve));
    } else {
      this.active++;
    }
    this.peak = Math.max(this.peak, this.active);
    try {
      return await read();
    } finally {
      // The slot passes straight to the next queued read, so active never over-counts.
      const next = this.queued.shift();
      if (next) next();
      else this.active--;
    }
  }

  /** The most reads that ran at once (for tests and diagnostics). */
  get peakConcurrency(): number {
    return this.peak;
  }
}
