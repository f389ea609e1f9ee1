/**
 * durably/postgres-datasource: transactions on a Postgres application database through postgres.js (the
 * `postgres` package), as DBOS's `@dbos-inc/postgres-datasource`. Inside a transaction,
 * `PostgresDataSource.client` is postgres.js's transaction `sql` (tagged templates, `sql.savepoint()`).
 * The completion table lives in `schemaName` (default `dbos`) of that database.
 *
 * postgres.js is an optional peer: it is imported at launch, only by applications that use this module.
 */
import type postgres from 'postgres';
import { DBOSDataSourceUnavailableError } from '../errors/errors.ts';
import { DurablyDataSource, transactionClientOf } from './data-source-base.ts';
import type { CompletionKey, CompletionRow, TransactionDriver, TransactionSettings } from './exactly-once.ts';
import { loadDriver } from './load-driver.ts';
import { installCompletionTablePG, prepareCompletionTablePG, type PGQuery } from './postgres-completion-table.ts';
import {
  insertCompletionPG,
  isPGKeyConflictError,
  isPGRetriableTransactionError,
  selectCompletionPG,
  deleteCompletionsPG,
  transactionModePG,
  type PGTransactionConfig,
} from './postgres-transactions.ts';

export { PGIsolationLevel as IsolationLevel } from './postgres-transactions.ts';

export interface PostgresTransactionOptions extends PGTransactionConfig {
  name?: string;
}

export interface PostgresDataSourceOptions {
  /** Create the completion schema and table at launch when missing (default true). */
  runMigrations?: boolean;
}

type Options = postgres.Options<{}>;
type TransactionSql = postgres.TransactionSql<{}>;
type Sql = postgres.Sql<{}>;

async function connect(options: Options): Promise<Sql> {
  const { default: postgresFactory } = await loadDriver<{ default: typeof postgres }>('postgres', 'PostgresDataSource');
  return postgresFactory(options);
}

function queryOn(sql: Sql): PGQuery {
  return async (text) => [...(await sql.unsafe(text))];
}

export class PostgresDataSource extends DurablyDataSource<TransactionSql, PostgresTransactionOptions> {
  /** postgres.js's transaction `sql` running now. */
  static get client(): TransactionSql {
    return transactionClientOf<TransactionSql>(PostgresDataSource);
  }

  /** Create the `transaction_completion` table (and its schema), for a migration run outside the application. */
  static async initializeDBOSSchema(options: Options = {}, schemaName = 'dbos'): Promise<void> {
    // One connection; the "already exists, skipping" notices are not news.
    const sql = await connect({ ...options, max: 1, onnotice: () => undefined });
    try {
      await installCompletionTablePG(queryOn(sql), schemaName);
    } finally {
      await sql.end();
    }
  }

  constructor(name: string, options: Options = {}, schemaName = 'dbos', durablyOptions: PostgresDataSourceOptions = {}) {
    super(name, new PostgresJsDriver(name, options, schemaName, durablyOptions.runMigrations ?? true));
  }
}

class PostgresJsDriver implements TransactionDriver<TransactionSql> {
  private sql: Sql | undefined;
  private readonly selectCompletion: string;
  private readonly insertCompletionSQL: string;

  constructor(
    private readonly name: string,
    private readonly options: Options,
    private readonly schemaName: string,
    private readonly runMigrations: boolean,
  ) {
    this.selectCompletion = selectCompletionPG(schemaName);
    this.insertCompletionSQL = insertCompletionPG(schemaName);
  }

  async initialize(): Promise<void> {
    const sql = await connect(this.options);
    try {
      await prepareCompletionTablePG(queryOn(sql), {
        name: this.name, className: 'PostgresDataSource', schemaName: this.schemaName, runMigrations: this.runMigrations,
      });
    } catch (error) {
      await sql.end({ timeout: 0 }).catch(() => undefined);
      throw error;
    }
    this.sql = sql;
  }

  async destroy(): Promise<void> {
    const sql = this.sql;
    this.sql = undefined;
    await sql?.end();
  }

  private get liveSql(): Sql {
    if (!this.sql) throw new DBOSDataSourceUnavailableError(this.name, 'the data source is not initialized (DBOS.launch() initializes it)');
    return this.sql;
  }

  async inTransaction<T>(settings: TransactionSettings, work: (client: TransactionSql) => Promise<T>): Promise<T> {
    const mode = transactionModePG(settings as PGTransactionConfig);
    // `work` returns a promise, so postgres.js hands its value back untouched (it would Promise.all a bare array).
    return (await this.liveSql.begin(mode, (tx) => work(tx))) as T;
  }

  async readCompletion(key: CompletionKey): Promise<CompletionRow | undefined> {
    const [row] = await this.liveSql.unsafe<CompletionRow[]>(this.selectCompletion, [key.workflowID, key.functionID]);
    return row;
  }

  async insertCompletion(client: TransactionSql, key: CompletionKey, row: CompletionRow): Promise<void> {
    await client.unsafe(this.insertCompletionSQL, [key.workflowID, key.functionID, row.output, row.error]);
  }

  async deleteCompletions(workflowID: string, fromFunctionID: number): Promise<void> {
    await this.liveSql.unsafe(deleteCompletionsPG(this.schemaName), [workflowID, fromFunctionID]);
  }

  isRetriable(error: unknown): boolean {
    return isPGRetriableTransactionError(error);
  }

  isKeyConflict(error: unknown): boolean {
    return isPGKeyConflictError(error);
  }
}
