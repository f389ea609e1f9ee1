/**
 * The system database: the engine's whole view of storage. Every method is one
 * atomic operation named for the domain; no connection, transaction or SQL ever
 * leaves this folder. Two implementations share one code path
 * (sql-system-database.ts) and differ only in their Connection, Dialect and
 * Notifier (sqlite/ and postgres/).
 *
 * Writes on the hot path (workflow starts, step outcomes, workflow outcomes) go
 * through a group-commit batcher: concurrent writes from many workflows commit
 * together, and each caller continues only after its own row is committed.
 */
import type { DashboardReads } from './dashboard-reads.ts';
import type { ReadLimiter } from './read-limiter.ts';
import type { PendingVersionCount } from './sql/stranded-versions.ts';
import type { VersionPromotion } from './sql/application-versions.ts';
import type { Notifier } from './notifier.ts';
import type { SingleCommitSupport } from './single-commit.ts';
import type { AwaitedWrite, ForkRequest, ApplicationRename, ApplicationRowCounts, RewindOutcome, RewindRequest, MessageRecord, PublishedValue, StoredValue, StreamEntry, EventDispatchState, GarbageCollectionPacing, DebounceOutcome, DebounceRequest, InsertWorkflowResult, NewWorkflowRecord, ApplicationVersionRecord, ScheduleChanges, ScheduleFilter, ScheduleRecord, StepOutcomeRecord, WorkflowListFilter, WorkflowOutcomeRecord, WorkflowStatusRecord, StrandedAdoption } from './records.ts';
import type { ClaimRequest, ClaimResult, QueueDefinitionConflict, QueueDefinitionRecord, RecoveryClaim, PendingWorkflowCursor, PendingWorkflowRef, RecoveryAttemptRequest, RecoveryBatchClaim } from './claim-records.ts';

export type BackendName = 'sqlite' | 'postgres';

export interface RequeueOptions {
  executorID: string;
  /** Only workflows of this version (recovery at launch); all versions when absent (takeover). */
  applicationVersion?: string;
  queuedOnly: boolean;
  fallbackQueue: string;
  now: number;
}

export interface RequeuedWorkflow {
  workflowID: string;
  queueName: string;
}

export interface TakenOverExecutor {
  executorID: string;
  workflows: RequeuedWorkflow[];
}

/** Notifier channel of finished workflows; the key is a workflow ID. */
export const outcomeChannel = 'workflow_outcome';
/** What a change of a waiting workflow found: done, the workflow not (or no longer) in the state changed, or no such workflow. */
export type QueuedWorkflowChange = 'changed' | 'not-waiting' | 'missing';

/** Notifier channel of queues with new work or a freed slot; the key is a queue name. */
export const queueChannel = 'queue';
/** Channels of messages, events and streams; the key is `<workflowID>::<topic or key>` (DBOS's names and payloads). */
export const messagesChannel = 'notifications_channel';
export const eventsChannel = 'workflow_events_channel';
export const streamsChannel = 'streams_channel';

/** Channel of cancelled workflows; the key is a workflow ID: whoever runs it stops at its next operation. */
export const cancelChannel = 'workflow_cancelled';

export function communicationKey(workflowID: string, topicOrKey: string): string {
  return `${workflowID}::${topicOrKey}`;
}
/** Notifier channel of changes to the queues registered in the database; the key is always `queueDefinitionsKey`. */
export const queueDefinitionsChannel = 'queue_definitions';
/** Listeners reload every queue definition on any change, so one key serves all. */
export const queueDefinitionsKey = 'changed';

/** Notifier channel of changes to dynamic schedules; the key is always `schedulesKey`. */
export const schedulesChannel = 'workflow_schedules';
export const schedulesKey = 'changed';

/**
 * Dynamic schedules (`workflow_schedules`). Changes are announced on
 * `schedulesChannel`; one made from workflow code commits with `checkpoint`.
 */
