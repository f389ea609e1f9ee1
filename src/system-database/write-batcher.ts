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

export interface WriteBatcherOptions {
  /**
   * Batches committing at once, on separate connections. Safe above 1 because
   * no queued write depends on another uncommitted one: each caller submits a
   * write only after its previous one committed.
   */
  maxInFlight?: number;
  maxBatchSize?: number;
}

export class WriteBatcher {
  private queue: QueuedWrite[] = [];
  private inFlight = 0;
  private scheduled = false;
  /** Settles when the batcher next has nothing queued or in flight; null while idle. */
  private busy: Deferred<void> | null = null;
  private closed = false;
  private readonly maxInFlight: number;
  private readonly maxBatchSize: number;

  constructor(
    private readonly writeBatch: BatchWriter,
    private readonly afterCommit: (requests: readonly WriteRequest[], applied: readonly boolean[]) => void,
    options: WriteBatcherOptions = {},
  ) {
    this.maxInFlight = options.maxInFlight ?? 1;
    this.maxBatchSize = options.maxBatchSize ?? 2000;
  }

  submit(request: WriteRequest): Promise<boolean> {
    if (this.closed) return Promise.reject(new Error('The system database is closed.'));
    const done = deferred<boolean>();
    this.queue.push({ request, done });
    this.busy ??= deferred<void>();
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
    if (this.scheduled || this.inFlight >= this.maxInFlight || this.queue.length === 0) return;
    this.scheduled = true;
    // setImmediate rather than a microtask: writes issued in this tick (Promise.all of steps)
    // still join the batch, and with the synchronous SQLite driver the event loop gets a turn
    // between flushes, so timers and I/O are not starved by a stream of workflows.
    setImmediate(() => {
      this.scheduled = false;
      this.startFlush();
    });
  }

  private startFlush(): void {
    if (this.inFlight < this.maxInFlight && this.queue.length > 0) {
      // Share a backlog among the free lanes, so concurrent workflows moving in
      // lockstep keep every lane (and a database core each) busy.
      const freeLanes = this.maxInFlight - this.inFlight;
      const share = Math.ceil(this.queue.length / freeLanes);
      const batch = this.queue.splice(0, Math.min(this.maxBatchSize, share));
      this.inFlight++;
      void this.flush(batch).finally(() => {
        this.inFlight--;
        this.schedule();
        this.settleIfIdle();
      });
      this.schedule();
    }
    this.settleIfIdle();
  }

  private settleIfIdle(): void {
    if (this.inFlight > 0 || this.queue.length > 0 || this.scheduled) return;
    this.busy?.resolve();
    this.busy = null;
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
