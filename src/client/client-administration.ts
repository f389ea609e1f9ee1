/**
 * The DBOSClient members beyond workflows and messages (DBOSClient extends
 * this): streams, database-registered queues, dynamic schedules and
 * application versions, each delegating to the functions the DBOS facade
 * uses, over the client's Engine. Schedules name their workflow (a client
 * has none registered), and a trigger or backfill enqueues runs by name for
 * the application's workers (scheduler/schedules-by-name.ts).
 */
import type { Engine } from '../engine/engine.ts';
import { readStream, readStreamOffset, type ReadStreamOffsetOptions, type ReadStreamOptions } from '../communication/streams.ts';
import {
  getLatestApplicationVersion,
  listApplicationVersions,
  setLatestApplicationVersion,
  type VersionInfo,
} from '../management/application-versions.ts';
import { renameApplication, type ApplicationRowCounts, type RenameApplicationOptions } from '../management/rename-application.ts';
import type { WorkflowQueue } from '../queues/workflow-queue.ts';
import {
  deleteSchedule,
  getSchedule,
  listSchedules,
  setScheduleStatus,
  updateSchedule,
  type NamedScheduleInput,
  type ScheduleListFilters,
  type ScheduleUpdates,
  type WorkflowSchedule,
} from '../scheduler/dynamic-schedules.ts';
import {
  applySchedulesByName,
  backfillScheduleByName,
  createScheduleByName,
  triggerScheduleByName,
  type NamedAppliedSchedule,
} from '../scheduler/schedules-by-name.ts';
import type { WorkflowHandle } from '../types/workflow-types.ts';
import { ClientQueues, type ClientRegisterQueueOptions } from './client-queues.ts';

/** DBOSClient.createSchedule's input: the workflow by name (and class), the owner defaulting to the client's application. */
export type ClientScheduleInput = Omit<NamedScheduleInput, 'workflowClassName' | 'applicationName'> & {
  workflowClassName?: string;
  applicationName?: string;
};
export type ClientAppliedSchedule = Omit<NamedAppliedSchedule, 'workflowClassName' | 'applicationName'> & {
  workflowClassName?: string;
  applicationName?: string;
};

export abstract class ClientAdministration {
  private readonly queues: ClientQueues;

  protected constructor(protected readonly engine: Engine) {
    this.queues = new ClientQueues(engine);
  }

  // ---- streams (never recorded: a client runs no workflow) ----

  /** Every value of a workflow's stream, in order, until it is closed or the workflow ends. */
  readStream<T>(workflowID: string, key: string, options?: ReadStreamOptions): AsyncGenerator<T, void, unknown> {
    return readStream<T>(this.engine, workflowID, key, options);
  }

  /** The value at one offset of a stream, waiting for it (DBOSStreamTimeoutError if the stream ends first or the timeout passes). */
  readStreamOffset<T>(workflowID: string, key: string, offset: number, options?: ReadStreamOffsetOptions): Promise<T> {
    return readStreamOffset<T>(this.engine, workflowID, key, offset, options);
  }

  // ---- queues registered in the database ----

  /** Store a queue's limits (onConflict default 'always_update'); every worker sharing the database applies them. */
  registerQueue(name: string, options?: ClientRegisterQueueOptions): Promise<WorkflowQueue> {
    return this.queues.register(name, options);
  }

  retrieveQueue(name: string): Promise<WorkflowQueue | null> {
    return this.queues.retrieve(name);
  }

  /** Delete a registered queue; workflows still waiting on it stay ENQUEUED until it is registered again. */
  deleteQueue(name: string): Promise<void> {
    return this.queues.delete(name);
  }

  /** Registered queues of these applications (and unowned ones); default: this client's application's. */
  listQueues(applicationName?: string | string[]): Promise<WorkflowQueue[]> {
    return this.queues.list(applicationName);
  }

  // ---- dynamic schedules ----

  createSchedule(input: ClientScheduleInput): Promise<void> {
    return createScheduleByName(this.engine, input, 'DBOSClient.createSchedule');
  }

  listSchedules(filters?: ScheduleListFilters): Promise<WorkflowSchedule[]> {
    return listSchedules(this.engine, filters);
  }

  getSchedule(name: string): Promise<WorkflowSchedule | null> {
    return getSchedule(this.engine, name);
  }

  deleteSchedule(name: string): Promise<void> {
    return deleteSchedule(this.engine, name);
  }

  pauseSchedule(name: string): Promise<void> {
    return setScheduleStatus(this.engine, name, 'PAUSED');
  }

  resumeSchedule(name: string): Promise<void> {
    return setScheduleStatus(this.engine, name, 'ACTIVE');
  }

  updateSchedule(name: string, updates: ScheduleUpdates): Promise<void> {
    return updateSchedule(this.engine, name, updates);
  }

  /** Insert or redefine these schedules in one transaction. */
  applySchedules(schedules: ClientAppliedSchedule[]): Promise<void> {
    return applySchedulesByName(this.engine, schedules, 'DBOSClient.applySchedules');
  }

  /** Enqueue one run of the schedule's workflow now, for the application's workers. */
  triggerSchedule(name: string): Promise<WorkflowHandle<unknown>> {
    return triggerScheduleByName(this.engine, name, 'DBOSClient.triggerSchedule');
  }

  /** Enqueue every slot in [start, end) not run yet, under the IDs the scheduler uses (idempotent). */
  backfillSchedule(name: string, start: Date, end: Date): Promise<WorkflowHandle<unknown>[]> {
    return backfillScheduleByName(this.engine, name, start, end, 'DBOSClient.backfillSchedule');
  }

  // ---- application versions ----

  /** The versions of this client's application (and unowned ones), latest first. */
  listApplicationVersions(): Promise<VersionInfo[]> {
    return listApplicationVersions(this.engine);
  }

  getLatestApplicationVersion(): Promise<VersionInfo> {
    return getLatestApplicationVersion(this.engine);
  }

  /**
   * Give `newName` the rows `oldName` owns (with adoptUnclaimedRows, also the rows no application owns;
   * oldName undefined: only those): queues, schedules, versions and in-flight workflows in one transaction,
   * then terminal workflows and steps in batches of `batchSize` (default 10 000; null: one transaction).
   * Run it while the renamed application is stopped. Returns the rows moved, by table.
   */
  renameApplication(oldName: string | undefined, newName: string, options?: RenameApplicationOptions): Promise<ApplicationRowCounts> {
    return renameApplication(this.engine, oldName, newName, options);
  }

  /** Promote a version to latest; one another application registered is refused. */
  async setLatestApplicationVersion(versionName: string, options?: { applicationName?: string }): Promise<void> {
    return setLatestApplicationVersion(this.engine, versionName, options?.applicationName);
  }
}
