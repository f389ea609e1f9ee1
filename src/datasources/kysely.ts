/**
 * durably/kysely-datasource: transactions through kysely, on a Postgres application database (as DBOS's
 * `KyselyDataSource`) and on an SQLite one (a Kysely with SqliteDialect; kysely-sqlite.ts). Inside a
 * transaction, `KyselyDataSource.client` is the transaction's `Transaction<DB>`. On Postgres the completion
 * table lives in `schemaName` (default `dbos`); on SQLite it is `transaction_completion`. When the database is
 * the system database itself (the Postgres database, the SQLite file), transactions of workflows commit with
 * their checkpoint in one transaction and never use the completion table (single-commit.ts).
 *
 * Give it a `pg` PoolConfig (it then owns the Kysely: made at launch, destroyed at shutdown) or your own
 * Kysely (which stays yours: destroy it after DBOS.shutdown()). kysely is an optional peer dependency,
 * imported at launch: a user without it gets DBOSDataSourceDriverMissingError naming the package.
 */
import pg from 'pg';
import type { Kysely, QueryCreator, Transaction } from 'kysely';
import { DBOSDataSourceUnavailableError } from '../errors/errors.ts';
import { absorbPoolClientErrors } from '../support/pg-error-events.ts';
import { DurablyDataSource, transactionClientOf } from './data-source-base.ts';
import type { QueryRunner, Row, SqlValue } from '../system-database/connection.ts';
import type { CompletionKey, CompletionRow, TransactionDriver, TransactionSettings } from './exactly-once.ts';
import {
  createTransactionCompletionTableSQLite,
  ensureCompletionTableSQLite,
  inTransactionSQLite,
  isSQLiteKeyConflictError,
  isSQLiteRetriableError,
  sqliteCheckpointStatement,
} from './kysely-sqlite.ts';
import { loadDriver } from './load-driver.ts';
import { lowercaseIsolationLevel, type LowercaseIsolationLevel } from './orm-isolation-level.ts';
import { dropTransactionCompletionTablePG, prepareCompletionTablePG } from './postgres-completion-table.ts';
import {
  createTransactionCompletionSchemaPG,
  createTransactionCompletionTablePG,
  isPGConnectionLoss,
  isPGKeyConflictError,
  isPGRetriableTransactionError,
  type PGIsolationLevel,
} from './postgres-transactions.ts';

export { nodeSQLiteDatabase } from './kysely-sqlite.ts';

export interface TransactionConfig {
  name?: string;
  /** kysely's lower-case names, or PGIsolationLevel's. SQLite runs every level as its own (serializable). */
  isolationLevel?: LowercaseIsolationLevel | PGIsolationLevel;
  readOnly?: boolean;
}

export interface KyselyDataSourceOptions {
  /** Create the completion table (and its schema) at launch when missing (default true). */
  runMigrations?: boolean;
  /**
   * When the database is the system database: commit each workflow transaction with its checkpoint, as one
   * transaction (default true). False: the completion-row route, two commits, as with any other database.
   */
  singleCommit?: boolean;
}

type KyselyModule = typeof import('kysely');
const dataSourceClass = 'KyselyDataSource';

function isKysely(value: unknown): value is Kysely<any> {
  return typeof value === 'object' && value !== null && typeof (value as Kysely<any>).getExecutor === 'function';
}

/** The Kysely to use: the user's, or one over a new pg Pool (`owned`: destroyed with the data source). */
async function openKysely(configOrKysely: pg.PoolConfig | Kysely<any>): Promise<{ kysely: KyselyModule; db: Kysely<any>; owned: boolean }> {
  const kysely = await loadDriver<KyselyModule>('kysely', dataSourceClass);
  if (isKysely(configOrKysely)) return { kysely, db: configOrKysely, owned: false };
  // Without handlers, a client's error (a server restart) would crash the process: an idle
  // client's reaches the pool, a checked-out one's (Kysely's transaction) only the client.
  const pool = absorbPoolClientErrors(new pg.Pool(configOrKysely));
  pool.on('error', () => undefined);
  return { kysely, db: new kysely.Kysely<any>({ dialect: new kysely.PostgresDialect({ pool }) }), owned: true };
}

