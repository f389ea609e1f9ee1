/**
 * SystemDatabase implemented once, on top of a Connection, a Dialect and a
 * Notifier; sqlite/ and postgres/ supply those three.
 */
import {
  DBOSNonExistentWorkflowError,
  DBOSQueueDuplicatedError,
  DBOSWorkflowConflictError,
} from '../errors/errors.ts';
import { callerTransactionWrites } from './caller-transaction.ts';
import type { Connection, QueryRunner } from './connection.ts';
import type { Dialect } from './dialect.ts';
import { claimScope, LostClaims } from './lost-claims.ts';
import { ReadLimiter } from './read-limiter.ts';
import { noSingleCommit, type SingleCommitSupport } from './single-commit.ts';
import { selectStrandedVersions, type PendingVersionCount } from './sql/stranded-versions.ts';
import { adoptStrandedWorkflow } from './sql/stranded-adoption.ts';
import type { Notifier } from './notifier.ts';
import type { AwaitedWrite, ForkRequest, ApplicationRename, ApplicationRowCounts, RewindOutcome, RewindRequest, EventDispatchState, GarbageCollectionPacing, DebounceOutcome, DebounceRequest, InsertWorkflowResult, NewWorkflowRecord, StepOutcomeRecord, WorkflowListFilter, WorkflowOutcomeRecord, WorkflowStatusRecord, StrandedAdoption } from './records.ts';
import type { ClaimRequest, ClaimResult, QueueDefinitionConflict, QueueDefinitionRecord, RecoveryClaim, PendingWorkflowCursor, PendingWorkflowRef, RecoveryAttemptRequest, RecoveryBatchClaim } from './claim-records.ts';
import { selectEventDispatchState, upsertEventDispatchState } from './sql/event-dispatch.ts';
import { selectWorkflows } from './sql/listing.ts';
import { writeBatch } from './sql/batch.ts';
import { selectStepOutcomePage, selectStepOutcomes, selectStepOutcomesOf } from './sql/steps.ts';
import { claimRecoveryAttempts, selectPendingDirectWorkflows } from './sql/recovery.ts';
import { selectQueuesWithWork } from './sql/idle-queues.ts';
import { selectWrittenAwaited } from './sql/awaited-writes.ts';
import {
  claimRecoveryAttempt,
  markRecoveryAttemptsExceeded,
  selectWorkflowStatus,
} from './sql/workflows.ts';
import {
  claimNeedsTransaction,
  claimQueuedWorkflows,
  peekQueue,
  removeSilentExecutors,
  requeuePendingWorkflows,
  selectWaitingPartitions,
  upsertHeartbeat,
} from './sql/queues.ts';
import { claimBatch, claimIsOneBatch, type ClaimBatch } from './sql/claim-batch.ts';
import {
  deleteQueueDefinition,
  selectQueueDefinition,
  selectQueueDefinitions,
  upsertQueueDefinition,
} from './sql/queue-definitions.ts';
import { delayChangedKey, updateDelay, updateQueuedPriority } from './sql/queued-workflows.ts';
import { insertEnqueuedWorkflows } from './sql/batch-enqueue.ts';
import { selectCancelled } from './sql/management.ts';
import {
  outcomeChannel,
  queueChannel,
  type QueuedWorkflowChange,
  queueDefinitionsChannel,
  queueDefinitionsKey,
  type BackendName,
  type RequeuedWorkflow,
  type RequeueOptions,
  type SystemDatabase,
  type CallerPgClient,
  type CallerTransactionWrites,
  type TakenOverExecutor,
} from './system-database.ts';
import { WriteBatcher, type WriteRequest } from './write-batcher.ts';
import { SqlApplicationVersionStore, SqlScheduleStore } from './sql-schedule-store.ts';
import { SqlCommunicationStore } from './sql-communication-store.ts';
import { SqlDashboardReads } from './sql-dashboard-reads.ts';
import { SqlWorkflowControl } from './sql-workflow-control.ts';