/** Messages, events and streams: each write with its checkpoint in one transaction. */
export interface CommunicationStore {
  /**
   * Insert a message (an existing message ID is a no-op: idempotent sends) and,
   * from a workflow, its checkpoint, in one transaction. Throws
   * DBOSNonExistentWorkflowError when the destination does not exist.
   */
  sendMessage(message: MessageRecord, checkpoint?: StepOutcomeRecord): Promise<void>;

  /**
   * Consume the oldest unconsumed message of (checkpoint.workflowID, topic),
   * recording it as `checkpoint`'s output in the same transaction; undefined
   * (nothing written) when there is none.
   */
  consumeMessage(topic: string, checkpoint: StepOutcomeRecord): Promise<StepOutcomeRecord | undefined>;

  /** Publish an event value, with its history row and checkpoint, in one transaction. */
  setEvent(event: PublishedValue, checkpoint: StepOutcomeRecord): Promise<void>;

  getEvent(workflowID: string, key: string): Promise<StoredValue | undefined>;

  /** Append to a stream at its next offset (with the checkpoint, from workflow code), in one transaction. */
  writeStream(entry: PublishedValue, checkpoint?: StepOutcomeRecord): Promise<void>;

  /** Stream entries from `fromOffset` on, in order (a bounded batch). */
  readStream(workflowID: string, key: string, fromOffset: number): Promise<StreamEntry[]>;
}

export interface ScheduleStore {
  /** Insert a schedule; false (nothing written) when its name is taken. */
  create(schedule: ScheduleRecord, checkpoint?: StepOutcomeRecord): Promise<boolean>;
  /** Insert or redefine schedules in one transaction, keeping existing ones' IDs, statuses and last fired times. */
  apply(schedules: readonly ScheduleRecord[]): Promise<void>;
  list(filter: ScheduleFilter): Promise<ScheduleRecord[]>;
  get(name: string): Promise<ScheduleRecord | undefined>;
  /** Change some columns; false (nothing written) when there is no such schedule. */
  update(name: string, changes: ScheduleChanges, checkpoint?: StepOutcomeRecord): Promise<boolean>;
  /** Delete a schedule; false when there was none. */
  delete(name: string, checkpoint?: StepOutcomeRecord): Promise<boolean>;
  /** Record the latest slot fired (ISO time); an earlier slot never overwrites a later one. */
  markFired(name: string, slot: string): Promise<void>;
}

/** Application versions (`application_versions`): the latest is the most recently registered or promoted. */
export interface ApplicationVersionStore {
  /** Register a version at launch (a known one keeps its timestamp). */
  register(versionName: string, applicationName: string, now: number): Promise<void>;
  /** The application's versions and unowned ones, latest first. */
  list(applicationName: string): Promise<ApplicationVersionRecord[]>;
  /** Make a version the latest; with an owner, claim it if unowned and leave it if another application owns it. */
  promote(versionName: string, now: number, owner: string | null): Promise<VersionPromotion>;
}

/** What durably needs of a caller's client: node-postgres's `query(text, values)` (a pg.Client or PoolClient). */
export interface CallerPgClient {
  query(text: string, values?: unknown[]): Promise<{ rows: unknown[] }>;
}

/** Writes made in a caller's open transaction (caller-transaction.ts). */
export interface CallerTransactionWrites {
  /** Insert a status row; false when the ID exists or the deduplication ID is held (nothing written). */
  insertWorkflow(record: NewWorkflowRecord): Promise<boolean>;
  /** Insert a message; false when its destination does not exist (as seen by the caller's transaction). */
  insertMessage(message: MessageRecord): Promise<boolean>;
}