async function withKysely(configOrKysely: pg.PoolConfig | Kysely<any>, statements: (sqlite: boolean) => string[]): Promise<void> {
  const { kysely, db, owned } = await openKysely(configOrKysely);
  try {
    for (const statement of statements(db.getExecutor().adapter instanceof kysely.SqliteAdapter)) await kysely.sql.raw(statement).execute(db);
  } finally {
    if (owned) await db.destroy();
  }
}

export class KyselyDataSource<DB = any> extends DurablyDataSource<Transaction<DB>, TransactionConfig> {
  /** The `Transaction` of the transaction running now. */
  static get client(): Transaction<any> {
    return transactionClientOf<Transaction<any>>(KyselyDataSource);
  }

  /** Create the `transaction_completion` table (and, on Postgres, its schema), for a migration run outside the application. */
  static async initializeDBOSSchema(configOrKysely: pg.PoolConfig | Kysely<any>, schemaName = 'dbos'): Promise<void> {
    await withKysely(configOrKysely, (sqlite) =>
      sqlite ? [createTransactionCompletionTableSQLite()] : [createTransactionCompletionSchemaPG(schemaName), createTransactionCompletionTablePG(schemaName)]);
  }

  /** Drop the `transaction_completion` table (not its schema, which may hold other tables). */
  static async uninitializeDBOSSchema(configOrKysely: pg.PoolConfig | Kysely<any>, schemaName = 'dbos'): Promise<void> {
    await withKysely(configOrKysely, (sqlite) =>
      [sqlite ? 'DROP TABLE IF EXISTS transaction_completion' : dropTransactionCompletionTablePG(schemaName)]);
  }

  constructor(name: string, configOrKysely: pg.PoolConfig | Kysely<any>, schemaName = 'dbos', options: KyselyDataSourceOptions = {}) {
    super(name, new KyselyDriver<DB>(name, configOrKysely, schemaName, options.runMigrations ?? true, options.singleCommit ?? true));
  }
}

class KyselyDriver<DB> implements TransactionDriver<Transaction<DB>> {
  private live: { kysely: KyselyModule; db: Kysely<any>; owned: boolean; sqlite: boolean } | undefined;
  readonly checkpointRunner?: (client: Transaction<DB>) => QueryRunner;

  constructor(
    private readonly name: string,
    private readonly configOrKysely: pg.PoolConfig | Kysely<any>,
    private readonly schemaName: string,
    private readonly runMigrations: boolean,
    singleCommit: boolean,
  ) {
    if (singleCommit) this.checkpointRunner = (client) => this.checkpointRunnerOn(client);
  }

  async initialize(): Promise<void> {
    const { kysely, db, owned } = await openKysely(this.configOrKysely);
    const adapter = db.getExecutor().adapter;
    const sqlite = adapter instanceof kysely.SqliteAdapter;
    try {
      if (!sqlite && !(adapter instanceof kysely.PostgresAdapter)) {
        throw new DBOSDataSourceUnavailableError(this.name, `KyselyDataSource supports Postgres and SQLite dialects, not ${adapter.constructor.name}`);
      }
      const check = { dataSourceName: this.name, dataSourceClass, schemaName: this.schemaName, runMigrations: this.runMigrations };
      if (sqlite) await ensureCompletionTableSQLite(db, kysely.sql, check);
      else {
        const query = async (text: string) => (await kysely.sql.raw<Record<string, unknown>>(text).execute(db)).rows;
        await prepareCompletionTablePG(query, { name: this.name, className: dataSourceClass, schemaName: this.schemaName, runMigrations: this.runMigrations });
      }
    } catch (error) {
      if (owned) await db.destroy().catch(() => undefined);
      throw error;
    }
    this.live = { kysely, db, owned, sqlite };
  }

