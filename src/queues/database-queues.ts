/**
 * Queues registered in the database (DBOS.registerQueue and friends), as
 * opposed to declared in code: their limits are stored in the `queues`
 * table, so every process sharing the system database applies the same ones,
 * and they can be added or changed while processes run.
 */
import { DBOSConfigurationError, DBOSConflictingRegistrationError } from '../errors/errors.ts';
import type { QueueDefinitionConflict } from '../system-database/claim-records.ts';
import type { SystemDatabase } from '../system-database/system-database.ts';
import type { DLogger } from '../telemetry/logger.ts';
import type { QueueCatalogReloader } from './queue-catalog-reloader.ts';
import {
  definitionFromParameters,
  parametersFromDefinition,
  queueFromDefinition,
  queuesFromDefinitions,
} from './queue-definitions.ts';
import { canonicalQueueParameters, queueParameterNames, refuseUnknownOptions } from './queue-parameters.ts';
import {
  bindQueueSettings,
  declaredQueues,
  internalQueueName,
  type QueueConflictResolution,
  type RegisterQueueOptions,
  type WorkflowQueue,
} from './workflow-queue.ts';

const conflictResolutions: readonly QueueConflictResolution[] = ['always_update', 'never_update', 'update_if_latest_version'];
const knownOptions: readonly string[] = ['onConflict', ...queueParameterNames];

export class DatabaseQueues {
  constructor(
    private readonly systemDatabase: SystemDatabase,
    private readonly reloader: QueueCatalogReloader,
    private readonly applicationName: string,
    private readonly applicationVersion: string,
    private readonly logger: DLogger,
  ) {}

  /** Store a queue's limits (see RegisterQueueOptions.onConflict) and start dequeuing from it here. */
  async register(name: string, options: RegisterQueueOptions = {}): Promise<WorkflowQueue> {
    const { onConflict = 'update_if_latest_version', ...given } = checkOptions(name, options);
    const params = canonicalQueueParameters(`DBOS.registerQueue("${name}")`, name, given);
    if (name === internalQueueName || declaredQueues.get(name)) {
      throw new DBOSConflictingRegistrationError(
        `Queue "${name}" is declared in this process's code (new WorkflowQueue); it cannot also be registered ` +
          'in the database. Use another name, or keep one of the two.',
      );
    }
    const definition = definitionFromParameters(name, params, this.applicationName);
    const stored = await this.systemDatabase.registerQueueDefinition(definition, await this.resolve(onConflict), Date.now());
    // With never_update the stored row is an earlier registration's (perhaps by another tool): validate it too.
    const queue = this.bound(queueFromDefinition(stored));
    this.reloader.putLocal(queue);
    return queue;
  }

  /** update_if_latest_version: only a process running the latest application version redefines a queue. */
  private async resolve(onConflict: QueueConflictResolution): Promise<QueueDefinitionConflict> {
    if (onConflict !== 'update_if_latest_version') return onConflict;
    const [latest] = await this.systemDatabase.applicationVersions.list(this.applicationName);
    return latest?.versionName === this.applicationVersion ? 'always_update' : 'never_update';
  }

  async retrieve(name: string): Promise<WorkflowQueue | null> {
    const definition = await this.systemDatabase.getQueueDefinition(name);
    return definition ? this.bound(queueFromDefinition(definition)) : null;
  }

  /** The named applications' queues and unowned ones; by default this application's (as in DBOS 5.3). */
  async list(applicationName?: string | string[]): Promise<WorkflowQueue[]> {
    const owners = applicationName === undefined ? [this.applicationName] : [applicationName].flat();
    const definitions = (await this.systemDatabase.listQueueDefinitions()).filter(
      (d) => d.applicationName === null || owners.includes(d.applicationName),
    );
    const queues = queuesFromDefinitions(definitions, this.logger);
    return queues.map((queue) => this.bound(queue));
  }

  /**
   * A queue whose setX/getX read and rewrite its row. A change is the whole
   * row as read just before plus the change (concurrent changes of other
   * settings by another process can be overwritten: last writer wins); this
   * process applies it at once, others on the announcement.
   */
  private bound(queue: WorkflowQueue): WorkflowQueue {
    return bindQueueSettings(queue, {
      read: async (name) => {
        const definition = await this.systemDatabase.getQueueDefinition(name);
        return definition && parametersFromDefinition(definition);
      },
      write: async (name, params) => {
        const definition = definitionFromParameters(name, params, this.applicationName);
        const stored = await this.systemDatabase.registerQueueDefinition(definition, 'always_update', Date.now());
        this.reloader.putLocal(queueFromDefinition(stored));
        return parametersFromDefinition(stored);
      },
    });
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
  refuseUnknownOptions(`DBOS.registerQueue("${name}")`, options, knownOptions);
  if (options.onConflict !== undefined && !conflictResolutions.includes(options.onConflict)) {
    throw new DBOSConfigurationError(
      `DBOS.registerQueue("${name}"): onConflict must be ${conflictResolutions.map((c) => `"${c}"`).join(' or ')}, ` +
        `got ${JSON.stringify(options.onConflict)}.`,
    );
  }
  return options;
}
