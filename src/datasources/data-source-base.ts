/**
 * What every durably data source shows its users, written once: `runTransaction`, `registerTransaction`,
 * the `@ds.transaction()` decorator (legacy and standard), and the `client` accessors. A concrete data
 * source (node-pg.ts, sqlite.ts, ...) passes its TransactionDriver to the constructor and adds a static
 * `client` getter (`transactionClientOf(ItsClass, ...)`) and `initializeDBOSSchema`.
 */
import { DBOSConfigurationError, DBOSNotInTransactionError } from '../errors/errors.ts';
import type { FunctionName } from '../types/workflow-types.ts';
import { currentContext } from '../engine/workflow-context.ts';
import { isStandardContext } from '../runtime/decorators.ts';
import { registerDataSource } from './data-source-registry.ts';
import type { DBOSDataSource, TransactionDecorator } from './data-source-types.ts';
import { DriverTransactionHandler, type TransactionDriver } from './exactly-once.ts';
import { registerTransaction, runTransaction } from './transaction-core.ts';

export abstract class DurablyDataSource<Client, Config extends { name?: string }> implements DBOSDataSource<Config> {
  readonly name: string;

  protected constructor(name: string, driver: TransactionDriver<Client>) {
    this.name = name;
    registerDataSource(new DriverTransactionHandler(name, this, driver));
  }

  /** The client of the transaction running now, which must be one of this data source. */
  get client(): Client {
    const accessor = `${this.constructor.name} "${this.name}".client`;
    const transaction = currentContext().transaction;
    if (transaction?.owner !== this) {
      throw new DBOSNotInTransactionError(accessor, transaction ? `the transaction running belongs to data source "${transaction.dataSourceName}"` : undefined);
    }
    return transaction.client as Client;
  }

  runTransaction<T>(callback: () => Promise<T>, config?: Config): Promise<T> {
    return runTransaction(callback, config?.name ?? callback?.name, { dsName: this.name, config });
  }

  registerTransaction<This, Args extends unknown[], Return>(
    func: (this: This, ...args: Args) => Promise<Return>,
    config?: Config & FunctionName,
  ): (this: This, ...args: Args) => Promise<Return> {
    return registerTransaction(this.name, func, config);
  }

  /** `@ds.transaction(config)` on a method, with experimentalDecorators or standard decorators. */
  transaction(config?: Config): TransactionDecorator {
    return (target: unknown, keyOrContext: unknown, descriptor?: PropertyDescriptor) => {
      if (isStandardContext(keyOrContext)) {
        if (keyOrContext.kind !== 'method') {
          throw new DBOSConfigurationError(`@${this.name}.transaction() applies to methods, not to a ${keyOrContext.kind}.`);
        }
        return this.registerTransaction(target as never, { ...config, name: config?.name ?? String(keyOrContext.name) } as never);
      }
      if (!descriptor || typeof descriptor.value !== 'function') {
        throw new DBOSConfigurationError(`@${this.name}.transaction() applies to methods; "${String(keyOrContext)}" is not one.`);
      }
      descriptor.value = this.registerTransaction(descriptor.value, { ...config, name: config?.name ?? String(keyOrContext) } as never);
      return descriptor;
    };
  }
}

/** For a data source class's static `client`: the client of the transaction running now, if it is one of `kind`. */
export function transactionClientOf<Client>(kind: abstract new (...args: never[]) => object): Client {
  const transaction = currentContext().transaction;
  if (!(transaction?.owner instanceof kind)) {
    throw new DBOSNotInTransactionError(
      `${kind.name}.client`,
      transaction ? `the transaction running belongs to data source "${transaction.dataSourceName}", not to a ${kind.name}` : undefined,
    );
  }
  return transaction.client as Client;
}
