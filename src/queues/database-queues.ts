/**
 * Queues registered in the database (DBOS.registerQueue and friends), as
 * opposed to declared in code: their limits are stored in the `queues`
 * table, so every process sharing the system database applies the same ones,
 * and they can be added or changed while processes run.
 */
import { DBOSConfigurationError, DBOSConflictingRegistrationError } from '../api/errors.ts';
import type { SystemDatabase } from '../system-database/system-database.ts';
import type { DLogger } from '../telemetry/logger.ts';
import type { QueueCatalogReloader } from './queue-catalog-reloader.ts';
import { definitionFromParameters, queueFromDefinition, queuesFromDefinitions } from './queue-definitions.ts';
import {
  declaredQueues,
  internalQueueName,
  validateQueueParameters,
  type QueueConflictResolution,
  type RegisterQueueOptions,
  type WorkflowQueue,
} from './workflow-queue.ts';

const conflictResolutions: readonly QueueConflictResolution[] = ['always_update', 'never_update'];
const knownOptions = new Set([
  'onConflict',
  'concurrency',
  'workerConcurrency',
  'rateLimit',
  'priorityEnabled',
  'partitionQueue',
  'partitionConcurrency',
  'minPollingIntervalMs',
]);

export class DatabaseQueues {
  constructor(
    private readonly systemDatabase: SystemDatabase,
    private readonly reloader: QueueCatalogReloader,
    private readonly applicationName: string,
    private readonly logger: DLogger,
  ) {}

  /** Store a queue's limits (see RegisterQueueOptions.onConflict) and start dequeuing from it here. */
  async register(name: string, options: RegisterQueueOptions = {}): Promise<WorkflowQueue> {
    const { onConflict = 'always_update', ...params } = checkOptions(name, options);
    validateQueueParameters(name, params);
    if (name === internalQueueName || declaredQueues.get(name)) {
      throw new DBOSConflictingRegistrationError(
        `Queue "${name}" is declared in this process's code (new WorkflowQueue); it cannot also be registered ` +
          'in the database. Use another name, or keep one of the two.',
      );
    }
    const definition = definitionFromParameters(name, params, this.applicationName);
    const stored = await this.systemDatabase.registerQueueDefinition(definition, onConflict, Date.now());
    // With never_update the stored row is an earlier registration's (perhaps by another tool): validate it too.
    const queue = queueFromDefinition(stored);
    this.reloader.putLocal(queue);
    return queue;
  }

  async retrieve(name: string): Promise<WorkflowQueue | null> {
    const definition = await this.systemDatabase.getQueueDefinition(name);
    return definition ? queueFromDefinition(definition) : null;
  }

  async list(): Promise<WorkflowQueue[]> {
    return queuesFromDefinitions(await this.systemDatabase.listQueueDefinitions(), this.logger);
  }

  /** Delete a registered queue: no process dequeues from it any more (its waiting workflows stay ENQUEUED). */
  async delete(name: string): Promise<void> {
    await this.systemDatabase.deleteQueueDefinition(name);
    this.reloader.removeLocal(name);
  }
}

function checkOptions(name: string, options: RegisterQueueOptions): RegisterQueueOptions {
  if (options === null || typeof options !== 'object') {
    throw new DBOSConfigurationError(`DBOS.registerQueue("${name}"): options must be an object, got ${options}.`);
  }
  for (const key of Object.keys(options)) {
    if (!knownOptions.has(key)) {
      throw new DBOSConfigurationError(
        `DBOS.registerQueue("${name}"): unknown option "${key}". Known options: ${[...knownOptions].join(', ')}.`,
      );
    }
  }
  if (options.onConflict !== undefined && !conflictResolutions.includes(options.onConflict)) {
    throw new DBOSConfigurationError(
      `DBOS.registerQueue("${name}"): onConflict must be ${conflictResolutions.map((c) => `"${c}"`).join(' or ')}, ` +
        `got ${JSON.stringify(options.onConflict)}.`,
    );
  }
  return options;
}
