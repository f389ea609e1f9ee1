/**
 * Single commit: when a durably data source's database IS the system database (the same Postgres database, or
 * the same SQLite file), a transaction inside a workflow commits the user's writes and its checkpoint (the
 * operation_outputs row recordValue would write, through the system database's own SQL) as ONE transaction on
 * the data source's connection. No completion-row read, no completion row, no second commit: the checkpoint
 * is the proof of completion. A crash before the commit leaves no trace (the function runs again on recovery);
 * a crash after it is replayed like any recorded step. No DBOS SDK does this.
 *
 * - A conflict on the checkpoint means another execution recorded this operation first: roll back, replay it.
 * - A lost connection is retried like a serialization failure (the retry's checkpoint conflict settles it).
 * - A function that throws is rolled back; the caller records its error as a step's (a write of its own).
 * - Read-only transactions keep the ordinary route: a read-only transaction cannot insert the checkpoint.
 * - Whether the database is the system database is asked once per launched system database, by naming the
 *   database through both connections (SingleCommitSupport.identity); only drivers with a checkpointRunner
 *   take part (their data sources' `singleCommit: false` removes it).
 * - Every transaction of such a data source, in a workflow or not, runs with the system writer held
 *   (SingleCommitSupport.withWriterHeld: on SQLite, this process's system connection waits for it instead of
 *   meeting it at the file lock), so the two are always taken in the same order. A driver that groups commits
 *   (SQLite's) holds it once around each group of transactions committed together.
 */
import { DBOSWorkflowConflictError } from '../errors/errors.ts';
import { decodeValue, encodeValue } from '../engine/stored-values.ts';
import type { SingleCommitSupport } from '../system-database/single-commit.ts';
import type { SystemDatabase } from '../system-database/system-database.ts';
import type { StepOutcomeRecord } from '../system-database/records.ts';
import { sleepMs } from '../support/sleep.ts';
import { transactionCrashPoints } from './crash-points.ts';
import type { GroupLease, TransactionDriver, TransactionSettings } from './data-source-types.ts';
import { maxTransactionAttempts, retryDelayMs } from './transaction-retries.ts';

/** The operation a single-commit transaction checkpoints. */
export interface CheckpointTarget {
  workflowID: string;
  functionID: number;
  functionName: string;
  startedAtEpochMs: number;
  /** Throws when the outcome must not be recorded any more (shutdown interrupted the engine). */
  beforeCheckpoint(): void;
}

/** Committed with its checkpoint (the value as a replay would give it), or lost to another execution's. */
export type SingleCommitOutcome<Return> = { value: Return } | 'lost';

export class SingleCommitRoute<Client> {
  private readonly decisions = new WeakMap<SingleCommitSupport, Promise<boolean>>();

  constructor(private readonly driver: TransactionDriver<Client>) {}

  /** The system database's support when this data source's database is that system database; else undefined. */
  async supportIn(systemDatabase: SystemDatabase | undefined): Promise<SingleCommitSupport | undefined> {
    const support = systemDatabase?.singleCommit;
    if (!support || !this.driver.checkpointRunner) return undefined;
    let decision = this.decisions.get(support);
    if (!decision) {
      decision = this.isSystemDatabase(support);
      this.decisions.set(support, decision);
      // A probe that failed (the database unreachable) decides nothing: the next transaction asks again.
      decision.catch(() => this.decisions.delete(support));
    }
    return (await decision) ? support : undefined;
  }

  /**
   * A transaction of the driver; on the system database, with this process's system writer held: around each
   * transaction, or around each group of them for a driver that groups commits (one lease per system database,
   * so that its transactions may share a group).
   */
  inTransaction<T>(support: SingleCommitSupport | undefined, settings: TransactionSettings, work: (client: Client) => Promise<T>): Promise<T> {
    if (!support) return this.driver.inTransaction(settings, work);
    if (this.driver.groupsCommits) return this.driver.inTransaction(settings, work, this.leaseOf(support));
    return support.withWriterHeld(() => this.driver.inTransaction(settings, work));
  }

  private readonly leases = new WeakMap<SingleCommitSupport, GroupLease>();

