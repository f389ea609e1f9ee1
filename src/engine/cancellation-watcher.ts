/**
 * How a cancellation reaches a workflow running in this process: the cancel
 * statement announces it (in-process at once; Postgres NOTIFY for other
 * processes), and the running workflow stops at its next durable operation.
 * As a safety net (SQLite has no cross-process notification, and a NOTIFY can
 * be lost), the workflows running here are checked once a second: one small
 * read, and none at all while nothing runs.
 */
import { cancelChannel } from '../system-database/system-database.ts';
import type { Engine } from './engine.ts';

const safetyCheckMs = 1000;

export class CancellationWatcher {
  private unsubscribe: (() => void) | undefined;
  private timer: NodeJS.Timeout | undefined;
  private stopped = false;

  constructor(private readonly engine: Engine) {}

  start(): void {
    this.unsubscribe = this.engine.systemDatabase.notifier.subscribe(cancelChannel, (id) => this.engine.markCancelled([id]));
    this.schedule();
  }

  stop(): void {
    this.stopped = true;
    this.unsubscribe?.();
    clearTimeout(this.timer);
  }

  private schedule(): void {
    if (this.stopped) return;
    this.timer = setTimeout(() => void this.check().finally(() => this.schedule()), safetyCheckMs);
  }

  private async check(): Promise<void> {
    // Mark the executions read about, not whatever runs under the ID when the answer comes: a workflow
    // cancelled and then resumed meanwhile has a new execution, which this (older) answer must not stop.
    const running = [...this.engine.states.values()].filter((s) => !s.cancelled);
    if (running.length === 0) return;
    try {
      for (let i = 0; i < running.length; i += 500) {
        const batch = running.slice(i, i + 500);
        const cancelled = new Set(await this.engine.systemDatabase.selectCancelled(batch.map((s) => s.workflowID)));
        for (const state of batch) if (cancelled.has(state.workflowID)) state.cancelled = true;
      }
    } catch (error) {
      if (!this.stopped) this.engine.logger.warn(`Checking for cancelled workflows failed: ${(error as Error).message}`);
    }
  }
}
