/**
 * The workflow-management part of the DBOS facade (DBOS inherits these static
 * members): listing, cancel, resume, fork, delete, garbage collection,
 * database-registered queues and application versions. Each member delegates
 * to the launched Runtime; no logic lives here.
 */
import type {
  GetWorkflowsInput,
  ListWorkflowStepsOptions,
  StepInfo,
  WaitAllOptions,
  WorkflowHandle,
  WorkflowStatus,
} from '../types/workflow-types.ts';
import {
  getLatestApplicationVersion,
  listApplicationVersions,
  setLatestApplicationVersion,
  type VersionInfo,
} from '../management/application-versions.ts';
import { listQueuedWorkflows, listWorkflows } from '../management/list-workflows.ts';
import {
  cancelWorkflows,
  deleteWorkflows,
  forkWorkflow,
  garbageCollect,
  type GarbageCollectOptions,
  listWorkflowSteps,
  resumeWorkflows,
  waitAll,
  waitFirst,
  type CancelOptions,
  type ForkOptions,
  type ResumeOptions,
} from '../management/workflow-control.ts';
import { rewindWorkflow, type RewindOptions } from '../management/rewind.ts';
import { registeredDataSources } from '../datasources/data-source-registry.ts';
import type { RegisterQueueOptions, WorkflowQueue } from '../queues/workflow-queue.ts';
import { setWorkflowDelay, setWorkflowPriority, type SetWorkflowDelayOptions } from '../queues/queued-workflow-changes.ts';
import { engineFor, runtimeFor } from '../runtime/runtime.ts';
import { DBOSCommunication } from './dbos-communication.ts';

export class DBOSManagement extends DBOSCommunication {
  /** Queued workflows not finished yet (ENQUEUED, DELAYED or PENDING), oldest first. */
  static async listQueuedWorkflows(input: GetWorkflowsInput = {}): Promise<WorkflowStatus[]> {
    return listQueuedWorkflows(engineFor('DBOS.listQueuedWorkflows'), input);
  }

  /** Workflows matching the filters, oldest first unless `sortDesc`. */
  static async listWorkflows(input: GetWorkflowsInput = {}): Promise<WorkflowStatus[]> {
    return listWorkflows(engineFor('DBOS.listWorkflows'), input);
  }

  /** A workflow's recorded operations in order (undefined if it does not exist). */
  static listWorkflowSteps(workflowID: string, options?: ListWorkflowStepsOptions): Promise<StepInfo[] | undefined> {
    return listWorkflowSteps(engineFor('DBOS.listWorkflowSteps'), workflowID, options);
  }

  /** Cancel a workflow (and, by default, the workflows it started): it stops at its next durable operation. */
  static cancelWorkflow(workflowID: string, options?: CancelOptions): Promise<void> {
    return cancelWorkflows(engineFor('DBOS.cancelWorkflow'), [workflowID], options);
  }

  static cancelWorkflows(workflowIDs: string[], options?: CancelOptions): Promise<void> {
    return cancelWorkflows(engineFor('DBOS.cancelWorkflows'), workflowIDs, options);
  }

  /** Run a cancelled (or stuck) workflow again from its last completed step; an ENQUEUED one starts at once. */
  static async resumeWorkflow<T>(workflowID: string, options?: ResumeOptions): Promise<WorkflowHandle<T>> {
    const [handle] = await resumeWorkflows(engineFor('DBOS.resumeWorkflow'), [workflowID], options);
    return handle as WorkflowHandle<T>;
  }

  /** The first of these workflows to finish (recorded in workflow code). */
  static waitFirst<T>(handles: WorkflowHandle<T>[]): Promise<WorkflowHandle<T>> {
    return waitFirst(engineFor('DBOS.waitFirst'), handles);
  }

  /** Wait until all these workflows have finished; returns the handles as given (recorded in workflow code). */
  static waitAll<T>(handles: WorkflowHandle<T>[], options?: WaitAllOptions): Promise<WorkflowHandle<T>[]> {
    return waitAll(engineFor('DBOS.waitAll'), handles, options);
  }

  /** Delete a workflow irreversibly, with all it recorded (and, with `deleteChildren`, its descendants). */
  static deleteWorkflow(workflowID: string, deleteChildren = false): Promise<void> {
    return deleteWorkflows(engineFor('DBOS.deleteWorkflow'), [workflowID], deleteChildren);
  }

