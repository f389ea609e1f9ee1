/**
 * The exactly-once protocol of a transaction in the application database, written once for every driver.
 * A driver (node-pg.ts, sqlite.ts, ...) supplies only a TransactionDriver: open a transaction with the
 * requested settings, read and insert completion rows, and recognise its database's retriable and
 * key-conflict errors.
 *
 * Inside a workflow (not read-only), the transaction is keyed by (workflow ID, function ID):
 * 1. A completion row for that key means its writes already committed (the process died before the system
 *    database checkpoint): its output is returned, or its error rethrown, without running anything. (Not read
 *    in the workflow's first execution, which cannot have written one.)
 * 2. Otherwise the function runs in a transaction that also inserts the completion row, so the user's writes
 *    and the row commit together or not at all.
 * 3. A key conflict on that insert means a concurrent execution committed first: roll back, replay its row.
 * 4. A function that throws rolls back; its error is recorded in a completion row of its own transaction.
 * Serialization failures, deadlocks and busy files are retried with backoff (transaction-retries.ts); so is a
 * lost connection, inside a workflow (step 1 of the next attempt tells whether the lost attempt committed).
 * Outside a workflow, and when read-only, only the transaction and the retries remain.
 */
import { DBOSSerializationError, DBOSStepAlreadyRecordedError } from '../errors/errors.ts';
import { decodeError, decodeValue, encodeError, encodeValue } from '../engine/stored-values.ts';
import { defaultSerialization } from '../engine/serialization.ts';
import { customSerializer } from '../engine/serializers.ts';
import { currentContext, runInContext, type ExecutionContext } from '../engine/workflow-context.ts';
import { currentRuntime } from '../runtime/runtime.ts';
import type { SystemDatabase } from '../system-database/system-database.ts';
import { sleepMs } from '../support/sleep.ts';
import { transactionCrashPoints } from './crash-points.ts';
import type { CompletionKey, CompletionRow, DataSourceTransactionHandler, TransactionDriver, TransactionSettings } from './data-source-types.ts';
import { SingleCommitRoute, type CheckpointTarget, type SingleCommitOutcome } from './single-commit.ts';
import { maxTransactionAttempts, retryDelayMs } from './transaction-retries.ts';

export type { CompletionKey, CompletionRow, TransactionDriver, TransactionSettings } from './data-source-types.ts';

/** The registered handler of a durably data source: the protocol above over its driver. */
export class DriverTransactionHandler<Client> implements DataSourceTransactionHandler {
  private readonly singleCommit: SingleCommitRoute<Client>;

  constructor(
    readonly name: string,
    /** The user-facing data source, which `XDataSource.client` checks it is asked from. */
    readonly owner: object,
    readonly driver: TransactionDriver<Client>,
  ) {
    this.singleCommit = new SingleCommitRoute(driver);
  }

  initialize(): Promise<void> {
    return this.driver.initialize();
  }

  destroy(): Promise<void> {
    return this.driver.destroy();
  }

  /** A rewind: the completion rows from `startStep` on (single-commit checkpoints are the system database's own). */
  deleteCheckpoints(workflowID: string, startStep: number): Promise<void> {
    return this.driver.deleteCompletions(workflowID, startStep);
  }

  async invokeTransactionFunction<This, Args extends unknown[], Return>(
    config: unknown,
    target: This,
    func: (this: This, ...args: Args) => Promise<Return>,
    ...args: Args
  ): Promise<Return> {
    const settings = (config ?? {}) as TransactionSettings;
    const context = currentContext();
    const workflowID = context.workflow?.workflowID;
    const functionID = context.transaction?.functionID;
    const key = workflowID !== undefined && functionID !== undefined && !settings.readOnly ? { workflowID, functionID } : undefined;
    // A workflow's first execution cannot find its own completion row: one round trip saved. A concurrent execution
    // elsewhere (a takeover) that committed first still wins, through the key conflict on the insert (3. above).
    const mayBeDone = key !== undefined && !context.workflow?.firstExecution;
    // On the system database itself, every transaction runs with the system writer held (single-commit.ts).
    const support = await this.singleCommit.supportIn(currentRuntime()?.engine.systemDatabase);
    for (let attempt = 1; ; attempt++) {
      // After an attempt lost its connection, its commit may have landed: look before running again.
      if (key && (mayBeDone || attempt > 1)) {
        const done = await this.readCompletionRetrying(key, attempt);
        if (done === 'retry') continue;
        if (done) return replayCompletion<Return>(done);
      }
      try {
        return await this.singleCommit.inTransaction(support, settings, async (client) => {
          const value = await this.runFunction(context, client, target, func, args);
          if (key) await this.insertOutputAndCommit(client, key, value);
          return value;
        });
      } catch (error) {
        // A lost connection is retried only with a key: the next attempt reads the completion row first, so a
        // commit whose answer was lost is replayed, not run again. Without a key it could apply twice.
        const retriable = this.driver.isRetriable(error) || (key !== undefined && this.driver.isConnectionLoss?.(error) === true);
        if (retriable && attempt < maxTransactionAttempts) {
          await sleepMs(retryDelayMs(attempt));
          continue;
        }
        // A result that cannot be stored was rolled back and is not recorded (as for a step).
        if (error instanceof UnstorableResult) throw error.cause;
        if (!key) throw error;
        if (error instanceof DBOSStepAlreadyRecordedError) return this.replayWinner<Return>(key);
        if ((await this.recordError(key, error)) === 'lost') return this.replayWinner<Return>(key);
        throw error;
      }
    }
  }

