/**
 * durably/knex-datasource: transactions on a Postgres application database through knex, as DBOS's
 * `@dbos-inc/knex-datasource`. Inside a transaction, `KnexDataSource.client` is the `Knex.Transaction`.
 * The completion table lives in `schemaName` (default `dbos`) of that database. When that database is the
 * Postgres system database itself, transactions of workflows commit with their checkpoint in one transaction
 * and never use the completion table (single-commit.ts).
 *
 * knex is an optional peer dependency: it is imported when the data source launches (or its schema helpers
 * run), so a user without it gets DBOSDataSourceDriverMissingError naming the package to install.
 */
import type { Knex } from 'knex';
import type pg from 'pg';
import { DBOSConfigurationError, DBOSDataSourceUnavailableError } from '../errors/errors.ts';
import { DurablyDataSource, transactionClientOf } from './data-source-base.ts';
import type { QueryRunner, Row, SqlValue } from '../system-database/connection.ts';
import type { CompletionKey, CompletionRow, TransactionDriver, TransactionSettings } from './exactly-once.ts';
import { loadDriver } from './load-driver.ts';
import { lowercaseIsolationLevel } from './orm-isolation-level.ts';
import { dropTransactionCompletionTablePG, prepareCompletionTablePG } from './postgres-completion-table.ts';
import {
  createTransactionCompletionSchemaPG,
  createTransactionCompletionTablePG,
  isPGConnectionLoss,
  isPGKeyConflictError,
  isPGRetriableTransactionError,
  type PGIsolationLevel,
} from './postgres-transactions.ts';

/** DBOS's knex settings; the upper-case PGIsolationLevel names are accepted too. */
export type TransactionConfig = Pick<Knex.TransactionConfig, 'readOnly'> & {
  isolationLevel?: Knex.IsolationLevels | PGIsolationLevel;
  name?: string;
};

export interface KnexDataSourceOptions {
  /** Create the completion schema and table at launch when missing (default true). */
  runMigrations?: boolean;
  /**
   * When the database is the system database: commit each workflow transaction with its checkpoint, as one
   * transaction (default true). False: the completion-row route, two commits, as with any other database.
   */
  singleCommit?: boolean;
}

const dataSourceClass = 'KnexDataSource';
/** knex's names for its Postgres client; any other (mysql, sqlite3, ...) is refused at construction. */
const postgresClients = new Set(['pg', 'postgres', 'postgresql', 'pgnative', 'pg-native']);

async function openKnex(config: Knex.Config): Promise<Knex> {
  const module = await loadDriver<{ knex?: (config: Knex.Config) => Knex; default?: (config: Knex.Config) => Knex }>('knex', dataSourceClass);
  const create = module.knex ?? module.default;
  if (typeof create !== 'function') throw new DBOSConfigurationError('The installed "knex" package exports no knex() function.');
  return create(config);
}

async function withKnex(config: Knex.Config, work: (knex: Knex) => Promise<unknown>): Promise<void> {
  const knex = await openKnex(config);
  try {
    await work(knex);
  } finally {
    await knex.destroy();
  }
}

export class KnexDataSource extends DurablyDataSource<Knex.Transaction, TransactionConfig> {
  /** The `Knex.Transaction` of the transaction running now. */
  static get client(): Knex.Transaction {
    return transactionClientOf<Knex.Transaction>(KnexDataSource);
  }

  /** Create the `transaction_completion` table (and its schema), for a migration run outside the application. */
  static async initializeDBOSSchema(config: Knex.Config, schemaName = 'dbos'): Promise<void> {
    await withKnex(config, async (knex) => {
      await knex.raw(createTransactionCompletionSchemaPG(schemaName));
      await knex.raw(createTransactionCompletionTablePG(schemaName));
    });
  }

  /** Drop the `transaction_completion` table (not its schema, which may hold other tables). */
  static async uninitializeDBOSSchema(config: Knex.Config, schemaName = 'dbos'): Promise<void> {
    await withKnex(config, (knex) => knex.raw(dropTransactionCompletionTablePG(schemaName)));
  }