/** Tables in the order they can be emptied (children before parents). */
const allTables = ['operation_outputs', 'workflow_input', 'workflow_output', 'notifications', 'workflow_events_history',
  'workflow_events', 'streams', 'event_dispatch_kv', 'workflow_schedules', 'application_versions', 'queues',
  'durably_executors', 'workflow_status'];

function isSameOutcome(a: StepOutcomeRecord, b: StepOutcomeRecord): boolean {
  return (
    a.functionName === b.functionName &&
    a.output === b.output &&
    a.error === b.error &&
    a.completedAtEpochMs === b.completedAtEpochMs &&
    a.startedAtEpochMs === b.startedAtEpochMs
  );
}

export class SqlSystemDatabase implements SystemDatabase {
  private readonly batcher: WriteBatcher;
  /** Queue claims whose answer a lost connection swallowed: their rows are looked up by later claims. */
  private readonly lostClaims = new LostClaims();
  private readonly observabilityReads: QueryRunner;
  readonly schedules: SqlScheduleStore;
  readonly applicationVersions: SqlApplicationVersionStore;
  readonly communication: SqlCommunicationStore;
  readonly dashboard: SqlDashboardReads;
  private readonly control: SqlWorkflowControl;

  constructor(
    readonly backend: BackendName,
    private readonly connection: Connection,
    private readonly dialect: Dialect,
    readonly notifier: Notifier,
    batchesInFlight: number,
    readonly pollingReads: ReadLimiter = new ReadLimiter(0),
    readonly singleCommit: SingleCommitSupport = noSingleCommit,
    /** A client's observabilityQueryTimeoutMs: listings, status and step reads are cut off after it (0: never). */
    observabilityQueryTimeoutMs = 0,
  ) {
    this.observabilityReads =
      observabilityQueryTimeoutMs > 0
        ? { query: (sql, params = []) => connection.boundedRead(sql, params, observabilityQueryTimeoutMs) }
        : connection;
    this.schedules = new SqlScheduleStore(connection, dialect, notifier);
    this.applicationVersions = new SqlApplicationVersionStore(connection, dialect);
    this.communication = new SqlCommunicationStore(connection, dialect, notifier);
    this.dashboard = new SqlDashboardReads(connection, dialect);
    this.control = new SqlWorkflowControl(connection, dialect, notifier);
    this.batcher = new WriteBatcher(
      (requests) => writeBatch(this.connection, this.dialect, requests),
      (requests, applied) => this.publishOutcomes(requests, applied),
      { maxInFlight: batchesInFlight },
    );
  }

  inCallerTransaction(client: CallerPgClient, what: string): CallerTransactionWrites {
    return callerTransactionWrites(this.backend, this.dialect, client, what);
  }

  async insertWorkflowOrGetExisting(workflow: NewWorkflowRecord): Promise<InsertWorkflowResult> {
    // An existing row can vanish between our insert and our read (deleted); then insert again.
    for (let attempt = 0; attempt < 3; attempt++) {
      if (await this.batcher.submit({ kind: 'insert-workflow', record: workflow })) return { inserted: true };
      const existing = await this.getWorkflowStatus(workflow.workflowID);
      // Our own row, when a retried insert found the first try committed after all.
      if (existing?.ownerXid === workflow.ownerXid) return { inserted: true };
      if (existing) return { inserted: false, existing };
      // No row under this ID, yet the insert was skipped: the deduplication ID is held.
      if (workflow.deduplicationID !== null && workflow.queueName !== null) {
        throw new DBOSQueueDuplicatedError(workflow.workflowID, workflow.queueName, workflow.deduplicationID);
      }
    }
    throw new DBOSNonExistentWorkflowError(`Workflow ${workflow.workflowID} kept vanishing while being started.`, { workflowID: workflow.workflowID });
  }

  async recordStepOutcome(outcome: StepOutcomeRecord): Promise<void> {
    if (await this.batcher.submit({ kind: 'step-outcome', record: outcome })) return;
    const [existing] = await selectStepOutcomes(this.connection, this.dialect, outcome.workflowID, outcome.functionID);
    if (existing && isSameOutcome(existing, outcome)) return; // a retried insert found our own row
    throw new DBOSWorkflowConflictError(outcome.workflowID);
  }

