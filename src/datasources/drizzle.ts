/**
 * durably/drizzle-datasource: transactions on a Postgres application database through drizzle-orm over
 * node-postgres, as DBOS's `@dbos-inc/drizzle-datasource`. Inside a transaction, `DrizzleDataSource.client`
 * is drizzle's transaction (`tx.insert(...)`, `tx.query.<table>` with the `entities` given, nested
 * `tx.transaction()` as savepoints). The completion table lives in `schemaName` (default `dbos`). When that
 * database is the Postgres system database itself, transactions of workflows commit with their checkpoint in
 * one transaction and never use the completion table (single-commit.ts).
 *
 * drizzle-orm is an optional peer: it is imported at launch, only by applications that use this module.
 * Transaction settings are drizzle's (`isolationLevel: 'serializable'`, `accessMode: 'read only'`); the
 * names of the other data sources (`PGIsolationLevel.Serializable`, `readOnly: true`) are accepted too.
 */
import pg from 'pg';
import type { NodePgDatabase } from 'drizzle-orm/node-postgres';
import type { PgTransactionConfig } from 'drizzle-orm/pg-core';
import { DBOSConfigurationError, DBOSDataSourceUnavailableError } from '../errors/errors.ts';
import { absorbClientErrors, absorbPoolClientErrors } from '../support/pg-error-events.ts';
import type { FunctionName } from '../types/workflow-types.ts';
import { DurablyDataSource, transactionClientOf } from './data-source-base.ts';
import type { QueryRunner, Row, SqlValue } from '../system-database/connection.ts';
import type { CompletionKey, CompletionRow, TransactionDriver, TransactionSettings } from './exactly-once.ts';
import { loadDriver } from './load-driver.ts';
import { installCompletionTablePG, prepareCompletionTablePG, type PGQuery } from './postgres-completion-table.ts';
import {
  isolationLevelPG,
  isPGConnectionLoss,
  isPGKeyConflictError,
  isPGRetriableTransactionError,
  selectCompletionPG,
  deleteCompletionsPG,
  type PGIsolationLevel,
} from './postgres-transactions.ts';

export interface TransactionConfig {
  isolationLevel?: PgTransactionConfig['isolationLevel'] | PGIsolationLevel;
  accessMode?: PgTransactionConfig['accessMode'];
  /** `true` is `accessMode: 'read only'`: writes fail, and no completion row is written. */
  readOnly?: boolean;
  name?: string;
}

export interface DrizzleDataSourceOptions {
  /** Create the completion schema and table at launch when missing (default true). */
  runMigrations?: boolean;
  /**
   * When the database is the system database: commit each workflow transaction with its checkpoint, as one
   * transaction (default true). False: the completion-row route, two commits, as with any other database.
   */
  singleCommit?: boolean;
}

type Entities = { [key: string]: object };
type DrizzleClient = NodePgDatabase<Entities>;

export class DrizzleDataSource<CT = DrizzleClient> extends DurablyDataSource<CT, TransactionConfig> {
  /** drizzle's transaction running now. */
  static get client(): DrizzleClient {
    return transactionClientOf<DrizzleClient>(DrizzleDataSource);
  }

  /** Create the `transaction_completion` table (and its schema), for a migration run outside the application. */
  static async initializeDBOSSchema(configOrClient: pg.ClientConfig | pg.Client | pg.PoolClient, schemaName = 'dbos'): Promise<void> {
    if (isQueryable(configOrClient)) return installCompletionTablePG(queryOn(configOrClient), schemaName);
    const client = absorbClientErrors(new pg.Client(configOrClient));
    await client.connect();
    try {
      await installCompletionTablePG(queryOn(client), schemaName);
    } finally {
      await client.end();
    }
  }

  /** A `pg.Pool` given here is the application's: it is used but not ended at shutdown. */
  constructor(name: string, configOrPool: pg.PoolConfig | pg.Pool, entities: Entities = {}, schemaName = 'dbos', options: DrizzleDataSourceOptions = {}) {
    const driver = new DrizzleDriver(name, configOrPool, entities, schemaName, options.runMigrations ?? true, options.singleCommit ?? true);
    super(name, driver as unknown as TransactionDriver<CT>);
  }

  override runTransaction<T>(callback: () => Promise<T>, config?: TransactionConfig): Promise<T> {
    return super.runTransaction(callback, withReadOnly(config));
  }

  override registerTransaction<This, Args extends unknown[], Return>(
    func: (this: This, ...args: Args) => Promise<Return>,
    config?: TransactionConfig & FunctionName,
  ): (this: This, ...args: Args) => Promise<Return> {
    return super.registerTransaction(func, withReadOnly(config));
  }
}

/** The shared core skips the completion row of a read-only transaction: it knows only `readOnly`. */
function withReadOnly<Config extends TransactionConfig>(config: Config | undefined): Config | undefined {
  if (config?.accessMode !== 'read only' || config.readOnly !== undefined) return config;
  return { ...config, readOnly: true };
}

function isQueryable(value: object): value is pg.ClientBase | pg.Pool {
  return typeof (value as pg.Pool).query === 'function' && typeof (value as pg.Pool).connect === 'function';
}

function queryOn(client: pg.ClientBase | pg.Pool): PGQuery {
  return async (text) => (await client.query(text)).rows;
}

