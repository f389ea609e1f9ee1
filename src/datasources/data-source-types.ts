/**
 * The datasource SPI, with DBOS's names (`@dbos-inc/dbos-sdk/datasource`): what a data source registers
 * (a DataSourceTransactionHandler), what it shows its users (DBOSDataSource), and what a durably data source's
 * driver provides (TransactionDriver). Declarations only.
 */
import type { QueryRunner, SqlValue } from '../system-database/connection.ts';
import type { FunctionName } from '../types/workflow-types.ts';

/** What is registered by name before launch: durably initializes it at launch and destroys it at shutdown. */
export interface DataSourceTransactionHandler {
  readonly name: string;
  /** Called by DBOS.launch(), before recovery: open pools, check the database, create the completion table. */
  initialize(): Promise<void>;
  /** Called by DBOS.shutdown(), after the workflows stopped. */
  destroy(): Promise<void>;
  /**
   * Delete this data source's checkpoints (completion rows) of `workflowID` from function ID `startStep` on:
   * DBOS.rewindWorkflow drops them with the workflow's history. Optional: a data source keeping none omits it.
   * Idempotent (a retried rewind calls it again).
   */
  deleteCheckpoints?(workflowID: string, startStep: number): Promise<void>;
  /**
   * Run `func` as one transaction. The context (DBOS.workflowID, DBOS.stepID) says whether it is a durable
   * operation of a workflow; durably has already replayed it from the system database if it was recorded there.
   */
  invokeTransactionFunction<This, Args extends unknown[], Return>(
    config: unknown,
    target: This,
    func: (this: This, ...args: Args) => Promise<Return>,
    ...args: Args
  ): Promise<Return>;
}

/** The method decorator `@ds.transaction()`: legacy (experimentalDecorators) or standard, told apart at run time. */
export type TransactionDecorator = (target: any, keyOrContext: any, descriptor?: any) => any;

/** The user-facing surface every durably data source has (DBOS's guideline interface). */
export interface DBOSDataSource<Config extends { name?: string }> {
  readonly name: string;
  runTransaction<T>(callback: () => Promise<T>, config?: Config): Promise<T>;
  registerTransaction<This, Args extends unknown[], Return>(
    func: (this: This, ...args: Args) => Promise<Return>,
    config?: Config & FunctionName,
  ): (this: This, ...args: Args) => Promise<Return>;
  transaction(config?: Config): TransactionDecorator;
}

export interface TransactionSettings {
  isolationLevel?: string;
  readOnly?: boolean;
}

export interface CompletionRow {
  output: string | null;
  error: string | null;
}

export interface CompletionKey {
  workflowID: string;
  functionID: number;
}

/** Runs one member of a group as inside the group's lease (on SQLite: marked as holding the system writer). */
export type LeaseEntry = <U>(member: () => Promise<U>) => Promise<U>;

/**
 * What a group of transactions needs held around it: `group` runs with it held, and runs each member through
 * the entry it is given. The same function for every transaction that may share a group.
 */
export type GroupLease = <T>(group: (enter: LeaseEntry) => Promise<T>) => Promise<T>;

/** What a durably data source's driver provides (exactly-once.ts runs the protocol over it). */
export interface TransactionDriver<Client> {
  /** Open pools, check the database and the completion table (creating it when missing and permitted). */
  initialize(): Promise<void>;
  destroy(): Promise<void>;
  /**
   * Run `work` in one transaction with these settings: committed when it resolves, rolled back when it rejects.
   * With `lease` (only given to a driver that `groupsCommits`), the transaction runs with that lease held.
   */
  inTransaction<T>(settings: TransactionSettings, work: (client: Client) => Promise<T>, lease?: GroupLease): Promise<T>;
  /**
   * The driver commits concurrent write transactions in groups (sqlite-group-commit.ts): it takes the lease
   * itself, once per group, instead of having each transaction wrapped in it.
   */
  readonly groupsCommits?: boolean;
  /** Read outside any transaction. */
  readCompletion(key: CompletionKey): Promise<CompletionRow | undefined>;
  /** Insert inside the transaction `client` runs. */
  insertCompletion(client: Client, key: CompletionKey, row: CompletionRow): Promise<void>;
  /**
   * Optional: insert the completion row and commit the transaction `client` runs, in one round trip, as the
   * transaction's last act (a key conflict rejects and commits nothing). The driver's inTransaction then sends
   * no COMMIT of its own. Without it: insertCompletion, then the driver's COMMIT.
   */
  insertCompletionAndCommit?(client: Client, key: CompletionKey, row: CompletionRow): Promise<void>;
  /**
   * Optional: run one statement (`$n` placeholders) and COMMIT the transaction `client` runs, in one round trip,
   * as the transaction's last act (single commit's checkpoint); a failing statement commits nothing.
   */
  statementAndCommit?(client: Client, sql: string, params: readonly SqlValue[]): Promise<void>;
  /** Delete the workflow's completion rows with function ID >= `fromFunctionID` (a rewind), outside any transaction. */
  deleteCompletions(workflowID: string, fromFunctionID: number): Promise<void>;
  /** Serialization failure, deadlock, busy database: the transaction may simply run again. */
  isRetriable(error: unknown): boolean;
  /** The completion row's key already exists (with `table`: a unique violation on that table, where the driver can tell). */
  isKeyConflict(error: unknown, table?: string): boolean;
  /**
   * The connection died (the server restarted, the network cut it): whether the transaction committed is
   * unknown, so it is retried only where the next attempt checks first (a completion row or a checkpoint).
   */
  isConnectionLoss?(error: unknown): boolean;
  /**
   * Single commit (single-commit.ts): the transaction `client` as a QueryRunner (`$n` placeholders, rows as
   * plain objects), through which the system database names the database and inserts checkpoints when it is
   * this data source's own. Absent (or `singleCommit: false`): every transaction takes the completion-row route.
   */
  readonly checkpointRunner?: (client: Client) => QueryRunner;
}