  constructor(name: string, config: Knex.Config, schemaName = 'dbos', options: KnexDataSourceOptions = {}) {
    const client = config?.client;
    if (typeof client === 'string' && !postgresClients.has(client)) {
      throw new DBOSConfigurationError(`KnexDataSource "${name}" supports Postgres (client "pg"), not client ${JSON.stringify(client)}.`);
    }
    super(name, new KnexDriver(name, config, schemaName, options.runMigrations ?? true, options.singleCommit ?? true));
  }
}

class KnexDriver implements TransactionDriver<Knex.Transaction> {
  private knex: Knex | undefined;
  readonly checkpointRunner?: (client: Knex.Transaction) => QueryRunner;

  constructor(
    private readonly name: string,
    private readonly config: Knex.Config,
    private readonly schemaName: string,
    private readonly runMigrations: boolean,
    singleCommit: boolean,
  ) {
    if (singleCommit) this.checkpointRunner = knexCheckpointRunner;
  }

  async initialize(): Promise<void> {
    const knex = await openKnex(this.config);
    try {
      await prepareCompletionTablePG(async (sql) => (await knex.raw(sql)).rows, {
        name: this.name, className: dataSourceClass, schemaName: this.schemaName, runMigrations: this.runMigrations,
      });
    } catch (error) {
      await knex.destroy().catch(() => undefined);
      throw error;
    }
    this.knex = knex;
  }

  async destroy(): Promise<void> {
    const knex = this.knex;
    this.knex = undefined;
    await knex?.destroy();
  }

  private get liveKnex(): Knex {
    if (!this.knex) throw new DBOSDataSourceUnavailableError(this.name, 'the data source is not initialized (DBOS.launch() initializes it)');
    return this.knex;
  }

  inTransaction<T>(settings: TransactionSettings, work: (client: Knex.Transaction) => Promise<T>): Promise<T> {
    const isolationLevel = lowercaseIsolationLevel(settings.isolationLevel, `KnexDataSource "${this.name}"`);
    // knex commits when `work` resolves and rolls back (rejecting with the same error) when it rejects.
    return this.liveKnex.transaction(work, { isolationLevel, readOnly: settings.readOnly === true });
  }

  async readCompletion(key: CompletionKey): Promise<CompletionRow | undefined> {
    return this.liveKnex
      .withSchema(this.schemaName)
      .from('transaction_completion')
      .select('output', 'error')
      .where({ workflow_id: key.workflowID, function_num: key.functionID })
      .first();
  }

  async deleteCompletions(workflowID: string, fromFunctionID: number): Promise<void> {
    await this.liveKnex
      .withSchema(this.schemaName)
      .from('transaction_completion')
      .where({ workflow_id: workflowID })
      .andWhere('function_num', '>=', fromFunctionID)
      .delete();
  }

  async insertCompletion(client: Knex.Transaction, key: CompletionKey, row: CompletionRow): Promise<void> {
    await client
      .withSchema(this.schemaName)
      .insert({ workflow_id: key.workflowID, function_num: key.functionID, output: row.output, error: row.error })
      .into('transaction_completion');
  }

  isRetriable(error: unknown): boolean {
    return isPGRetriableTransactionError(error);
  }

  isKeyConflict(error: unknown): boolean {
    return isPGKeyConflictError(error);
  }

  /** The connection died: the retry reads the completion row (or meets the checkpoint) first. */
  isConnectionLoss(error: unknown): boolean {
    return isPGConnectionLoss(error);
  }
}

/**
 * The system database's SQL on the transaction's own `pg` connection, as written (`$n` placeholders, rows as
 * pg gives them). Not through `trx.raw`: it takes `?` bindings and hands rows to the user's
 * `postProcessResponse` (a camel-case mapper would rename the columns the checkpoint reads back). A knex
 * transaction's client hands out the one connection the transaction holds.
 */
function knexCheckpointRunner(trx: Knex.Transaction): QueryRunner {
  const transactionClient = trx.client as { acquireConnection(): Promise<pg.ClientBase> };
  return {
    query: async <R extends Row = Row>(sql: string, params: readonly SqlValue[] = []) => {
      const connection = await transactionClient.acquireConnection();
      return (await connection.query(sql, params.map((value) => value ?? null))).rows as R[];
    },
  };
}
