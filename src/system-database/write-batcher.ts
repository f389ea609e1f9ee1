/**
 * Group commit. Hot-path writes from every workflow of this process queue
 * here; while one batch is being committed the next one fills, then commits
 * in one transaction. A lone write flushes at once (same tick), so latency at
 * low load is one commit; under load, one commit carries many workflows'
 * checkpoints. Each caller's promise settles only after its own row is
 * committed, so durability is unchanged.
 *
 * If a batch fails, its writes are retried one by one, so one bad write (say,
 * for a workflow deleted meanwhile) fails alone.
 */
import { deferred, type Deferred } from '../support/deferred.ts';
import type { NewWorkflowRecord, StepOutcomeRecord, WorkflowOutcomeRecord } from './records.ts';

export type WriteRequest =
  | { kind: 'insert-workflow'; record: NewWorkflowRecord }
  | { kind: 'step-outcome'; record: StepOutcomeRecord }
  | { kind: 'workflow-outcome'; record: WorkflowOutcomeRecord };

/**
 * Writes one batch in one transaction; for each request, in order, whether it
 * took effect (row inserted, or outcome written while PENDING).
 */
export type BatchWriter = (requests: readonly WriteRequest[]) => Promise<boolean[]>;

interface QueuedWrite {
  request: WriteRequest;
  done: Deferred<boolean>;
}

export class WriteBatcher {
  private queue: QueuedWrite[] = [];
  private flushing = false;
  private scheduled = false;
  /** Settles when the batcher next has nothing queued or in flight; null while idle. */
  private busy: Deferred<void> | null = null;
  private closed = false;

  constructor(
    private readonly writeBatch: BatchWriter,
    private readonly afterCommit: (requests: readonly WriteRequest[], applied: readonly boolean[]) => void,
    private readonly maxBatchSize = 2000,
  ) {}

  submit(request: WriteRequest): Promise<boolean> {
    if (this.closed) return Promise.reject(new Error('The system database is closed.'));
    const done = deferred<boolean>();
    this.queue.push({ request, done });
    this.schedule();
    return done.promise;
  }

  /** Resolves when every submitted write has settled. */
  async drain(): Promise<void> {
    while (this.busy) await this.busy.promise;
  }

  async close(): Promise<void> {
    this.closed = true;
    await this.drain();
  }

  private schedule(): void {
    if (this.flushing || this.scheduled) return;
    this.scheduled = true;
    this.busy ??= deferred<void>();
    // Writes issued in the same tick (Promise.all of steps) join one batch.
    queueMicrotask(() => {
      this.scheduled = false;
      void this.flushLoop();
    });
  }

  private async flushLoop(): Promise<void> {
    if (this.flushing) return;
    this.flushing = true;
    try {
      while (this.queue.length > 0) {
        const batch = this.queue.splice(0, this.maxBatchSize);
        await this.flush(batch);
      }
    } finally {
      this.flushing = false;
      if (this.queue.length > 0) {
        this.schedule();
      } else {
        this.busy?.resolve();
        this.busy = null;
      }
    }
  }

  private async flush(batch: QueuedWrite[]): Promise<void> {
    const requests = batch.map((w) => w.request);
    try {
      const applied = await this.writeBatch(requests);
      batch.forEach((w, i) => w.done.resolve(applied[i] ?? false));
      this.notify(requests, applied);
    } catch (error) {
      if (batch.length === 1) {
        batch[0]!.done.reject(error);
        return;
      }
      for (const write of batch) await this.flush([write]);
    }
  }

  private notify(requests: readonly WriteRequest[], applied: readonly boolean[]): void {
    try {
      this.afterCommit(requests, applied);
    } catch {
      // Notification is best effort: waiters also poll.
    }
  }
}