  private leaseOf(support: SingleCommitSupport): GroupLease {
    let lease = this.leases.get(support);
    if (!lease) {
      lease = (group) => support.withWriterHeld(group);
      this.leases.set(support, lease);
    }
    return lease;
  }

  /**
   * Run `run` and insert its checkpoint in one transaction, retrying what the database aborted for concurrency.
   * Rejects with the function's error (rolled back, not recorded) or a DBOSSerializationError of its result.
   */
  async commitWithCheckpoint<Return>(
    support: SingleCommitSupport,
    settings: TransactionSettings,
    target: CheckpointTarget,
    run: (client: Client) => Promise<Return>,
  ): Promise<SingleCommitOutcome<Return>> {
    const runner = this.driver.checkpointRunner!;
    for (let attempt = 1; ; attempt++) {
      try {
        const stored = await this.inTransaction(support, settings, async (client) => {
          const value = await run(client);
          const checkpoint = await checkpointOf(target, value);
          target.beforeCheckpoint();
          if (this.driver.statementAndCommit) await this.checkpointAndCommit(support, client, checkpoint);
          else {
            await support.insertCheckpoint(runner(client), checkpoint);
            transactionCrashPoints.beforeCommit?.(target.workflowID, target.functionID);
          }
          return checkpoint;
        });
        return { value: await decodeValue<Return>(stored.output, stored.serialization) };
      } catch (error) {
        if (error instanceof DBOSWorkflowConflictError) return 'lost';
        // A lost connection may have lost the COMMIT's answer only: the next attempt's checkpoint insert then
        // conflicts with the committed one, and the outcome is replayed ('lost'), never run twice.
        const retriable = this.driver.isRetriable(error) || this.driver.isConnectionLoss?.(error) === true;
        if (retriable && attempt < maxTransactionAttempts) {
          await sleepMs(retryDelayMs(attempt));
          continue;
        }
        throw error;
      }
    }
  }

  /**
   * The checkpoint's INSERT and the COMMIT in one round trip (the crash point comes before both, which leaves
   * no trace either). A key conflict on the checkpoint commits nothing: another execution recorded it first.
   */
  private async checkpointAndCommit(support: SingleCommitSupport, client: Client, checkpoint: StepOutcomeRecord): Promise<void> {
    transactionCrashPoints.beforeCommit?.(checkpoint.workflowID, checkpoint.functionID);
    const { sql, params, conflictTable } = support.checkpointStatement(checkpoint);
    try {
      await this.driver.statementAndCommit!(client, sql, params);
    } catch (error) {
      if (this.driver.isKeyConflict(error, conflictTable)) throw new DBOSWorkflowConflictError(checkpoint.workflowID);
      throw error;
    }
  }

  private async isSystemDatabase(support: SingleCommitSupport): Promise<boolean> {
    const runner = this.driver.checkpointRunner!;
    const system = await support.identity();
    // Not held: a read-only look that takes no write lock, made before any single-commit transaction runs.
    let answer: { own: string | undefined } | undefined;
    try {
      await this.driver.inTransaction({ readOnly: true }, async (client) => {
        answer = { own: await support.identityThrough(runner(client)) };
      });
    } catch (error) {
      // The probe's question failed on another kind of database (answered: not this one), and a driver that
      // fails the whole transaction after any failed statement (postgres.js) rejects anyway: that answer stands.
      // Anything else (the database unreachable, a lost commit) decides nothing.
      const answeredAnotherKind = answer !== undefined && answer.own === undefined;
      if (!answeredAnotherKind) throw error;
    }
    return answer?.own !== undefined && answer.own === system;
  }
}

/** The row recordValue would write for `value`; a value that cannot be stored rolls the transaction back. */
async function checkpointOf(target: CheckpointTarget, value: unknown): Promise<StepOutcomeRecord> {
  const what = `the result of the transaction "${target.functionName}" in workflow ${target.workflowID}`;
  const serialized = await encodeValue(value, what); // DBOSSerializationError: rolled back, recorded nowhere
  return {
    workflowID: target.workflowID,
    functionID: target.functionID,
    functionName: target.functionName,
    output: serialized.text,
    error: null,
    childWorkflowID: null,
    startedAtEpochMs: target.startedAtEpochMs,
    completedAtEpochMs: Date.now(),
    serialization: serialized.serialization,
  };
}