export interface SystemDatabase {
  readonly backend: BackendName;
  readonly schedules: ScheduleStore;
  readonly applicationVersions: ApplicationVersionStore;
  /** Messages, events and streams. */
  readonly communication: CommunicationStore;
  /** Paged and aggregated reads for the admin dashboard. */
  readonly dashboard: DashboardReads;
  /** Wakes waiters when a write concerns them (in-process always; across processes per backend). */
  readonly notifier: Notifier;
  /** Bounds how many waits' reads run at once (`systemDatabasePollingConcurrency`). */
  readonly pollingReads: ReadLimiter;
  /** For data sources whose database is this one: their transactions and checkpoints commit as one (single-commit.ts). */
  readonly singleCommit: SingleCommitSupport;

  /** Insert a workflow's status row with its inputs; on an existing ID, return that row instead. */
  insertWorkflowOrGetExisting(workflow: NewWorkflowRecord): Promise<InsertWorkflowResult>;

  /** Writes through a caller's open `pg` transaction (Postgres only; DBOSUnsupportedBackendError elsewhere). */
  inCallerTransaction(client: CallerPgClient, what: string): CallerTransactionWrites;

  /**
   * Record one operation's outcome. Resolves once committed. Rejects with
   * DBOSWorkflowConflictError when another execution already recorded this
   * (workflow, function ID).
   */
  recordStepOutcome(outcome: StepOutcomeRecord): Promise<void>;

  /** Every recorded operation of a workflow, in function-ID order (one read, at resume time). */
  loadStepOutcomes(workflowID: string): Promise<StepOutcomeRecord[]>;

  /**
   * Write a workflow's final status and result, only if it is still PENDING.
   * Returns false when it was not (cancelled, already finished, deleted).
   */
  recordWorkflowOutcome(outcome: WorkflowOutcomeRecord): Promise<boolean>;

  getWorkflowStatus(workflowID: string): Promise<WorkflowStatusRecord | undefined>;

  /**
   * Of these awaited writes, the ones already in the database: one read for
   * all of them (the batched re-check of sleeping waiters, for writes that
   * announced nothing). The list must not change afterwards: asked again
   * with the same list, the statement built for it is reused.
   */
  findAwaitedWrites(awaited: readonly AwaitedWrite[]): Promise<AwaitedWrite[]>;

  /**
   * PENDING workflows of `executorID` under other application versions, per version, leaving out
   * versions another executor with a heartbeat since `liveSinceEpochMs` runs (launch-time check).
   */
  countStrandedVersions(executorID: string, applicationVersion: string, liveSinceEpochMs: number): Promise<PendingVersionCount[]>;

  /**
   * Hand a stranded workflow to another application version: restamp it and put it on its queue, if it is
   * still stranded under `fromVersion`; false when it no longer is (see sql/stranded-versions.ts).
   */
  adoptStrandedWorkflow(adoption: StrandedAdoption): Promise<boolean>;

  /**
   * Count one more recovery attempt of a PENDING workflow; past
   * `maxRecoveryAttempts` it becomes MAX_RECOVERY_ATTEMPTS_EXCEEDED instead.
   */
  claimRecoveryAttempt(workflowID: string, maxRecoveryAttempts: number, now: number): Promise<RecoveryClaim>;

  /**
   * Recovery in bounded batches: up to `limit` PENDING workflows of this executor and version started
   * directly (not from a queue), oldest first, after `after` (the last of the previous page).
   */
  listPendingDirectWorkflows(
    executorID: string,
    applicationVersion: string,
    after: PendingWorkflowCursor | null,
    limit: number,
  ): Promise<PendingWorkflowRef[]>;

  /**
   * claimRecoveryAttempt for a whole batch, in one transaction: those still PENDING count one more attempt,
   * and those past their own budget become MAX_RECOVERY_ATTEMPTS_EXCEEDED.
   */
  claimRecoveryAttempts(requests: readonly RecoveryAttemptRequest[], now: number): Promise<RecoveryBatchClaim>;

  /** loadStepOutcomes of many workflows in one read (recovery of a batch). */
  loadStepOutcomesOf(workflowIDs: readonly string[]): Promise<Map<string, StepOutcomeRecord[]>>;

