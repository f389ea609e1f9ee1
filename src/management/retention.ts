/**
 * The retention option: every `intervalMs`, delete finished workflows older
 * than `maxAgeMs` or beyond the newest `maxRows` (never PENDING, ENQUEUED or
 * DELAYED ones), so the system database does not grow without bound. The
 * collection runs in short paced batches (system-database/sql/garbage-collection.ts),
 * so it never stalls the workflows running beside it.
 */
import type { Engine } from '../engine/engine.ts';

export interface RetentionOptions {
  maxAgeMs?: number;
  maxRows?: number;
  /** How often to collect (default one hour). */
  intervalMs?: number;
}

export class RetentionLoop {
  private timer: NodeJS.Timeout | undefined;
  private stopped = false;

  constructor(
    private readonly engine: Engine,
    private readonly options: RetentionOptions | undefined,
  ) {}

  start(): void {
    if (!this.options) return;
    this.schedule();
  }

  stop(): void {
    this.stopped = true;
    clearTimeout(this.timer);
  }

  private schedule(): void {
    if (this.stopped || !this.options) return;
    this.timer = setTimeout(() => void this.collect().finally(() => this.schedule()), this.options.intervalMs ?? 3_600_000);
    this.timer.unref();
  }

  private async collect(): Promise<void> {
    const { maxAgeMs, maxRows } = this.options ?? {};
    try {
      const deleted = await this.engine.systemDatabase.garbageCollect(
        maxAgeMs === undefined ? undefined : Date.now() - maxAgeMs,
        maxRows,
        // As DBOS's: only this application's workflows (and unowned ones), in a database several may share.
        this.engine.identity.applicationName === '' ? undefined : [this.engine.identity.applicationName],
      );
      if (deleted > 0) this.engine.logger.info(`Retention: deleted ${deleted} finished workflow(s).`);
    } catch (error) {
      if (!this.stopped) this.engine.logger.warn(`Retention failed: ${(error as Error).message}`);
    }
  }
}