  /** The completion row; 'retry' after a pause when the connection was lost and attempts remain. */
  private async readCompletionRetrying(key: CompletionKey, attempt: number): Promise<CompletionRow | undefined | 'retry'> {
    try {
      return await this.driver.readCompletion(key);
    } catch (error) {
      if (!this.driver.isConnectionLoss?.(error) || attempt >= maxTransactionAttempts) throw error;
      await sleepMs(retryDelayMs(attempt));
      return 'retry';
    }
  }

  /**
   * The single-commit route (single-commit.ts) of a transaction at `checkpoint` in a workflow: the function and
   * its checkpoint in one transaction, when this data source's database is `systemDatabase` and the transaction
   * may write. Undefined when that does not apply: the caller takes the ordinary route.
   */
  async invokeWithCheckpoint<This, Args extends unknown[], Return>(
    systemDatabase: SystemDatabase,
    checkpoint: CheckpointTarget,
    config: unknown,
    target: This,
    func: (this: This, ...args: Args) => Promise<Return>,
    args: Args,
  ): Promise<SingleCommitOutcome<Return> | undefined> {
    const settings = (config ?? {}) as TransactionSettings;
    if (settings.readOnly) return undefined;
    const support = await this.singleCommit.supportIn(systemDatabase);
    if (!support) return undefined;
    const context = currentContext();
    return this.singleCommit.commitWithCheckpoint(support, settings, checkpoint, (client) =>
      this.runFunction(context, client, target, func, args),
    );
  }

  /** `func` in the transaction `client` runs: `XDataSource.client` is that client meanwhile. */
  private runFunction<This, Args extends unknown[], Return>(
    context: ExecutionContext,
    client: Client,
    target: This,
    func: (this: This, ...args: Args) => Promise<Return>,
    args: Args,
  ): Promise<Return> {
    const transaction = { ...context.transaction, dataSourceName: this.name, owner: this.owner, client };
    return runInContext({ ...context, transaction }, () => func.apply(target, args));
  }

  /**
   * The completion row of `value`, then the commit: in one round trip where the driver can (the crash point
   * then comes before both, which leaves no trace either), else the row and the driver's own COMMIT after.
   */
  private async insertOutputAndCommit(client: Client, key: CompletionKey, value: unknown): Promise<void> {
    let output: string;
    try {
      output = (await encodeValue(value, `the result of the transaction at step ${key.functionID} of workflow ${key.workflowID}`)).text;
    } catch (error) {
      if (error instanceof DBOSSerializationError) throw new UnstorableResult(error);
      throw error;
    }
    const row = { output, error: null };
    if (this.driver.insertCompletionAndCommit) {
      transactionCrashPoints.beforeCommit?.(key.workflowID, key.functionID);
      await this.insertOrConflict(client, key, row, true);
    } else {
      await this.insertOrConflict(client, key, row);
      transactionCrashPoints.beforeCommit?.(key.workflowID, key.functionID);
    }
  }

  /** The row, in the transaction `client` runs; with `andCommit`, committing it too where the driver can. */
  private async insertOrConflict(client: Client, key: CompletionKey, row: CompletionRow, andCommit = false): Promise<void> {
    try {
      if (andCommit && this.driver.insertCompletionAndCommit) await this.driver.insertCompletionAndCommit(client, key, row);
      else await this.driver.insertCompletion(client, key, row);
    } catch (error) {
      if (this.driver.isKeyConflict(error)) throw new DBOSStepAlreadyRecordedError(key.workflowID, key.functionID);
      throw error;
    }
  }

  /**
   * The error row commits alone. Losing that race means another execution committed this transaction first:
   * its outcome stands. Failing to write it is tolerated: the user's writes were rolled back, so the worst
   * case is that a crash before the system-database checkpoint runs the transaction again.
   */
  private async recordError(key: CompletionKey, error: unknown): Promise<'recorded' | 'lost' | 'failed'> {
    try {
      const text = (await encodeError(error)).text;
      const support = await this.singleCommit.supportIn(currentRuntime()?.engine.systemDatabase);
      await this.singleCommit.inTransaction(support, {}, (client) => this.insertOrConflict(client, key, { output: null, error: text }, true));
      return 'recorded';
    } catch (problem) {
      return problem instanceof DBOSStepAlreadyRecordedError ? 'lost' : 'failed';
    }
  }

  private async replayWinner<Return>(key: CompletionKey): Promise<Return> {
    const winner = await this.driver.readCompletion(key);
    if (!winner) throw new DBOSStepAlreadyRecordedError(key.workflowID, key.functionID);
    return replayCompletion<Return>(winner);
  }
}

/** Carries a DBOSSerializationError of the result out of the transaction (rolling it back) without recording it. */
class UnstorableResult extends Error {
  constructor(override readonly cause: DBOSSerializationError) {
    super(cause.message);
  }
}

/**
 * The completion table has no serialization column (it is DBOS's table): rows are written in the native
 * format, so they are read back in it (superjson, or the configured custom serializer).
 */
async function replayCompletion<Return>(row: CompletionRow): Promise<Return> {
  const serialization = customSerializer()?.name ?? defaultSerialization;
  if (row.error !== null) throw await decodeError(row.error, serialization);
  return decodeValue<Return>(row.output, serialization);
}
