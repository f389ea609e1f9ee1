/**
 * DBOSClient: starts and manages workflows from a process that does not run
 * them (an API server, a script). It owns a system database connection and
 * nothing else: no runtime, no registry, no migrations. Every member is a
 * delegation to the same functions the DBOS facade uses, over the client's
 * Engine (client-database.ts). Waits wake as a worker's do (LISTEN on
 * Postgres, brief polls on SQLite), not on DBOS's 10 s poll.
 */
import { DBOSConfigurationError } from '../errors/errors.ts';
import type { Engine } from '../engine/engine.ts';
import { customSerializer, DBOSJSON, serializerName, useSerializer } from '../engine/serializers.ts';
import { toPublicStatus } from '../engine/status-mapping.ts';
import { DurableWorkflowHandle } from '../engine/workflow-handle.ts';
import { getEvent } from '../communication/events.ts';
import { send } from '../communication/messages.ts';
import { listQueuedWorkflows, listWorkflows } from '../management/list-workflows.ts';
import {
  cancelWorkflows,
  deleteWorkflows,
  forkWorkflow,
  listWorkflowSteps,
  resumeWorkflows,
  waitAll,
  waitFirst,
  type CancelOptions,
  type ForkOptions,
  type ResumeOptions,
} from '../management/workflow-control.ts';
import { rewindWorkflow, type RewindOptions } from '../management/rewind.ts';
import { setWorkflowDelay, setWorkflowPriority, type SetWorkflowDelayOptions } from '../queues/queued-workflow-changes.ts';
import { waitTimeoutSeconds } from '../support/wait-timeouts.ts';
import type { DLogger } from '../telemetry/logger.ts';
import { standaloneLogger } from '../telemetry/contextual-logger.ts';
import type { DBOSSerializer, SendOptions } from '../types/serialization-types.ts';
import type {
  GetEventOptions,
  GetWorkflowsInput,
  ListWorkflowStepsOptions,
  StepInfo,
  WaitAllOptions,
  WorkflowHandle,
  WorkflowStatus,
} from '../types/workflow-types.ts';
import type { CallerPgClient } from '../system-database/system-database.ts';
import { ClientAdministration } from './client-administration.ts';
import { openClientEngine, type ClientDatabaseOptions } from './client-database.ts';
import { enqueueInTransaction, sendInTransaction } from './client-transactions.ts';
import { clientEnqueue, type ClientEnqueueOptions } from './client-enqueue.ts';

export type { ClientEnqueueOptions };

/** DBOSClient.create's options (DBOS's names; the two timeouts apply on Postgres only). */
export interface DBOSClientOptions extends ClientDatabaseOptions {
  /** The application this client acts for: owner of the rows it writes, default scope of its listings. */
  applicationName?: string;
  /** Writes native values in this format (process-wide, as a worker's config serializer). */
  serializer?: DBOSSerializer;
  logger?: DLogger;
}

/** DBOS's ClientSendOptions. */
export type ClientSendOptions = SendOptions;

export class DBOSClient extends ClientAdministration {
  readonly serializer: DBOSSerializer;
  #destroyed = false;

  private constructor(
    engine: Engine,
    private readonly clientApplicationName: string | undefined,
    serializer: DBOSSerializer,
    private readonly ownsSerializer: boolean,
  ) {
    super(engine);
    this.serializer = serializer;
  }

  static async create(options: DBOSClientOptions): Promise<DBOSClient> {
    if (typeof options !== 'object' || options === null) {
      throw new DBOSConfigurationError(`DBOSClient.create: expected an options object, got ${JSON.stringify(options)}.`);
    }
    const { applicationName } = options;
    if (applicationName !== undefined && (typeof applicationName !== 'string' || applicationName === '')) {
      throw new DBOSConfigurationError(`DBOSClient.create: applicationName must be a non-empty string, got ${JSON.stringify(applicationName)}.`);
    }
    const ownsSerializer = adoptSerializer(options.serializer);
    try {
      const engine = await openClientEngine(options, applicationName, standaloneLogger(options.logger, 'info'));
      return new DBOSClient(engine, applicationName, options.serializer ?? DBOSJSON, ownsSerializer);
    } catch (error) {
      if (ownsSerializer) useSerializer(undefined);
      throw error;
    }
  }