  async destroy(): Promise<void> {
    const live = this.live;
    this.live = undefined;
    if (live?.owned) await live.db.destroy();
  }

  private get current(): NonNullable<KyselyDriver<DB>['live']> {
    if (!this.live) throw new DBOSDataSourceUnavailableError(this.name, 'the data source is not initialized (DBOS.launch() initializes it)');
    return this.live;
  }

  /** Where the completion table is: the schema on Postgres, the main database on SQLite. */
  private completionTable(db: Kysely<any>): QueryCreator<any> {
    return this.current.sqlite ? db : db.withSchema(this.schemaName);
  }

  inTransaction<T>(settings: TransactionSettings, work: (client: Transaction<DB>) => Promise<T>): Promise<T> {
    const isolationLevel = lowercaseIsolationLevel(settings.isolationLevel, `KyselyDataSource "${this.name}"`);
    const { db, kysely, sqlite } = this.current;
    if (sqlite) return inTransactionSQLite(db as Kysely<DB>, kysely.sql, settings, work);
    let transaction = (db as Kysely<DB>).transaction();
    if (isolationLevel) transaction = transaction.setIsolationLevel(isolationLevel);
    if (settings.readOnly) transaction = transaction.setAccessMode('read only');
    // kysely commits when `work` resolves and rolls back (rejecting with the same error) when it rejects.
    return transaction.execute(work);
  }

  async readCompletion(key: CompletionKey): Promise<CompletionRow | undefined> {
    return this.completionTable(this.current.db)
      .selectFrom('transaction_completion')
      .select(['output', 'error'])
      .where('workflow_id', '=', key.workflowID)
      .where('function_num', '=', key.functionID)
      .executeTakeFirst();
  }

  async deleteCompletions(workflowID: string, fromFunctionID: number): Promise<void> {
    await this.completionTable(this.current.db)
      .deleteFrom('transaction_completion')
      .where('workflow_id', '=', workflowID)
      .where('function_num', '>=', fromFunctionID)
      .execute();
  }

  async insertCompletion(client: Transaction<DB>, key: CompletionKey, row: CompletionRow): Promise<void> {
    await this.completionTable(client as Kysely<any>)
      .insertInto('transaction_completion')
      .values({ workflow_id: key.workflowID, function_num: key.functionID, output: row.output, error: row.error })
      .execute();
  }

  /**
   * The system database's SQL on the transaction's connection, as a raw compiled query: `$n` placeholders are
   * Postgres's own; on SQLite they become `?`s. Without the Kysely's plugins: a CamelCasePlugin would rename
   * the columns the checkpoint reads back.
   */
  private checkpointRunnerOn(client: Transaction<DB>): QueryRunner {
    const { kysely, sqlite } = this.current;
    const plain = (client as unknown as Kysely<any>).withoutPlugins();
    return {
      query: async <R extends Row = Row>(sql: string, params: readonly SqlValue[] = []) => {
        const statement = sqlite ? sqliteCheckpointStatement(sql, params) : { sql, parameters: params.map((value) => value ?? null) };
        return (await plain.executeQuery<R>(kysely.CompiledQuery.raw(statement.sql, statement.parameters))).rows;
      },
    };
  }

  isRetriable(error: unknown): boolean {
    return this.live?.sqlite ? isSQLiteRetriableError(error) : isPGRetriableTransactionError(error);
  }

  isKeyConflict(error: unknown): boolean {
    return this.live?.sqlite ? isSQLiteKeyConflictError(error) : isPGKeyConflictError(error);
  }

  /** Postgres: the connection died (the retry reads the completion row first). SQLite: a file, no connection to lose. */
  isConnectionLoss(error: unknown): boolean {
    return !this.live?.sqlite && isPGConnectionLoss(error);
  }
}
