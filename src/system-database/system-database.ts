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
import type { Notifier } from './notifier.ts';
import type {
  InsertWorkflowResult,
  NewWorkflowRecord,
  RecoveryClaim,
  StepOutcomeRecord,
  WorkflowOutcomeRecord,
  WorkflowStatusRecord,
} from './records.ts';

export type BackendName = 'sqlite' | 'postgres';

/** Channels the notifier carries; the key is a workflow ID. */
export const outcomeChannel = 'workflow_outcome';

export interface SystemDatabase {
  readonly backend: BackendName;
  /** Wakes waiters when a write concerns them (in-process always; across processes per backend). */
  readonly notifier: Notifier;

  /** Insert a workflow's status row with its inputs; on an existing ID, return that row instead. */
  insertWorkflowOrGetExisting(workflow: NewWorkflowRecord): Promise<InsertWorkflowResult>;

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

  /** IDs of the PENDING workflows that this executor and application version must resume. */
  listPendingWorkflowIDs(executorID: string, applicationVersion: string): Promise<string[]>;

  /**
   * Count one more recovery attempt of a PENDING workflow; past
   * `maxRecoveryAttempts` it becomes MAX_RECOVERY_ATTEMPTS_EXCEEDED instead.
   */
  claimRecoveryAttempt(workflowID: string, maxRecoveryAttempts: number, now: number): Promise<RecoveryClaim>;

  /** Delete every row (tests and development only). */
  resetAllData(): Promise<void>;

  /** Finish pending writes, stop listening and close connections. */
  close(): Promise<void>;
}
