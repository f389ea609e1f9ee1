/**
 * durably/node-pg-datasource: transactions on a Postgres application database through `pg` (node-postgres),
 * as DBOS's `@dbos-inc/node-pg-datasource`. Inside a transaction, `NodePostgresDataSource.client` is the
 * transaction's `pg` client. The completion table lives in `schemaName` (default `dbos`) of that database.
 * When that database is the Postgres system database itself, transactions of workflows commit with their
 * checkpoint in one transaction and never use the completion table (single-commit.ts).
 */
import pg from 'pg';
import { DBOSDataSourceUnavailableError } from '../errors/errors.ts';
import { absorbClientErrors, absorbPoolClientErrors } from '../support/pg-error-events.ts';
import { DurablyDataSource, transactionClientOf } from './data-source-base.ts';
import type { QueryRunner, Row, SqlValue } from '../system-database/connection.ts';
import type { CompletionKey, CompletionRow, TransactionDriver, TransactionSettings } from './exactly-once.ts';
import { installCompletionTablePG, prepareCompletionTablePG } from './postgres-completion-table.ts';
import {
  beginStatementPG,
  insertCompletionAndCommitPG,
  insertCompletionPG,
  isPGConnectionLoss,
  isPGKeyConflictError,
  isPGRetriableTransactionError,
  selectCompletionPG,
  deleteCompletionsPG,
  statementAndCommitPG,
  type PGTransactionConfig,
} from './postgres-transactions.ts';

export interface NodePostgresTransactionOptions extends PGTransactionConfig {
  name?: string;
}

export interface NodePostgresDataSourceOptions {
  /** Create the completion schema and table at launch when missing (default true). */
  runMigrations?: boolean;
  /**
   * When the database is the system database: commit each workflow transaction with its checkpoint, as one
   * transaction (default true). False: the completion-row route, two commits, as with any other database.
   */
  singleCommit?: boolean;
}

export class NodePostgresDataSource extends DurablyDataSource<pg.ClientBase, NodePostgresTransactionOptions> {
  /** The `pg` client of the transaction running now. */
  static get client(): pg.ClientBase {
    return transactionClientOf<pg.ClientBase>(NodePostgresDataSource);
  }

  /** Create the `transaction_completion` table (and its schema), for a migration run outside the application. */
  static async initializeDBOSSchema(config: pg.PoolConfig, schemaName = 'dbos'): Promise<void> {
    const client = absorbClientErrors(new pg.Client(config));
    await client.connect();
    try {
      await installCompletionTablePG(async (text) => (await client.query(text)).rows, schemaName);
    } finally {
      await client.end();
    }
  }

  constructor(name: string, config: pg.PoolConfig, schemaName = 'dbos', options: NodePostgresDataSourceOptions = {}) {
    super(name, new NodePostgresDriver(name, config, schemaName, options.runMigrations ?? true, options.singleCommit ?? true));
  }
}

class NodePostgresDriver implements TransactionDriver<pg.ClientBase> {
  private pool: pg.Pool | undefined;
  /** Clients whose transaction insertCompletionAndCommit has committed: inTransaction sends no COMMIT for them. */
  private readonly committed = new WeakSet<pg.ClientBase>();
  private readonly selectCompletion: string;
  private readonly insertCompletionSQL: string;
  readonly checkpointRunner?: (client: pg.ClientBase) => QueryRunner;

  constructor(
    private readonly name: string,
    private readonly config: pg.PoolConfig,
    private readonly schemaName: string,
    private readonly runMigrations: boolean,
    singleCommit: boolean,
  ) {
    this.selectCompletion = selectCompletionPG(schemaName);
    this.insertCompletionSQL = insertCompletionPG(schemaName);
    if (singleCommit) this.checkpointRunner = pgQueryRunner;
  }

  async initialize(): Promise<void> {
    // Without handlers, a client's error (a server restart) would crash the process: an idle
    // client's reaches the pool, a checked-out one's (inTransaction) only the client.
    const pool = absorbPoolClientErrors(new pg.Pool(this.config));
    pool.on('error', () => undefined);
    try {
      await prepareCompletionTablePG(async (text) => (await pool.query(text)).rows, {
        name: this.name, className: 'NodePostgresDataSource', schemaName: this.schemaName, runMigrations: this.runMigrations,
      });
    } catch (error) {
      await pool.end().catch(() => undefined);
      throw error;
    }
    this.pool = pool;
  }

  async destroy(): Promise<void> {
    const pool = this.pool;
    this.pool = undefined;
    await pool?.end();
  }

  private get livePool(): pg.Pool {
    if (!this.pool) throw new DBOSDataSourceUnavailableError(this.name, 'the data source is not initialized (DBOS.launch() initializes it)');
    return this.pool;
  }

  async inTransaction<T>(settings: TransactionSettings, work: (client: pg.ClientBase) => Promise<T>): Promise<T> {
    const begin = beginStatementPG(settings as PGTransactionConfig);
    const client = await this.livePool.connect();
    let broken = false;
    try {
      await client.query(begin);
      const result = await work(client);
      if (!this.committed.delete(client)) await client.query('COMMIT');
      return result;
    } catch (error) {
      // A client whose rollback failed (its connection died) is not given back to the pool.
      await client.query('ROLLBACK').catch(() => {
        broken = true;
      });
      throw error;
    } finally {
      this.committed.delete(client);
      client.release(broken);
    }
  }

  async readCompletion(key: CompletionKey): Promise<CompletionRow | undefined> {
    const { rows } = await this.livePool.query<CompletionRow>(this.selectCompletion, [key.workflowID, key.functionID]);
    return rows[0];
  }

  async insertCompletion(client: pg.ClientBase, key: CompletionKey, row: CompletionRow): Promise<void> {
    await client.query(this.insertCompletionSQL, [key.workflowID, key.functionID, row.output, row.error]);
  }

  /** One simple-query string: the row as literals, then COMMIT (postgres-transactions.ts). */
  async insertCompletionAndCommit(client: pg.ClientBase, key: CompletionKey, row: CompletionRow): Promise<void> {
    await client.query(insertCompletionAndCommitPG(this.schemaName, key, row));
    this.committed.add(client);
  }

  /** The same for single commit's checkpoint. */
  async statementAndCommit(client: pg.ClientBase, sql: string, params: readonly SqlValue[]): Promise<void> {
    await client.query(statementAndCommitPG(sql, params));
    this.committed.add(client);
  }

  async deleteCompletions(workflowID: string, fromFunctionID: number): Promise<void> {
    await this.livePool.query(deleteCompletionsPG(this.schemaName), [workflowID, fromFunctionID]);
  }

  isRetriable(error: unknown): boolean {
    return isPGRetriableTransactionError(error);
  }

  isKeyConflict(error: unknown, table?: string): boolean {
    return isPGKeyConflictError(error, table);
  }

  isConnectionLoss(error: unknown): boolean {
    return isPGConnectionLoss(error);
  }
}

/** The system database's SQL runs on a `pg` client as written (`$n` placeholders are Postgres's own). */
function pgQueryRunner(client: pg.ClientBase): QueryRunner {
  return {
    query: async <R extends Row = Row>(sql: string, params: readonly SqlValue[] = []) =>
      (await client.query(sql, params as unknown[])).rows as R[],
  };
}