  loadStepOutcomes(workflowID: string): Promise<StepOutcomeRecord[]> {
    return selectStepOutcomes(this.connection, this.dialect, workflowID);
  }

  recordWorkflowOutcome(outcome: WorkflowOutcomeRecord): Promise<boolean> {
    return this.batcher.submit({ kind: 'workflow-outcome', record: outcome });
  }

  getWorkflowStatus(workflowID: string): Promise<WorkflowStatusRecord | undefined> {
    return selectWorkflowStatus(this.observabilityReads, this.dialect, workflowID);
  }

  countStrandedVersions(executorID: string, applicationVersion: string, liveSinceEpochMs: number): Promise<PendingVersionCount[]> {
    return selectStrandedVersions(this.connection, this.dialect, executorID, applicationVersion, liveSinceEpochMs);
  }

  async adoptStrandedWorkflow(adoption: StrandedAdoption): Promise<boolean> {
    const queueName = await adoptStrandedWorkflow(this.connection, this.dialect, adoption);
    if (queueName !== undefined) this.wakeQueues([{ workflowID: adoption.workflowID, queueName }]);
    return queueName !== undefined;
  }

  claimRecoveryAttempt(workflowID: string, maxRecoveryAttempts: number, now: number): Promise<RecoveryClaim> {
    return this.connection.transaction((tx) => claimRecoveryAttempt(tx, this.dialect, workflowID, maxRecoveryAttempts, now));
  }

  listPendingDirectWorkflows(executorID: string, applicationVersion: string, after: PendingWorkflowCursor | null, limit: number): Promise<PendingWorkflowRef[]> {
    return selectPendingDirectWorkflows(this.connection, this.dialect, executorID, applicationVersion, after, limit);
  }

  async claimRecoveryAttempts(requests: readonly RecoveryAttemptRequest[], now: number): Promise<RecoveryBatchClaim> {
    const claim = await claimRecoveryAttempts(this.connection, this.dialect, requests, now);
    if (claim.exceeded.length > 0) this.notifier.wakeLocal(outcomeChannel, claim.exceeded.map((w) => w.workflowID));
    return claim;
  }

  loadStepOutcomesOf(workflowIDs: readonly string[]): Promise<Map<string, StepOutcomeRecord[]>> {
    return selectStepOutcomesOf(this.connection, this.dialect, workflowIDs);
  }

  claimQueuedWorkflows(request: ClaimRequest, promoteDelayed: boolean): Promise<ClaimResult> {
    return this.lostClaims.run(
      claimScope(request.queueName, request.partitionKey),
      async (nextAttempt) => {
        if (claimIsOneBatch(request, promoteDelayed)) {
          // Nothing to read before the claim: lock and claim go together (one round trip on Postgres).
          let batch: ClaimBatch | undefined;
          const rows = await this.connection.pipelinedTransaction(() => (batch = claimBatch(this.dialect, request, nextAttempt())).statements);
          return batch!.result(rows);
        }
        // Each attempt starts here: after a lost connection, the whole claim runs again, looking for its lost rows.
        const claim = (tx: QueryRunner) => claimQueuedWorkflows(tx, this.dialect, request, promoteDelayed, nextAttempt());
        // With nothing to count first, the claim is one statement: it commits by itself.
        return claimNeedsTransaction(request, promoteDelayed) ? this.connection.transaction(claim) : this.connection.autocommit(claim);
      },
      (result) => result.claimed.map((workflow) => workflow.startedAtEpochMs ?? 0),
    );
  }

  async peekQueue(queueName: string): Promise<{ hasEnqueued: boolean; nextDelayedAt: number | null }> {
    const peek = await peekQueue(this.connection, this.dialect, queueName);
    // Rows of a claim whose answer was lost are PENDING, not ENQUEUED, yet still to be handed over: claim.
    return this.lostClaims.hasAny(queueName) ? { ...peek, hasEnqueued: true } : peek;
  }

  findAwaitedWrites(awaited: readonly AwaitedWrite[]): Promise<AwaitedWrite[]> {
    return selectWrittenAwaited(this.connection, this.dialect, awaited);
  }