  /**
   * Take up to `request.maxTasks` startable workflows of one queue (or
   * partition) within its flow-control limits, marking them PENDING for this
   * executor. With `promoteDelayed`, delayed workflows that are due first
   * become startable, and the result says when the next one is due.
   */
  claimQueuedWorkflows(request: ClaimRequest, promoteDelayed: boolean): Promise<ClaimResult>;

  /** Without locking anything: whether a queue has ENQUEUED work (or rows of a lost claim to hand over), and when its next delayed workflow is due. */
  peekQueue(queueName: string): Promise<{ hasEnqueued: boolean; nextDelayedAt: number | null }>;

  /**
   * Of these queues, the ones with work to claim now: an ENQUEUED workflow, a
   * DELAYED one due by `nowEpochMs`, or rows of a lost claim to hand over.
   * One read for all of them (the shared idle poll of a process's queues).
   */
  findQueuesWithWork(queueNames: readonly string[], nowEpochMs: number): Promise<string[]>;

  /** Partition keys of a queue that have workflows waiting (claims whose answer was lost included). */
  listWaitingPartitions(queueName: string): Promise<string[]>;

  /**
   * Change the priority of an ENQUEUED or DELAYED workflow ('not-waiting':
   * it is in another state, nothing changed; 'missing': no such workflow,
   * nothing written). `checkpoint` (a call from workflow code) commits with it.
   */
  setQueuedWorkflowPriority(workflowID: string, priority: number, now: number, checkpoint?: StepOutcomeRecord): Promise<QueuedWorkflowChange>;

  /** Change when a DELAYED workflow becomes ENQUEUED (as above); its queue's dequeuers are told. */
  setWorkflowDelayUntil(workflowID: string, delayUntilEpochMs: number, now: number, checkpoint?: StepOutcomeRecord): Promise<QueuedWorkflowChange>;

  /**
   * Put an executor's PENDING workflows back on their queues (direct ones on
   * `fallbackQueue`); with `queuedOnly`, only those that came from a queue.
   */
  requeuePendingWorkflows(options: RequeueOptions): Promise<RequeuedWorkflow[]>;

  /** A workflow that exhausted its recovery attempts becomes MAX_RECOVERY_ATTEMPTS_EXCEEDED (if still PENDING). */
  markRecoveryAttemptsExceeded(workflowID: string, now: number): Promise<boolean>;

  /** Record that this executor is alive; true when another executor has been silent since `silentBefore`. */
  recordHeartbeat(executorID: string, applicationVersion: string, now: number, silentBefore: number): Promise<boolean>;

  /**
   * Executors silent since `cutoff` are dead: each is taken over by exactly
   * one caller, who puts its PENDING workflows back on their queues.
   */
  takeOverSilentExecutors(cutoff: number, self: string, fallbackQueue: string, now: number): Promise<TakenOverExecutor[]>;

  /** Workflow status rows matching `filter`, ordered by creation time. */
  listWorkflows(filter: WorkflowListFilter): Promise<WorkflowStatusRecord[]>;

  /**
   * Register a queue: insert its row or, on an existing name, overwrite it
   * (`always_update`) or keep it (`never_update`). Returns the row as stored.
   * Other processes hear of the change on `queueDefinitionsChannel`.
   */
  registerQueueDefinition(
    definition: QueueDefinitionRecord,
    onConflict: QueueDefinitionConflict,
    now: number,
  ): Promise<QueueDefinitionRecord>;

  getQueueDefinition(name: string): Promise<QueueDefinitionRecord | undefined>;

  /** Every registered queue, by name. */
  listQueueDefinitions(): Promise<QueueDefinitionRecord[]>;

  /** Delete a registered queue; false if there was none. Its waiting workflows stay where they are. */
  deleteQueueDefinition(name: string): Promise<boolean>;

