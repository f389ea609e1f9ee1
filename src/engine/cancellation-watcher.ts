/**
 * How a cancellation reaches a workflow running in this process: the cancel
 * statement announces it (in-process at once; Postgres NOTIFY for other
 * processes), and the running workflow stops at its next durable operation.
 * As a safety net (SQLite has no cross-process notification, and a NOTIFY can
 * be lost), the workflows running here are checked once a second: one small
 * read per 5,000 of them, none at all while nothing runs, and only every
 * 30 s while no other process can have written unheard
 * (Notifier.unheardWritesMarker unchanged: LISTEN connected all along, or
 * SQLite's data_version the same). That slow check remains for cancels
 * nobody announces (DBOS's SDKs and tools write no durably notice).
 */
import { cancelChannel } from '../system-database/system-database.ts';
import type { Engine } from './engine.ts';
import { markExecutionCancelled } from './execution-cancel.ts';

const safetyCheckMs = 1000;
/** While everything was heard, the check still reads this often (unannounced cancels). */
const heardCheckMs = 30_000;
/** Workflow IDs per read: well within both backends' parameter limits. */
const idsPerRead = 5000;

export class CancellationWatcher {
  private unsubscribe: (() => void) | undefined;
  private timer: NodeJS.Timeout | undefined;
  private stopped = false;
  /** The notifier's marker when the last check began (a check that failed leaves it unset). */
  private checkedAt: { marker: unknown; at: number } | undefined;

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
    const marker = this.engine.systemDatabase.notifier.unheardWritesMarker();
    // Every cancel since the last check was announced and heard: nothing to read. Workflows started since are
    // covered too: a cancel of one of them was announced like any other.
    const now = Date.now();
    if (this.checkedAt !== undefined && Object.is(this.checkedAt.marker, marker) && now - this.checkedAt.at < heardCheckMs) return;
    this.checkedAt = undefined;
    try {
      for (let i = 0; i < running.length; i += idsPerRead) {
        const batch = running.slice(i, i + idsPerRead);
        const cancelled = new Set(await this.engine.systemDatabase.selectCancelled(batch.map((s) => s.workflowID)));
        for (const state of batch) if (cancelled.has(state.workflowID)) markExecutionCancelled(state);
      }
      this.checkedAt = { marker, at: now };
    } catch (error) {
      if (!this.stopped) this.engine.logger.warn(`Checking for cancelled workflows failed: ${(error as Error).message}`);
    }
  }
}
