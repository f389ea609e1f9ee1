/**
 * The SQL implementation of managing workflows (cancel, resume, fork, rewind, delete, debounce, garbage
 * collection, renaming an application), shared by both backends like SqlSystemDatabase, of which it is a part:
 * each change commits in one transaction, then wakes this process's waiters it concerns.
 */
import { DBOSConflictingWorkflowError, DBOSNonExistentWorkflowError, DBOSQueueDuplicatedError } from '../errors/errors.ts';
import type { Connection } from './connection.ts';
import type { Dialect } from './dialect.ts';
import type { Notifier } from './notifier.ts';
import type { ApplicationRename, ApplicationRowCounts, DebounceOutcome, DebounceRequest, ForkRequest, GarbageCollectionPacing, RewindOutcome, RewindRequest, StepOutcomeRecord } from './records.ts';
import { debounceOnce } from './sql/debounce.ts';
import { forkWorkflow } from './sql/fork.ts';
import { deleteCollectable, keepRowsCutoff } from './sql/garbage-collection.ts';
import { cancelWorkflows, deleteWorkflows, resumeWorkflows, withDescendants } from './sql/management.ts';
import { renameApplication } from './sql/rename-application.ts';
import { rewindWorkflow } from './sql/rewind.ts';
import { cancelChannel, outcomeChannel, queueChannel, queueDefinitionsChannel, queueDefinitionsKey } from './system-database.ts';

export class SqlWorkflowControl {
  constructor(
    private readonly connection: Connection,
    private readonly dialect: Dialect,
    private readonly notifier: Notifier,
  ) {}

  async cancelWorkflows(workflowIDs: readonly string[], descendants: boolean, now: number): Promise<string[]> {
    const cancelled = await this.connection.transaction(async (tx) => {
      const ids = descendants ? await withDescendants(tx, this.dialect, workflowIDs) : workflowIDs;
      return cancelWorkflows(tx, this.dialect, ids, now);
    });
    if (cancelled.length > 0) {
      this.notifier.wakeLocal(cancelChannel, cancelled);
      this.notifier.wakeLocal(outcomeChannel, cancelled);
    }
    return cancelled;
  }

  async resumeWorkflows(workflowIDs: readonly string[], queueName: string, now: number): Promise<string[]> {
    const resumed = await this.connection.transaction((tx) => resumeWorkflows(tx, this.dialect, workflowIDs, queueName, now));
    if (resumed.length > 0) this.notifier.wakeLocal(queueChannel, [queueName]);
    return resumed;
  }

  async forkWorkflow(fork: ForkRequest): Promise<void> {
    let forked: boolean;
    try {
      forked = await this.connection.transaction((tx) => forkWorkflow(tx, this.dialect, fork));
    } catch (error) {
      if (!this.dialect.isUniqueViolation(error)) throw error;
      throw new DBOSConflictingWorkflowError(fork.newWorkflowID, `Cannot fork into workflow ID ${fork.newWorkflowID}: it is already taken.`);
    }
    if (!forked) throw new DBOSNonExistentWorkflowError(`Cannot fork workflow ${fork.originalID}: it does not exist.`, { workflowID: fork.originalID });
    this.notifier.wakeLocal(queueChannel, [fork.queueName]);
  }

  async rewindWorkflow(rewind: RewindRequest): Promise<RewindOutcome> {
    const outcome = await this.connection.transaction((tx) => rewindWorkflow(tx, this.dialect, rewind));
    if (outcome.kind === 'rewound') this.notifier.wakeLocal(queueChannel, [rewind.queueName]);
    return outcome;
  }

  async debounceWorkflow(request: DebounceRequest, checkpoint?: StepOutcomeRecord): Promise<DebounceOutcome> {
    // A retry follows a concurrent change (the key freed, or its workflow just left DELAYED): rare and brief.
    for (let attempt = 0; attempt < 100; attempt++) {
      const outcome = await this.connection.transaction((tx) => debounceOnce(tx, this.dialect, request, checkpoint));
      if (outcome === 'retry') continue;
      if (outcome.kind !== 'held') this.notifier.wakeLocal(queueChannel, [request.workflow.queueName]);
      return outcome;
    }
    throw new DBOSQueueDuplicatedError(request.workflow.workflowID, request.workflow.queueName, request.workflow.deduplicationID);
  }

  deleteWorkflows(workflowIDs: readonly string[], descendants: boolean): Promise<number> {
    return this.connection.transaction(async (tx) =>
      deleteWorkflows(tx, this.dialect, descendants ? await withDescendants(tx, this.dialect, workflowIDs) : workflowIDs),
    );
  }

  async garbageCollect(
    cutoffEpochMs: number | undefined,
    keepRows: number | undefined,
    ownedBy?: readonly string[],
    pacing?: GarbageCollectionPacing,
  ): Promise<number> {
    const scope = { d: this.dialect, owners: ownedBy ?? [] };
    let cutoff = cutoffEpochMs;
    if (keepRows !== undefined) {
      const newest = await keepRowsCutoff(this.connection, scope, keepRows, pacing);
      if (newest !== undefined) cutoff = Math.max(cutoff ?? newest, newest);
    }
    return cutoff === undefined ? 0 : deleteCollectable(this.connection, scope, cutoff, pacing);
  }

  async renameApplication(rename: ApplicationRename): Promise<ApplicationRowCounts> {
    const counts = await renameApplication(this.connection, this.dialect, rename);
    // Workers reload queue definitions on this channel, and find the ones they now own.
    if (counts.queues > 0) this.notifier.wakeLocal(queueDefinitionsChannel, [queueDefinitionsKey]);
    return counts;
  }
}