  static deleteWorkflows(workflowIDs: string[], deleteChildren = false): Promise<void> {
    return deleteWorkflows(engineFor('DBOS.deleteWorkflows'), workflowIDs, deleteChildren);
  }

  /** Delete old finished workflows (durably extension; DBOS exposes it through its admin server). */
  static garbageCollect(options: GarbageCollectOptions): Promise<number> {
    return garbageCollect(engineFor('DBOS.garbageCollect'), options);
  }

  /** A new workflow with `workflowID`'s inputs, reusing its recorded steps before `startStep`. */
  static async forkWorkflow<T>(workflowID: string, startStep: number, options?: ForkOptions): Promise<WorkflowHandle<T>> {
    return (await forkWorkflow(engineFor('DBOS.forkWorkflow'), workflowID, startStep, options)) as WorkflowHandle<T>;
  }

  /**
   * Run a finished workflow again from `startStep` under its own ID (the steps before it replay); every data
   * source registered in this process drops its checkpoints from there too. Refused for an unfinished workflow.
   */
  static async rewindWorkflow<T>(workflowID: string, options?: RewindOptions): Promise<WorkflowHandle<Awaited<T>>> {
    const engine = engineFor('DBOS.rewindWorkflow');
    return (await rewindWorkflow(engine, workflowID, options, registeredDataSources())) as WorkflowHandle<Awaited<T>>;
  }

  static async resumeWorkflows<T>(workflowIDs: string[], options?: ResumeOptions): Promise<WorkflowHandle<T>[]> {
    return (await resumeWorkflows(engineFor('DBOS.resumeWorkflows'), workflowIDs, options)) as WorkflowHandle<T>[];
  }

  // ---- queues registered in the database ----

  /** Store a queue's limits in the system database; every process sharing it dequeues from it under them. */
  static async registerQueue(name: string, options?: RegisterQueueOptions): Promise<WorkflowQueue> {
    return runtimeFor('DBOS.registerQueue').databaseQueues.register(name, options);
  }

  /** A queue registered in the database, or null. */
  static async retrieveQueue(name: string): Promise<WorkflowQueue | null> {
    return runtimeFor('DBOS.retrieveQueue').databaseQueues.retrieve(name);
  }

  /** The queues registered in the database (not those declared in code): this application's and unowned ones, or the named applications'. */
  static async listQueues(applicationName?: string | string[]): Promise<WorkflowQueue[]> {
    return runtimeFor('DBOS.listQueues').databaseQueues.list(applicationName);
  }

  /** Delete a registered queue; workflows still waiting on it stay ENQUEUED until it is registered again. */
  static async deleteQueue(name: string): Promise<void> {
    return runtimeFor('DBOS.deleteQueue').databaseQueues.delete(name);
  }

  /** Change the priority of an ENQUEUED or DELAYED workflow (1 to 2^31-1; lower dequeues first); others are left as they are. */
  static async setWorkflowPriority(workflowID: string, priority: number): Promise<void> {
    const runtime = runtimeFor('DBOS.setWorkflowPriority');
    return setWorkflowPriority(runtime.engine, workflowID, priority);
  }

  /** Change when a DELAYED workflow becomes ENQUEUED (seconds from now, or an absolute time); others are left as they are. */
  static async setWorkflowDelay(workflowID: string, options: number | SetWorkflowDelayOptions): Promise<void> {
    return setWorkflowDelay(engineFor('DBOS.setWorkflowDelay'), workflowID, options);
  }

  // ---- application versions ----

  /** Every application version a process has launched with (this application's and unowned ones), latest first. */
  static listApplicationVersions(): Promise<VersionInfo[]> {
    return listApplicationVersions(engineFor('DBOS.listApplicationVersions'));
  }

  /** The most recently launched or promoted application version. */
  static getLatestApplicationVersion(): Promise<VersionInfo> {
    return getLatestApplicationVersion(engineFor('DBOS.getLatestApplicationVersion'));
  }

  /** Promote a registered version to latest. */
  static setLatestApplicationVersion(versionName: string, options?: { applicationName?: string }): Promise<void> {
    return setLatestApplicationVersion(engineFor('DBOS.setLatestApplicationVersion'), versionName, options?.applicationName);
  }
}
