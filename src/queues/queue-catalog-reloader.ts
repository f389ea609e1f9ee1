/**
 * Keeps this process's queue catalog in step with the queues registered in
 * the database, by other processes too. The catalog is read in full at launch
 * (before any dequeuing) and again whenever a registration or deletion is
 * announced: at once on Postgres (NOTIFY), within a second elsewhere (a
 * periodic read of a small table; SQLite has no cross-process signal). The
 * queue runner follows the catalog: it starts a loop for a new queue, applies
 * changed limits at its next claim, and ends the loop of a deleted queue.
 */
import type { Waiter } from '../system-database/notifier.ts';
import type { QueueDefinitionRecord } from '../system-database/claim-records.ts';
import {
  queueDefinitionsChannel,
  queueDefinitionsKey,
  type SystemDatabase,
} from '../system-database/system-database.ts';
import type { DLogger } from '../telemetry/logger.ts';
import type { QueueCatalog } from './queue-catalog.ts';
import { queuesFromDefinitions } from './queue-definitions.ts';
import type { WorkflowQueue } from './workflow-queue.ts';

/** Slowest acceptable propagation where nothing announces changes; one cheap read per interval. */
const minReloadIntervalMs = 1000;

export class QueueCatalogReloader {
  private stopped = false;
  private waiter: Waiter | undefined;
  private loopDone: Promise<void> = Promise.resolve();
  /** A reload not started yet, which new callers join (its read starts after their call). */
  private queued: Promise<void> | undefined;
  private previous: Promise<void> = Promise.resolve();
  /** Bumped by each local change, so that a read overtaken by one is not applied over it. */
  private localChanges = 0;
  /** The definitions last applied, to skip reloads that change nothing. */
  private applied: string | undefined;

  constructor(
    private readonly systemDatabase: SystemDatabase,
    private readonly catalog: QueueCatalog,
    private readonly logger: DLogger,
  ) {}

  /** Load the catalog (launch fails if it cannot be read), then follow changes. */
  async start(): Promise<void> {
    // Listen before the first read, so a change committed during it is not missed.
    const waiter = this.nextWaiter(0);
    try {
      await this.reload();
    } catch (error) {
      waiter.cancel();
      throw error;
    }
    this.loopDone = this.follow(waiter);
  }

  async stop(): Promise<void> {
    this.stopped = true;
    this.waiter?.cancel();
    await this.loopDone;
  }

  /**
   * Read every registered queue and update the catalog. Resolves once a read
   * that started after this call has been applied; concurrent callers share
   * one read.
   */
  reload(): Promise<void> {
    if (this.queued) return this.queued;
    const next = this.previous.then(() => {
      this.queued = undefined;
      return this.readAndApply();
    });
    this.queued = next;
    this.previous = next.catch(() => undefined);
    return next;
  }

  /** A queue this process just registered: in the catalog at once, before any announcement comes back. */
  putLocal(queue: WorkflowQueue): void {
    this.localChanges++;
    this.applied = undefined;
    this.catalog.putDatabaseQueue(queue);
  }

  /** A queue this process just deleted. */
  removeLocal(name: string): void {
    this.localChanges++;
    this.applied = undefined;
    this.catalog.removeDatabaseQueue(name);
  }

  private async readAndApply(): Promise<void> {
    for (;;) {
      const changesBefore = this.localChanges;
      const definitions = await this.systemDatabase.listQueueDefinitions();
      // A local register or delete landed while we read: our rows may predate it, so read again.
      if (changesBefore !== this.localChanges) continue;
      this.apply(definitions);
      return;
    }
  }

  private apply(definitions: readonly QueueDefinitionRecord[]): void {
    const fingerprint = JSON.stringify(definitions);
    if (fingerprint === this.applied) return;
    this.applied = fingerprint;
    this.catalog.setDatabaseQueues(queuesFromDefinitions(definitions, this.logger));
  }

  private nextWaiter(polls: number): Waiter {
    const { notifier } = this.systemDatabase;
    const timeoutMs = Math.max(minReloadIntervalMs, notifier.safetyPollMs(polls));
    this.waiter = notifier.wait(queueDefinitionsChannel, queueDefinitionsKey, timeoutMs);
    return this.waiter;
  }

  private async follow(first: Waiter): Promise<void> {
    let waiter = first;
    for (let polls = 1; ; polls++) {
      await waiter.promise;
      if (this.stopped) return;
      waiter = this.nextWaiter(polls);
      try {
        await this.reload();
      } catch (error) {
        if (this.stopped) return;
        this.logger.warn(`Reloading the registered queues failed; retrying: ${(error as Error).message}`);
      }
    }
  }
}