  async findQueuesWithWork(queueNames: readonly string[], nowEpochMs: number): Promise<string[]> {
    const found = new Set(await selectQueuesWithWork(this.connection, this.dialect, queueNames, nowEpochMs));
    for (const name of queueNames) if (this.lostClaims.hasAny(name)) found.add(name);
    return [...found];
  }

  async listWaitingPartitions(queueName: string): Promise<string[]> {
    const waiting = await selectWaitingPartitions(this.connection, this.dialect, queueName);
    const lost = this.lostClaims.partitionsOf(queueName).filter((key) => !waiting.includes(key));
    return lost.length === 0 ? waiting : [...waiting, ...lost];
  }

  setQueuedWorkflowPriority(workflowID: string, priority: number, now: number, checkpoint?: StepOutcomeRecord): Promise<QueuedWorkflowChange> {
    return this.connection.transaction((tx) => updateQueuedPriority(tx, this.dialect, workflowID, priority, now, checkpoint));
  }

  async setWorkflowDelayUntil(workflowID: string, delayUntilEpochMs: number, now: number, checkpoint?: StepOutcomeRecord): Promise<QueuedWorkflowChange> {
    const { change, queueName } = await this.connection.transaction((tx) =>
      updateDelay(tx, this.dialect, workflowID, delayUntilEpochMs, now, checkpoint),
    );
    if (queueName !== undefined) this.notifier.wakeLocal(queueChannel, [delayChangedKey(queueName)]);
    return change;
  }

  async requeuePendingWorkflows(options: RequeueOptions): Promise<RequeuedWorkflow[]> {
    const requeued = await this.connection.transaction((tx) => requeuePendingWorkflows(tx, this.dialect, options));
    this.wakeQueues(requeued);
    return requeued;
  }

  async markRecoveryAttemptsExceeded(workflowID: string, now: number): Promise<boolean> {
    const marked = await markRecoveryAttemptsExceeded(this.connection, this.dialect, workflowID, now);
    if (marked) this.notifier.wakeLocal(outcomeChannel, [workflowID]);
    return marked;
  }

  recordHeartbeat(executorID: string, applicationVersion: string, now: number, silentBefore: number): Promise<boolean> {
    return upsertHeartbeat(this.connection, this.dialect, executorID, applicationVersion, now, silentBefore);
  }

  async takeOverSilentExecutors(cutoff: number, self: string, fallbackQueue: string, now: number): Promise<TakenOverExecutor[]> {
    const taken = await this.connection.transaction(async (tx) => {
      const dead = await removeSilentExecutors(tx, this.dialect, cutoff, self);
      const result: TakenOverExecutor[] = [];
      for (const executorID of dead) {
        const workflows = await requeuePendingWorkflows(tx, this.dialect, { executorID, queuedOnly: false, fallbackQueue, now });
        result.push({ executorID, workflows });
      }
      return result;
    });
    this.wakeQueues(taken.flatMap((t) => t.workflows));
    return taken;
  }

  private wakeQueues(workflows: readonly RequeuedWorkflow[]): void {
    const queues = [...new Set(workflows.map((w) => w.queueName))];
    if (queues.length > 0) this.notifier.wakeLocal(queueChannel, queues);
  }

  listWorkflows(filter: WorkflowListFilter): Promise<WorkflowStatusRecord[]> {
    return selectWorkflows(this.observabilityReads, this.dialect, filter);
  }

  async registerQueueDefinition(
    definition: QueueDefinitionRecord,
    onConflict: QueueDefinitionConflict,
    now: number,
  ): Promise<QueueDefinitionRecord> {
    const stored = await upsertQueueDefinition(this.connection, this.dialect, definition, onConflict, now);
    this.notifier.wakeLocal(queueDefinitionsChannel, [queueDefinitionsKey]);
    return stored;
  }

  getQueueDefinition(name: string): Promise<QueueDefinitionRecord | undefined> {
    return selectQueueDefinition(this.connection, this.dialect, name);
  }

  listQueueDefinitions(): Promise<QueueDefinitionRecord[]> {
    return selectQueueDefinitions(this.connection, this.dialect);
  }

