/**
 * WorkflowQueue: a named queue with flow control, declared in code (before
 * launch) like the DBOS SDK's. Its limits hold across every process sharing
 * the system database: `concurrency` and `rateLimit` are counted in the
 * database, `workerConcurrency` in each process.
 */
import { DBOSConfigurationError, DBOSConflictingRegistrationError, DBOSQueueNotFoundError } from '../errors/errors.ts';

export interface QueueRateLimit {
  limitPerPeriod: number;
  periodSec: number;
}

export interface QueueParameters {
  /** Most workflows of the queue running at once, across all processes. */
  concurrency?: number;
  /** Most workflows of the queue running at once in one process. */
  workerConcurrency?: number;
  /** Most starts per period, across all processes. */
  rateLimit?: QueueRateLimit;
  /** Dequeue by priority (lower first) rather than first in, first out. */
  priorityEnabled?: boolean;
  /** Every workflow needs a partition key, and concurrency, workerConcurrency and rateLimit apply per key. */
  partitionQueue?: boolean;
  /** Most workflows of one partition running at once, across all processes (on top of the queue's limits). */
  partitionConcurrency?: number;
  /** Slowest this queue is polled when idle, in ms (wake-ups make polls rare; default 1000). */
  minPollingIntervalMs?: number;
}

/**
 * When `DBOS.registerQueue` finds a row of the same name: overwrite it with the
 * given options (`always_update`, the default), keep it (`never_update`; the
 * returned queue then has the stored options), or overwrite it only from a
 * process running the latest application version (`update_if_latest_version`:
 * during a rolling upgrade, old processes do not undo the new definitions).
 */
export type QueueConflictResolution = 'always_update' | 'never_update' | 'update_if_latest_version';

export interface RegisterQueueOptions extends QueueParameters {
  onConflict?: QueueConflictResolution;
}

import { internalQueueName } from '../engine/recovery.ts';

export { internalQueueName };

function positiveInteger(queue: string, option: string, value: unknown): void {
  if (value === undefined) return;
  if (typeof value !== 'number' || !Number.isInteger(value) || value < 1) {
    throw new DBOSConfigurationError(`Queue "${queue}": ${option} must be an integer >= 1, got ${JSON.stringify(value)}.`);
  }
}

export function validateQueueParameters(name: string, params: QueueParameters): void {
  if (typeof name !== 'string' || name.length === 0) {
    throw new DBOSConfigurationError(`A queue name must be a non-empty string, got ${JSON.stringify(name)}.`);
  }
  positiveInteger(name, 'concurrency', params.concurrency);
  positiveInteger(name, 'workerConcurrency', params.workerConcurrency);
  positiveInteger(name, 'partitionConcurrency', params.partitionConcurrency);
  if (params.concurrency !== undefined && params.workerConcurrency !== undefined && params.workerConcurrency > params.concurrency) {
    throw new DBOSConfigurationError(
      `Queue "${name}": workerConcurrency (${params.workerConcurrency}) cannot exceed concurrency (${params.concurrency}).`,
    );
  }
  if (params.partitionConcurrency !== undefined && params.partitionQueue) {
    throw new DBOSConfigurationError(
      `Queue "${name}": use either partitionQueue (limits apply per partition) or partitionConcurrency, not both.`,
    );
  }
  const rate = params.rateLimit;
  if (rate !== undefined) {
    positiveInteger(name, 'rateLimit.limitPerPeriod', rate.limitPerPeriod);
    if (typeof rate.periodSec !== 'number' || !(rate.periodSec > 0) || !Number.isFinite(rate.periodSec)) {
      throw new DBOSConfigurationError(`Queue "${name}": rateLimit.periodSec must be a positive number, got ${rate.periodSec}.`);
    }
  }
  const polling = params.minPollingIntervalMs;
  if (polling !== undefined && (typeof polling !== 'number' || !(polling > 0) || !Number.isFinite(polling))) {
    throw new DBOSConfigurationError(`Queue "${name}": minPollingIntervalMs must be a positive number, got ${polling}.`);
  }
}

/** How a database-backed queue reads and rewrites its stored row (provided by DatabaseQueues). */
export interface QueueSettingsStore {
  read(name: string): Promise<QueueParameters | undefined>;
  write(name: string, params: QueueParameters): Promise<QueueParameters>;
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
  concurrency?: number;
  workerConcurrency?: number;
  rateLimit?: QueueRateLimit;
  readonly priorityEnabled: boolean;
  readonly partitionQueue: boolean;
  partitionConcurrency?: number;
  minPollingIntervalMs: number;
  /** True for queues registered in the database (DBOS.registerQueue), false for queues declared in code. */
  readonly databaseBacked: boolean;

  /** `databaseBacked` queues come from DBOS.registerQueue and are not declared in this process's code. */
  constructor(name: string, params: QueueParameters = {}, options: { databaseBacked?: boolean } = {}) {
    validateQueueParameters(name, params);
    this.name = name;
    this.concurrency = params.concurrency;
    this.workerConcurrency = params.workerConcurrency;
    this.rateLimit = params.rateLimit ? { ...params.rateLimit } : undefined;
    this.priorityEnabled = params.priorityEnabled ?? false;
    this.partitionQueue = params.partitionQueue ?? false;
    this.partitionConcurrency = params.partitionConcurrency;
    this.minPollingIntervalMs = params.minPollingIntervalMs ?? 1000;
    this.databaseBacked = options.databaseBacked ?? false;
    if (!this.databaseBacked) declaredQueues.add(this);
  }

  /** True when workflows need a partition key. */
  get partitioned(): boolean {
    return this.partitionQueue || this.partitionConcurrency !== undefined;
  }

  // ---- settings of database-backed queues, read and changed at runtime (DBOS's setX / getX) ----

  /** The queue-wide limit of running workflows; undefined removes it. */
  setConcurrency(value: number | undefined): Promise<void> {
    return this.change({ concurrency: value });
  }

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

  setMinPollingIntervalMs(value: number): Promise<void> {
    return this.change({ minPollingIntervalMs: value });
  }

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

  async getMinPollingIntervalMs(): Promise<number | undefined> {
    return (await this.current()).minPollingIntervalMs;
  }

  /** The stored settings of a database-backed queue (refreshing this object's), or this queue's own. */
  private async current(): Promise<QueueParameters> {
    const store = settingsStores.get(this);
    if (!store) return this.parameters;
    const stored = await store.read(this.name);
    if (!stored) throw new DBOSQueueNotFoundError(this.name);
    this.remember(stored);
    return stored;
  }

  private async change(changes: QueueParameters): Promise<void> {
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

  private remember(params: QueueParameters): void {
    this.concurrency = params.concurrency;
    this.workerConcurrency = params.workerConcurrency;
    this.rateLimit = params.rateLimit ? { ...params.rateLimit } : undefined;
    this.partitionConcurrency = params.partitionConcurrency;
    this.minPollingIntervalMs = params.minPollingIntervalMs ?? 1000;
  }

  get parameters(): QueueParameters {
    return {
      concurrency: this.concurrency,
      workerConcurrency: this.workerConcurrency,
      rateLimit: this.rateLimit,
      priorityEnabled: this.priorityEnabled,
      partitionQueue: this.partitionQueue,
      partitionConcurrency: this.partitionConcurrency,
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
}

export const declaredQueues = new DeclaredQueues();
