/**
 * WorkflowQueue: a named queue with flow control, declared in code (before
 * launch) like the DBOS SDK's. Its limits hold across every process sharing
 * the system database: `globalConcurrency`, `rateLimit` and their
 * per-partition versions are counted in the database, the worker limits in
 * each process. Options are checked by name: a typo is an error.
 */
import { DBOSConfigurationError, DBOSConflictingRegistrationError, DBOSQueueNotFoundError } from '../errors/errors.ts';
import {
  canonicalQueueParameters,
  validateQueueParameters,
  type CanonicalQueueParameters,
  type QueueParameters,
  type QueueRateLimit,
} from './queue-parameters.ts';

export type { QueueParameters, QueueRateLimit };
export { validateQueueParameters };

/**
 * When `DBOS.registerQueue` finds a row of the same name: overwrite it with the
 * given options (`always_update`), keep it (`never_update`; the returned queue
 * then has the stored options), or overwrite it only from a process running
 * the latest application version (`update_if_latest_version`, the default as
 * in DBOS: during a rolling upgrade, old processes do not undo the new
 * definitions).
 */
export type QueueConflictResolution = 'always_update' | 'never_update' | 'update_if_latest_version';

export interface RegisterQueueOptions extends QueueParameters {
  onConflict?: QueueConflictResolution;
}

import { internalQueueName } from '../engine/recovery.ts';

export { internalQueueName };

/** How a database-backed queue reads and rewrites its stored row (provided by DatabaseQueues). */
export interface QueueSettingsStore {
  read(name: string): Promise<CanonicalQueueParameters | undefined>;
  write(name: string, params: CanonicalQueueParameters): Promise<CanonicalQueueParameters>;
}

const settingsStores = new WeakMap<WorkflowQueue, QueueSettingsStore>();

/** Let `queue`'s setX/getX methods read and change its row in the database. */
export function bindQueueSettings(queue: WorkflowQueue, store: QueueSettingsStore): WorkflowQueue {
  settingsStores.set(queue, store);
  return queue;
}

export class WorkflowQueue {
  readonly name: string;
  // Settings as last known: for a database-backed queue another process may have changed them
  // since; getX() reads the stored value, setX() changes it (assigning these changes nothing stored).
  /** The queue-wide limit (`globalConcurrency`; DBOS keeps this field name). */
  concurrency?: number;
  workerConcurrency?: number;
  rateLimit?: QueueRateLimit;
  /** @deprecated Kept for DBOS compatibility: every queue orders by priority, whatever this says. */
  readonly priorityEnabled: boolean;
  readonly partitionQueue: boolean;
  partitionConcurrency?: number;
  partitionWorkerConcurrency?: number;
  partitionRateLimit?: QueueRateLimit;
  minPollingIntervalMs: number;
  /** True for queues registered in the database (DBOS.registerQueue), false for queues declared in code. */
  readonly databaseBacked: boolean;

  /** `databaseBacked` queues come from DBOS.registerQueue and are not declared in this process's code. */
  constructor(name: string, params: QueueParameters = {}, options: { databaseBacked?: boolean } = {}) {
    const canonical = canonicalQueueParameters(`new WorkflowQueue("${name}")`, name, params);
    this.name = name;
    this.priorityEnabled = canonical.priorityEnabled ?? false;
    this.partitionQueue = canonical.partitionQueue ?? false;
    this.minPollingIntervalMs = 1000;
    this.remember(canonical);
    this.databaseBacked = options.databaseBacked ?? false;
    if (!this.databaseBacked) declaredQueues.add(this);
  }

  /** True when workflows need a partition key: the legacy flag, or any per-partition limit. */
  get partitioned(): boolean {
    return (
      this.partitionQueue ||
      this.partitionConcurrency !== undefined ||
      this.partitionWorkerConcurrency !== undefined ||
      this.partitionRateLimit !== undefined
    );
  }

  // ---- settings of database-backed queues, read and changed at runtime (DBOS's setX / getX) ----

  /** @deprecated DBOS's older name of setGlobalConcurrency. */
  setConcurrency(value: number | undefined): Promise<void> {
    return this.change({ concurrency: value });
  }

  /** The queue-wide limit of running workflows; undefined removes it. */
  setGlobalConcurrency(value: number | undefined): Promise<void> {
    return this.change({ concurrency: value });
  }

  setWorkerConcurrency(value: number | undefined): Promise<void> {
    return this.change({ workerConcurrency: value });
  }

  setRateLimit(value: QueueRateLimit | undefined): Promise<void> {
    return this.change({ rateLimit: value });
  }

  setPartitionConcurrency(value: number | undefined): Promise<void> {
    return this.change({ partitionConcurrency: value });
  }

