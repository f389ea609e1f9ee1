/**
 * DBOSClient's database-registered queues: DBOS.registerQueue and friends
 * from a process that dequeues nothing. The rows are the ones a worker's
 * DatabaseQueues writes (queues/queue-definitions.ts); the workers sharing
 * the database pick changes up from their announcements. A client has no
 * application version, so `onConflict` defaults to 'always_update' and
 * 'update_if_latest_version' is refused, as in DBOS.
 */
import { DBOSConfigurationError, DBOSConflictingRegistrationError } from '../errors/errors.ts';
import type { Engine } from '../engine/engine.ts';
import { definitionFromParameters, parametersFromDefinition, queueFromDefinition, queuesFromDefinitions } from '../queues/queue-definitions.ts';
import { canonicalQueueParameters, queueParameterNames, refuseUnknownOptions } from '../queues/queue-parameters.ts';
import { bindQueueSettings, internalQueueName, type RegisterQueueOptions, type WorkflowQueue } from '../queues/workflow-queue.ts';

export type ClientRegisterQueueOptions = RegisterQueueOptions & { applicationName?: string };

const knownOptions: readonly string[] = ['onConflict', 'applicationName', ...queueParameterNames];

export class ClientQueues {
  constructor(private readonly engine: Engine) {}

  private get owner(): string | null {
    return this.engine.identity.applicationName || null;
  }

  async register(name: string, options: ClientRegisterQueueOptions = {}): Promise<WorkflowQueue> {
    const what = `DBOSClient.registerQueue("${name}")`;
    if (typeof name !== 'string' || name === '') throw new DBOSConfigurationError(`DBOSClient.registerQueue: the queue name must be a non-empty string.`);
    if (options === null || typeof options !== 'object') throw new DBOSConfigurationError(`${what}: options must be an object.`);
    refuseUnknownOptions(what, options, knownOptions);
    const { onConflict = 'always_update', applicationName, ...given } = options;
    if (onConflict !== 'always_update' && onConflict !== 'never_update') {
      throw new DBOSConfigurationError(
        `${what}: onConflict must be "always_update" or "never_update" (a client has no application version, so ` +
          `"update_if_latest_version" cannot apply), got ${JSON.stringify(onConflict)}.`,
      );
    }
    if (name === internalQueueName) throw new DBOSConflictingRegistrationError(`${what}: "${internalQueueName}" is durably's own queue.`);
    const owner = applicationName ?? this.owner;
    const existing = await this.engine.systemDatabase.getQueueDefinition(name);
    if (existing?.applicationName && owner && existing.applicationName !== owner) {
      throw new DBOSConflictingRegistrationError(
        `${what}: the queue belongs to application "${existing.applicationName}", not "${owner}". Register it under another name.`,
      );
    }
    const params = canonicalQueueParameters(what, name, given);
    const stored = await this.engine.systemDatabase.registerQueueDefinition(definitionFromParameters(name, params, owner), onConflict, Date.now());
    return this.bound(queueFromDefinition(stored), stored.applicationName);
  }

  async retrieve(name: string): Promise<WorkflowQueue | null> {
    const definition = await this.engine.systemDatabase.getQueueDefinition(name);
    return definition ? this.bound(queueFromDefinition(definition), definition.applicationName) : null;
  }

  /** The named applications' queues (and unowned ones); by default this client's application's, or all for an unnamed client. */
  async list(applicationName?: string | string[]): Promise<WorkflowQueue[]> {
    const owners = applicationName === undefined ? (this.owner === null ? undefined : [this.owner]) : [applicationName].flat();
    const definitions = (await this.engine.systemDatabase.listQueueDefinitions()).filter(
      (d) => owners === undefined || d.applicationName === null || owners.includes(d.applicationName),
    );
    return queuesFromDefinitions(definitions, this.engine.logger).map((queue) => {
      const owner = definitions.find((d) => d.name === queue.name)?.applicationName ?? null;
      return this.bound(queue, owner);
    });
  }

  async delete(name: string): Promise<void> {
    await this.engine.systemDatabase.deleteQueueDefinition(name);
  }

  /** setX/getX read and rewrite the row through this client's database (the owner is kept). */
  private bound(queue: WorkflowQueue, owner: string | null): WorkflowQueue {
    return bindQueueSettings(queue, {
      read: async (name) => {
        const definition = await this.engine.systemDatabase.getQueueDefinition(name);
        return definition && parametersFromDefinition(definition);
      },
      write: async (name, params) => {
        const stored = await this.engine.systemDatabase.registerQueueDefinition(definitionFromParameters(name, params, owner), 'always_update', Date.now());
        return parametersFromDefinition(stored);
      },
    });
  }
}
