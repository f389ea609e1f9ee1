/**
 * durably/postgres-datasource: transactions on a Postgres application database through postgres.js (the
 * `postgres` package), as DBOS's `@dbos-inc/postgres-datasource`. Inside a transaction,
 * `PostgresDataSource.client` is postgres.js's transaction `sql` (tagged templates, `sql.savepoint()`).
 * The completion table lives in `schemaName` (default `dbos`) of that database. When that database is the
 * Postgres system database itself, transactions of workflows commit with their checkpoint in one transaction
 * and never use the completion table (single-commit.ts), unless the options transform results (`transform`
 * of columns, values or rows: the checkpoint's own statements must read rows as the server sends them).
 *
 * postgres.js is an optional peer: it is imported at launch, only by applications that use this module.
 */
import type postgres from 'postgres';
import { DBOSDataSourceUnavailableError } from '../errors/errors.ts';
import { DurablyDataSource, transactionClientOf } from './data-source-base.ts';
import type { QueryRunner, Row, SqlValue } from '../system-database/connection.ts';
import type { CompletionKey, CompletionRow, TransactionDriver, TransactionSettings } from './exactly-once.ts';
import { loadDriver } from './load-driver.ts';
import { installCompletionTablePG, prepareCompletionTablePG, type PGQuery } from './postgres-completion-table.ts';
import {
  insertCompletionPG,
  isPGConnectionLoss,
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
  /**
   * When the database is the system database: commit each workflow transaction with its checkpoint, as one
   * transaction (default true). False: the completion-row route, two commits, as with any other database.
   */
  singleCommit?: boolean;
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
    const singleCommit = (durablyOptions.singleCommit ?? true) && !transformsResults(options);
    super(name, new PostgresJsDriver(name, options, schemaName, durablyOptions.runMigrations ?? true, singleCommit));
  }
}

class PostgresJsDriver implements TransactionDriver<TransactionSql> {
  private sql: Sql | undefined;
  private readonly selectCompletion: string;
  private readonly insertCompletionSQL: string;
  readonly checkpointRunner?: (client: TransactionSql) => QueryRunner;

  constructor(
    private readonly name: string,
    private readonly options: Options,
    private readonly schemaName: string,
    private readonly runMigrations: boolean,
    singleCommit: boolean,
  ) {
    this.selectCompletion = selectCompletionPG(schemaName);
    this.insertCompletionSQL = insertCompletionPG(schemaName);
    if (singleCommit) this.checkpointRunner = postgresJsCheckpointRunner;
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

  /** The connection died: the retry reads the completion row (or meets the checkpoint) first. */
  isConnectionLoss(error: unknown): boolean {
    return isPGConnectionLoss(error);
  }
}

/**
 * A `transform` of columns, values or rows (`postgres.camel`, ...) reshapes every row postgres.js returns, the
 * checkpoint statement's too (`workflow_uuid` read back as `workflowUuid`): such a data source keeps the
 * completion-row route. `transform.undefined` only rewrites parameters: harmless.
 */
function transformsResults(options: Options): boolean {
  const transform = options?.transform as Record<string, unknown> | undefined;
  return transform !== undefined && ['column', 'value', 'row'].some((kind) => transform[kind] !== undefined);
}

/** The system database's SQL on the transaction's connection: postgres.js's `unsafe` takes `$n` placeholders as written. */
function postgresJsCheckpointRunner(tx: TransactionSql): QueryRunner {
  return {
    query: async <R extends Row = Row>(sql: string, params: readonly SqlValue[] = []) =>
      [...(await tx.unsafe(sql, params.map((value) => value ?? null) as postgres.ParameterOrJSON<never>[]))] as unknown as R[],
  };
}