  /** The application this client acts for; undefined: it writes unclaimed rows and lists every application's. */
  get applicationName(): string | undefined {
    return this.clientApplicationName;
  }

  /** Close the system database connection. */
  async destroy(): Promise<void> {
    if (this.#destroyed) return;
    this.#destroyed = true;
    if (this.ownsSerializer) useSerializer(undefined);
    await this.engine.systemDatabase.close();
  }

  enqueue<T extends (...args: any[]) => Promise<any>>(options: ClientEnqueueOptions, ...args: Parameters<T>): Promise<WorkflowHandle<Awaited<ReturnType<T>>>> {
    return clientEnqueue(this.engine, this.clientApplicationName, options, args);
  }

  /** Enqueue in DBOS's portable JSON (for a workflow in another language, or without its definition). */
  enqueuePortable<T = unknown>(options: ClientEnqueueOptions, positionalArgs: unknown[], namedArgs?: Record<string, unknown>): Promise<WorkflowHandle<T>> {
    return clientEnqueue(this.engine, this.clientApplicationName, { ...options, serializationType: 'portable' }, positionalArgs, namedArgs);
  }

  /**
   * Enqueue through `client`, a `pg` client with an open transaction on the (Postgres) system database: the
   * workflow exists only once the caller commits. DBOSUnsupportedBackendError on SQLite.
   */
  enqueueInTransaction<T extends (...args: any[]) => Promise<any>>(
    client: CallerPgClient,
    options: ClientEnqueueOptions,
    ...args: Parameters<T>
  ): Promise<WorkflowHandle<Awaited<ReturnType<T>>>> {
    return enqueueInTransaction(this.engine, this.clientApplicationName, client, options, args);
  }

  enqueuePortableInTransaction<T = unknown>(
    client: CallerPgClient,
    options: ClientEnqueueOptions,
    positionalArgs: unknown[],
    namedArgs?: Record<string, unknown>,
  ): Promise<WorkflowHandle<T>> {
    return enqueueInTransaction(this.engine, this.clientApplicationName, client, { ...options, serializationType: 'portable' }, positionalArgs, namedArgs);
  }

  send<T>(destinationID: string, message: T, topic?: string, idempotencyKey?: string, options?: ClientSendOptions): Promise<void> {
    return send(this.engine, destinationID, message, topic, idempotencyKey, options);
  }

  /** Send through the caller's open `pg` transaction: delivered only once the caller commits (Postgres only). */
  sendInTransaction<T>(
    client: CallerPgClient,
    destinationID: string,
    message: T,
    topic?: string,
    idempotencyKey?: string,
    options?: ClientSendOptions,
  ): Promise<void> {
    return sendInTransaction(this.engine, client, destinationID, message, topic, idempotencyKey, options);
  }

  /** The event's value, waiting for it up to the timeout (default 60 s); null if it is not set by then. */
  getEvent<T>(workflowID: string, key: string, options?: number | GetEventOptions): Promise<T | null> {
    return getEvent<T>(this.engine, workflowID, key, waitTimeoutSeconds('DBOSClient.getEvent', options));
  }

  retrieveWorkflow<T = unknown>(workflowID: string): WorkflowHandle<Awaited<T>> {
    return new DurableWorkflowHandle<Awaited<T>>(this.engine, workflowID, true);
  }

  async getWorkflow(workflowID: string): Promise<WorkflowStatus | undefined> {
    const row = await this.engine.systemDatabase.getWorkflowStatus(workflowID);
    return row ? await toPublicStatus(row) : undefined;
  }

  listWorkflows(input: GetWorkflowsInput = {}): Promise<WorkflowStatus[]> {
    return listWorkflows(this.engine, input);
  }

  listQueuedWorkflows(input: GetWorkflowsInput = {}): Promise<WorkflowStatus[]> {
    return listQueuedWorkflows(this.engine, input);
  }

  listWorkflowSteps(workflowID: string, options?: ListWorkflowStepsOptions): Promise<StepInfo[] | undefined> {
    return listWorkflowSteps(this.engine, workflowID, options);
  }

  cancelWorkflow(workflowID: string, options?: CancelOptions): Promise<void> {
    return cancelWorkflows(this.engine, [workflowID], options);
  }

  cancelWorkflows(workflowIDs: string[], options?: CancelOptions): Promise<void> {
    return cancelWorkflows(this.engine, workflowIDs, options);
  }

  async resumeWorkflow<T = unknown>(workflowID: string, options?: ResumeOptions): Promise<WorkflowHandle<Awaited<T>>> {
    const [handle] = await resumeWorkflows(this.engine, [workflowID], options);
    return handle as WorkflowHandle<Awaited<T>>;
  }

  async resumeWorkflows<T = unknown>(workflowIDs: string[], options?: ResumeOptions): Promise<WorkflowHandle<Awaited<T>>[]> {
    return (await resumeWorkflows(this.engine, workflowIDs, options)) as WorkflowHandle<Awaited<T>>[];
  }

  deleteWorkflow(workflowID: string, deleteChildren = false): Promise<void> {
    return deleteWorkflows(this.engine, [workflowID], deleteChildren);
  }

  deleteWorkflows(workflowIDs: string[], deleteChildren = false): Promise<void> {
    return deleteWorkflows(this.engine, workflowIDs, deleteChildren);
  }

  /** A new workflow with `workflowID`'s inputs reusing its steps before `startStep`; returns the new ID (as DBOS's client). */
  async forkWorkflow(workflowID: string, startStep: number, options?: ForkOptions): Promise<string> {
    return (await forkWorkflow(this.engine, workflowID, startStep, options)).workflowID;
  }

  /**
   * Run a finished workflow again from `startStep` under its own ID (the steps before it replay). Only the
   * system database's history is dropped: data sources' checkpoints (completion rows in application databases)
   * are rewound only by DBOS.rewindWorkflow in the application, which knows its data sources.
   */
  async rewindWorkflow<T = unknown>(workflowID: string, options?: RewindOptions): Promise<WorkflowHandle<Awaited<T>>> {
    return (await rewindWorkflow(this.engine, workflowID, options)) as WorkflowHandle<Awaited<T>>;
  }

  setWorkflowPriority(workflowID: string, priority: number): Promise<void> {
    return setWorkflowPriority(this.engine, workflowID, priority);
  }

  setWorkflowDelay(workflowID: string, options: number | SetWorkflowDelayOptions): Promise<void> {
    return setWorkflowDelay(this.engine, workflowID, options);
  }

  waitFirst(handles: WorkflowHandle<unknown>[]): Promise<WorkflowHandle<unknown>> {
    return waitFirst(this.engine, handles);
  }

  waitAll<R>(handles: WorkflowHandle<R>[], options?: WaitAllOptions): Promise<WorkflowHandle<R>[]> {
    return waitAll(this.engine, handles, options);
  }

  /** @internal For DebouncerClient: the engine over this client's database. */
  get debounceEngine(): Engine {
    return this.engine;
  }
}

/**
 * Native values are written in the process's format: a client's serializer becomes it (and stops being
 * it at destroy()), unless a worker or another client in this process already set a different one.
 */
function adoptSerializer(serializer: DBOSSerializer | undefined): boolean {
  if (serializer === undefined || serializer === DBOSJSON) return false;
  const name = serializerName(serializer);
  const current = customSerializer();
  if (current === undefined) {
    useSerializer(serializer);
    return true;
  }
  if (current.name === name) return false;
  throw new DBOSConfigurationError(
    `DBOSClient.create: serializer "${name}" conflicts with serializer "${current.name}" already in use in this process ` +
      '(values are written in one format per process).',
  );
}