  setPartitionWorkerConcurrency(value: number | undefined): Promise<void> {
    return this.change({ partitionWorkerConcurrency: value });
  }

  setPartitionRateLimit(value: QueueRateLimit | undefined): Promise<void> {
    return this.change({ partitionRateLimit: value });
  }

  setMinPollingIntervalMs(value: number): Promise<void> {
    return this.change({ minPollingIntervalMs: value });
  }

  /** @deprecated DBOS's older name of getGlobalConcurrency. */
  async getConcurrency(): Promise<number | undefined> {
    return (await this.current()).concurrency;
  }

  async getGlobalConcurrency(): Promise<number | undefined> {
    return (await this.current()).concurrency;
  }

  async getWorkerConcurrency(): Promise<number | undefined> {
    return (await this.current()).workerConcurrency;
  }

  async getRateLimit(): Promise<QueueRateLimit | undefined> {
    return (await this.current()).rateLimit;
  }

  async getPartitionConcurrency(): Promise<number | undefined> {
    return (await this.current()).partitionConcurrency;
  }

  async getPartitionWorkerConcurrency(): Promise<number | undefined> {
    return (await this.current()).partitionWorkerConcurrency;
  }

  async getPartitionRateLimit(): Promise<QueueRateLimit | undefined> {
    return (await this.current()).partitionRateLimit;
  }

  async getMinPollingIntervalMs(): Promise<number | undefined> {
    return (await this.current()).minPollingIntervalMs;
  }

  /** The stored settings of a database-backed queue (refreshing this object's), or this queue's own. */
  private async current(): Promise<CanonicalQueueParameters> {
    const store = settingsStores.get(this);
    if (!store) return this.parameters;
    const stored = await store.read(this.name);
    if (!stored) throw new DBOSQueueNotFoundError(this.name);
    this.remember(stored);
    return stored;
  }

  private async change(changes: CanonicalQueueParameters): Promise<void> {
    const store = settingsStores.get(this);
    if (!store) {
      throw new DBOSConfigurationError(
        `Queue "${this.name}" is declared in code: its settings are fixed. Register it with DBOS.registerQueue to change them at runtime.`,
      );
    }
    const stored = await store.read(this.name);
    if (!stored) throw new DBOSQueueNotFoundError(this.name);
    const next = { ...stored, ...changes };
    validateQueueParameters(this.name, next);
    this.remember(await store.write(this.name, next));
  }

  private remember(params: CanonicalQueueParameters): void {
    this.concurrency = params.concurrency;
    this.workerConcurrency = params.workerConcurrency;
    this.rateLimit = params.rateLimit ? { ...params.rateLimit } : undefined;
    this.partitionConcurrency = params.partitionConcurrency;
    this.partitionWorkerConcurrency = params.partitionWorkerConcurrency;
    this.partitionRateLimit = params.partitionRateLimit ? { ...params.partitionRateLimit } : undefined;
    this.minPollingIntervalMs = params.minPollingIntervalMs ?? 1000;
  }

  /** The canonical parameters (the queue-wide limit as `concurrency`). */
  get parameters(): CanonicalQueueParameters {
    return {
      concurrency: this.concurrency,
      workerConcurrency: this.workerConcurrency,
      rateLimit: this.rateLimit,
      priorityEnabled: this.priorityEnabled,
      partitionQueue: this.partitionQueue,
      partitionConcurrency: this.partitionConcurrency,
      partitionWorkerConcurrency: this.partitionWorkerConcurrency,
      partitionRateLimit: this.partitionRateLimit,
      minPollingIntervalMs: this.minPollingIntervalMs,
    };
  }
}

/** Queues declared in code in this process, by name (process-wide, like the workflow registry). */
class DeclaredQueues {
  private readonly byName = new Map<string, WorkflowQueue>();
  private readonly listeners = new Set<() => void>();

  add(queue: WorkflowQueue): void {
    if (this.byName.has(queue.name) || queue.name === internalQueueName) {
      throw new DBOSConflictingRegistrationError(`A queue named "${queue.name}" is already declared in this process.`);
    }
    this.byName.set(queue.name, queue);
    // A queue declared after launch is dequeued too: the running catalog hears of it.
    for (const listener of this.listeners) listener();
  }

  onAdd(listener: () => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  get(name: string): WorkflowQueue | undefined {
    return this.byName.get(name);
  }

  all(): WorkflowQueue[] {
    return [...this.byName.values()];
  }

  /** Forget every declared queue, so its name can be declared again (DBOS.shutdown({ deregister: true })). */
  clear(): void {
    this.byName.clear();
  }
}

export const declaredQueues = new DeclaredQueues();