  /**
   * Mark workflows (and, with `withDescendants`, all their descendants) that
   * have not finished as CANCELLED: they leave their queues and are never
   * recovered; whoever runs them is notified. Returns the IDs cancelled.
   * An unknown ID throws DBOSNonExistentWorkflowError and cancels none.
   */
  cancelWorkflows(workflowIDs: readonly string[], withDescendants: boolean, now: number): Promise<string[]>;

  /** Of these workflow IDs, those now CANCELLED (a safety net for lost cancel notifications). */
  selectCancelled(workflowIDs: readonly string[]): Promise<string[]>;

  /**
   * Put cancelled or unfinished workflows back on `queueName` to run again from
   * their last completed step, recovery attempts reset. Returns the IDs resumed.
   * An unknown ID throws DBOSNonExistentWorkflowError and resumes none.
   */
  resumeWorkflows(workflowIDs: readonly string[], queueName: string, now: number): Promise<string[]>;

  /**
   * Start a new, enqueued workflow with an original's inputs, reusing its
   * recorded outcomes before `startStep`. Throws DBOSNonExistentWorkflowError
   * for an unknown original, DBOSConflictingWorkflowError for a taken new ID.
   */
  forkWorkflow(fork: ForkRequest): Promise<void>;

  /**
   * Drop a finished workflow's history from `startStep` on and enqueue it again under its ID, in one
   * transaction (sql/rewind.ts). 'missing' or 'not-terminal': nothing written.
   */
  rewindWorkflow(rewind: RewindRequest): Promise<RewindOutcome>;

  /**
   * Insert ENQUEUED workflows in one transaction (an existing ID is skipped);
   * returns the IDs inserted. Dequeuers of their queues are woken once.
   */
  enqueueWorkflows(workflows: readonly NewWorkflowRecord[]): Promise<Set<string>>;

  /**
   * One debounce call: move the DELAYED debounced workflow holding the key, or
   * enqueue `request.workflow` under it; from workflow code, with `checkpoint`
   * (its childWorkflowID filled in) in the same transaction.
   */
  debounceWorkflow(request: DebounceRequest, checkpoint?: StepOutcomeRecord): Promise<DebounceOutcome>;

  /** A page of a workflow's recorded operations in function-ID order (management reads, not replay). */
  listStepOutcomes(workflowID: string, limit?: number, offset?: number): Promise<StepOutcomeRecord[]>;

  /**
   * Delete workflows (with `withDescendants`, also every workflow they started) and all they recorded.
   * An unknown ID throws DBOSNonExistentWorkflowError and deletes none.
   */
  deleteWorkflows(workflowIDs: readonly string[], withDescendants: boolean): Promise<number>;

  /**
   * Delete finished workflows created before a cutoff, or beyond the newest `keepRows`; returns how many.
   * With `ownedBy`, only those of these applications and unowned ones. In batches, each its own short
   * transaction, oldest first, with the event loop free between them (`pacing` fixes their size, observes them).
   */
  garbageCollect(
    cutoffEpochMs: number | undefined,
    keepRows: number | undefined,
    ownedBy?: readonly string[],
    pacing?: GarbageCollectionPacing,
  ): Promise<number>;

  /**
   * Give `rename.newName` the rows of `rename.oldName` (and unowned ones, with adoptUnclaimedRows): queues,
   * schedules, versions and in-flight workflows in one transaction, then terminal workflows and steps in
   * batches (sql/rename-application.ts). Returns the rows moved, by table.
   */
  renameApplication(rename: ApplicationRename): Promise<ApplicationRowCounts>;

  /** An event receiver's stored state (`event_dispatch_kv`), if any. */
  getEventDispatchState(service: string, workflowFnName: string, key: string): Promise<EventDispatchState | undefined>;

  /** Store an event receiver's state unless a newer version is stored; returns the row as stored. */
  upsertEventDispatchState(state: EventDispatchState): Promise<EventDispatchState>;

  /** Delete every row (tests and development only). */
  resetAllData(): Promise<void>;

  /** Finish pending writes, stop listening and close connections. */
  close(): Promise<void>;
}