const accessModes = new Set([undefined, 'read only', 'read write']);

class DrizzleDriver implements TransactionDriver<DrizzleClient> {
  private pool: pg.Pool | undefined;
  private db: DrizzleClient | undefined;
  private sql: typeof import('drizzle-orm').sql | undefined;
  private readonly selectCompletion: string;
  readonly checkpointRunner?: (client: DrizzleClient) => QueryRunner;

  constructor(
    private readonly name: string,
    private readonly configOrPool: pg.PoolConfig | pg.Pool,
    private readonly entities: Entities,
    private readonly schemaName: string,
    private readonly runMigrations: boolean,
    singleCommit: boolean,
  ) {
    this.selectCompletion = selectCompletionPG(schemaName);
    if (singleCommit) this.checkpointRunner = (client) => this.checkpointRunnerOn(client);
  }

  private get ownsPool(): boolean {
    return !isQueryable(this.configOrPool);
  }

  async initialize(): Promise<void> {
    const [{ drizzle }, { sql }] = await Promise.all([
      loadDriver<typeof import('drizzle-orm/node-postgres')>('drizzle-orm', 'DrizzleDataSource', 'drizzle-orm/node-postgres'),
      loadDriver<typeof import('drizzle-orm')>('drizzle-orm', 'DrizzleDataSource'),
    ]);
    const pool = this.ownsPool ? new pg.Pool(this.configOrPool as pg.PoolConfig) : (this.configOrPool as pg.Pool);
    // Without handlers, a client's error (a server restart) would crash the process: an idle
    // client's reaches the pool, a checked-out one's (drizzle's transaction) only the client.
    // The caller's pool gets the client listener too: it only turns that crash into the failed query.
    absorbPoolClientErrors(pool);
    if (this.ownsPool) pool.on('error', () => undefined);
    try {
      await prepareCompletionTablePG(queryOn(pool), {
        name: this.name, className: 'DrizzleDataSource', schemaName: this.schemaName, runMigrations: this.runMigrations,
      });
    } catch (error) {
      if (this.ownsPool) await pool.end().catch(() => undefined);
      throw error;
    }
    this.pool = pool;
    this.db = drizzle({ client: pool, schema: this.entities }) as DrizzleClient;
    this.sql = sql;
  }

  async destroy(): Promise<void> {
    const pool = this.pool;
    this.pool = undefined;
    this.db = undefined;
    if (this.ownsPool) await pool?.end();
  }

  private live(): { pool: pg.Pool; db: DrizzleClient; sql: typeof import('drizzle-orm').sql } {
    if (!this.pool || !this.db || !this.sql) {
      throw new DBOSDataSourceUnavailableError(this.name, 'the data source is not initialized (DBOS.launch() initializes it)');
    }
    return { pool: this.pool, db: this.db, sql: this.sql };
  }

  async inTransaction<T>(settings: TransactionSettings, work: (client: DrizzleClient) => Promise<T>): Promise<T> {
    const config = settings as TransactionConfig;
    // drizzle splices both into its BEGIN: only known values pass.
    const isolationLevel = isolationLevelPG(config.isolationLevel)?.toLowerCase() as PgTransactionConfig['isolationLevel'];
    if (!accessModes.has(config.accessMode)) {
      throw new DBOSConfigurationError(`Unknown accessMode ${JSON.stringify(config.accessMode)}; use "read only" or "read write".`);
    }
    const accessMode = config.readOnly ? 'read only' : config.accessMode;
    return this.live().db.transaction((tx) => work(tx as unknown as DrizzleClient), { isolationLevel, accessMode });
  }

  async readCompletion(key: CompletionKey): Promise<CompletionRow | undefined> {
    const { rows } = await this.live().pool.query<CompletionRow>(this.selectCompletion, [key.workflowID, key.functionID]);
    return rows[0];
  }

  async deleteCompletions(workflowID: string, fromFunctionID: number): Promise<void> {
    await this.live().pool.query(deleteCompletionsPG(this.schemaName), [workflowID, fromFunctionID]);
  }

  async insertCompletion(client: DrizzleClient, key: CompletionKey, row: CompletionRow): Promise<void> {
    const sql = this.live().sql;
    await client.execute(sql`INSERT INTO ${sql.identifier(this.schemaName)}.transaction_completion
      (workflow_id, function_num, output, error) VALUES (${key.workflowID}, ${key.functionID}, ${row.output}, ${row.error})`);
  }

  /**
   * The system database's SQL through drizzle's transaction, with drizzle's public API: the text between the
   * `$n` placeholders as raw SQL, each placeholder as a parameter (drizzle numbers them again, in order: a
   * repeated `$n` binds its value twice). `execute` returns node-postgres's result untouched.
   */
  private checkpointRunnerOn(client: DrizzleClient): QueryRunner {
    const sql = this.live().sql;
    return {
      query: async <R extends Row = Row>(text: string, params: readonly SqlValue[] = []) => {
        const chunks = text.split(/\$(\d+)/).map((piece, index) => (index % 2 === 0 ? sql.raw(piece) : sql.param(params[Number(piece) - 1] ?? null)));
        return (await client.execute(sql.join(chunks))).rows as R[];
      },
    };
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
