/**
 * The datasource SPI, with DBOS's names (`@dbos-inc/dbos-sdk/datasource`): what a data source registers
 * (a DataSourceTransactionHandler) and what it shows its users (DBOSDataSource). Declarations only.
 */
import type { FunctionName } from '../types/workflow-types.ts';

/** What is registered by name before launch: durably initializes it at launch and destroys it at shutdown. */
export interface DataSourceTransactionHandler {
  readonly name: string;
  /** Called by DBOS.launch(), before recovery: open pools, check the database, create the completion table. */
  initialize(): Promise<void>;
  /** Called by DBOS.shutdown(), after the workflows stopped. */
  destroy(): Promise<void>;
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