  async deleteQueueDefinition(name: string): Promise<boolean> {
    const deleted = await deleteQueueDefinition(this.connection, this.dialect, name);
    if (deleted) this.notifier.wakeLocal(queueDefinitionsChannel, [queueDefinitionsKey]);
    return deleted;
  }

  selectCancelled(workflowIDs: readonly string[]): Promise<string[]> {
    return selectCancelled(this.connection, this.dialect, workflowIDs);
  }

  async enqueueWorkflows(workflows: readonly NewWorkflowRecord[]): Promise<Set<string>> {
    if (workflows.length === 0) return new Set();
    const inserted = await this.connection.transaction((tx) => insertEnqueuedWorkflows(tx, this.dialect, workflows));
    const queues = new Set(workflows.filter((w) => inserted.has(w.workflowID)).map((w) => w.queueName ?? ''));
    if (queues.size > 0) this.notifier.wakeLocal(queueChannel, [...queues]);
    return inserted;
  }

  listStepOutcomes(workflowID: string, limit?: number, offset?: number): Promise<StepOutcomeRecord[]> {
    return selectStepOutcomePage(this.observabilityReads, this.dialect, workflowID, limit, offset);
  }

  cancelWorkflows(workflowIDs: readonly string[], descendants: boolean, now: number): Promise<string[]> {
    return this.control.cancelWorkflows(workflowIDs, descendants, now);
  }

  resumeWorkflows(workflowIDs: readonly string[], queueName: string, now: number): Promise<string[]> {
    return this.control.resumeWorkflows(workflowIDs, queueName, now);
  }

  forkWorkflow(fork: ForkRequest): Promise<void> {
    return this.control.forkWorkflow(fork);
  }

  rewindWorkflow(rewind: RewindRequest): Promise<RewindOutcome> {
    return this.control.rewindWorkflow(rewind);
  }

  debounceWorkflow(request: DebounceRequest, checkpoint?: StepOutcomeRecord): Promise<DebounceOutcome> {
    return this.control.debounceWorkflow(request, checkpoint);
  }

  deleteWorkflows(workflowIDs: readonly string[], descendants: boolean): Promise<number> {
    return this.control.deleteWorkflows(workflowIDs, descendants);
  }

  garbageCollect(cutoffEpochMs: number | undefined, keepRows: number | undefined, ownedBy?: readonly string[], pacing?: GarbageCollectionPacing): Promise<number> {
    return this.control.garbageCollect(cutoffEpochMs, keepRows, ownedBy, pacing);
  }

  renameApplication(rename: ApplicationRename): Promise<ApplicationRowCounts> {
    return this.control.renameApplication(rename);
  }

  getEventDispatchState(service: string, workflowFnName: string, key: string): Promise<EventDispatchState | undefined> {
    return selectEventDispatchState(this.connection, this.dialect, service, workflowFnName, key);
  }

  upsertEventDispatchState(state: EventDispatchState): Promise<EventDispatchState> {
    return upsertEventDispatchState(this.connection, this.dialect, state);
  }

  async resetAllData(): Promise<void> {
    await this.batcher.drain();
    await this.connection.transaction(async (tx) => {
      for (const table of allTables) await tx.query(`DELETE FROM ${this.dialect.table(table)}`);
    });
  }

  async close(): Promise<void> {
    await this.batcher.close();
    await this.notifier.close();
    await this.connection.close();
  }

  /** Wake this process's waiters: of finished workflows, and of queues with new work or a freed slot. */
  private publishOutcomes(requests: readonly WriteRequest[], applied: readonly boolean[]): void {
    const finished: string[] = [];
    const queues = new Set<string>();
    requests.forEach((request, i) => {
      if (!applied[i]) return;
      if (request.kind === 'workflow-outcome') finished.push(request.record.workflowID);
      if (request.kind !== 'step-outcome' && request.record.queueName) queues.add(request.record.queueName);
    });
    if (finished.length > 0) this.notifier.wakeLocal(outcomeChannel, finished);
    if (queues.size > 0) this.notifier.wakeLocal(queueChannel, [...queues]);
  }
}
