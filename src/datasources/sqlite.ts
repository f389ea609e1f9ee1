/**
 * durably/sqlite-datasource: transactions on the application's own SQLite file through `node:sqlite` (no
 * DBOS SDK has this). Inside a transaction, `SQLiteDataSource.client` is the `DatabaseSync` (synchronous
 * calls: `client.prepare(sql).run(...)`). The completion table is `transaction_completion` in that file.
 * When the file is the SQLite system database itself, transactions of workflows commit with their checkpoint
 * in one transaction and never use the completion table; every transaction of the data source then holds
 * this process's system connection while it runs (single-commit.ts).
 *
 * One connection per data source, behind an async mutex: a transaction that awaits never interleaves with
 * another of this process. Concurrent write transactions commit in groups (sqlite-group-commit.ts): one fsync
 * for many, each caller answered after it. Writers of other processes are met with BEGIN IMMEDIATE and a tiny busy
 * timeout; a busy file is a retriable error, retried with the shared backoff, so the event loop never
 * blocks on a lock. WAL journal, synchronous=FULL (a commit survives a crash of the process or the host).
 *
 * Isolation: SQLite transactions are always serializable, so every `isolationLevel` runs as SQLite's own
 * (the names are accepted, for code shared with Postgres data sources). `readOnly` sets `PRAGMA query_only`
 * for the transaction: a write fails with SQLITE_READONLY.
 */
import { DatabaseSync, type StatementSync } from 'node:sqlite';
import { DBOSConfigurationError, DBOSDataSourceUnavailableError, DBOSTransactionEndedError } from '../errors/errors.ts';
import { DurablyDataSource, transactionClientOf } from './data-source-base.ts';
import type { QueryRunner } from '../system-database/connection.ts';
import { sqliteQueryRunner } from '../system-database/sqlite/sqlite-query-runner.ts';
import type { CompletionKey, CompletionRow, TransactionDriver, TransactionSettings } from './exactly-once.ts';
import type { GroupLease } from './data-source-types.ts';
import { SqliteGroupAbortedError, SqliteGroupCommit } from './sqlite-group-commit.ts';
import { PGIsolationLevel, type PGTransactionConfig } from './postgres-transactions.ts';

export interface SQLiteTransactionOptions extends PGTransactionConfig {
  name?: string;
}

export interface SQLiteDataSourceConfig {
  /** The database file (created when missing). */
  path: string;
  /** `NORMAL` trades durability of the last commits on power loss for speed (default `FULL`). */
  synchronous?: 'FULL' | 'NORMAL';
  /** Create the completion table at launch when missing (default true). */
  runMigrations?: boolean;
  /**
   * When the file is the system database: commit each workflow transaction with its checkpoint, as one
   * transaction (default true). False: the completion-row route, two commits, as with any other file.
   */
  singleCommit?: boolean;
}

/** The completion table in an application's SQLite file (every SQLite data source: this one, kysely's). */
export const createTableSQL = `CREATE TABLE IF NOT EXISTS transaction_completion (
  workflow_id TEXT NOT NULL,
  function_num INTEGER NOT NULL,
  output TEXT,
  error TEXT,
  created_at INTEGER NOT NULL DEFAULT (CAST(unixepoch('subsec') * 1000 AS INTEGER)),
  PRIMARY KEY (workflow_id, function_num)
)`;
const busyTimeoutMs = 2;
const isolationLevels = new Set<string>(Object.values(PGIsolationLevel));

export class SQLiteDataSource extends DurablyDataSource<DatabaseSync, SQLiteTransactionOptions> {
  /** The `DatabaseSync` of the transaction running now. */
  static get client(): DatabaseSync {
    return transactionClientOf<DatabaseSync>(SQLiteDataSource);
  }

  /** Create the `transaction_completion` table in the file. */
  static async initializeDBOSSchema(config: SQLiteDataSourceConfig | string): Promise<void> {
    const db = new DatabaseSync(typeof config === 'string' ? config : config.path);
    try {
      db.exec(createTableSQL);
    } finally {
      db.close();
    }
  }

  constructor(name: string, config: SQLiteDataSourceConfig | string) {
    const resolved = typeof config === 'string' ? { path: config } : config;
    if (typeof resolved?.path !== 'string' || resolved.path === '') {
      throw new DBOSConfigurationError(`SQLiteDataSource "${name}" needs a file path, got ${JSON.stringify(resolved?.path)}.`);
    }
    super(name, new SQLiteDriver(name, resolved));
  }
}

function sqliteCode(error: unknown): number | undefined {
  const errcode = (error as { errcode?: unknown })?.errcode;
  return typeof errcode === 'number' ? errcode : undefined;
}

class SQLiteDriver implements TransactionDriver<DatabaseSync> {
  private db: DatabaseSync | undefined;
  private mutex: Promise<unknown> = Promise.resolve();
  readonly checkpointRunner?: (client: DatabaseSync) => QueryRunner;
  readonly groupsCommits = true;
  private readonly groups: SqliteGroupCommit;
  /** The completion INSERT, prepared once per connection. */
  private insertStatement: StatementSync | undefined;

  constructor(
    private readonly name: string,
    private readonly config: SQLiteDataSourceConfig,
  ) {
    this.groups = new SqliteGroupCommit(name, () => this.liveDb, (work) => this.exclusive(work));
    if (config.singleCommit !== false) this.checkpointRunner = (client) => sqliteQueryRunner(this.stillInTransaction(client));
  }

  /**
   * The client, when the transaction is still open. A function that ran COMMIT or ROLLBACK itself would have
   * its completion row or checkpoint written in autocommit, committed alone, whatever became of its writes.
   */
  private stillInTransaction(client: DatabaseSync): DatabaseSync {
    if (!client.isTransaction) throw new DBOSTransactionEndedError(this.name);
    return client;
  }

  async initialize(): Promise<void> {
    let db: DatabaseSync;
    try {
      db = new DatabaseSync(this.config.path);
    } catch (error) {
      throw new DBOSDataSourceUnavailableError(this.name, `cannot open the SQLite file "${this.config.path}"`, error);
    }
    try {
      db.exec(`PRAGMA busy_timeout = 5000`); // set-up only; transactions use the tiny timeout below
      db.exec('PRAGMA journal_mode = WAL');
      db.exec(`PRAGMA synchronous = ${this.config.synchronous ?? 'FULL'}`);
      const exists = db.prepare("SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'transaction_completion'").get();
      if (!exists) {
        if (this.config.runMigrations === false) {
          throw new DBOSDataSourceUnavailableError(
            this.name,
            `the table transaction_completion does not exist in "${this.config.path}" and runMigrations is false: create it with SQLiteDataSource.initializeDBOSSchema`,
          );
        }
        db.exec(createTableSQL);
      }
      db.exec(`PRAGMA busy_timeout = ${busyTimeoutMs}`);
    } catch (error) {
      db.close();
      if (error instanceof DBOSDataSourceUnavailableError) throw error;
      throw new DBOSDataSourceUnavailableError(this.name, `cannot use the SQLite file "${this.config.path}"`, error);
    }
    this.db = db;
  }

  async destroy(): Promise<void> {
    await this.exclusive(() => {
      this.db?.close();
      this.db = undefined;
      this.insertStatement = undefined;
    });
  }

  private get liveDb(): DatabaseSync {
    if (!this.db) throw new DBOSDataSourceUnavailableError(this.name, 'the data source is not initialized (DBOS.launch() initializes it)');
    return this.db;
  }

  /**
   * A write transaction joins the next group commit (sqlite-group-commit.ts): BEGIN IMMEDIATE (a writer takes
   * the write lock up front: a deferred BEGIN that reads then writes can fail mid-way), a savepoint per member
   * of a group, one COMMIT. A read-only one runs alone. Either way the lease (the system writer, on the system
   * file) is taken after this connection's mutex, always in that order.
   */
  inTransaction<T>(settings: TransactionSettings, work: (client: DatabaseSync) => Promise<T>, lease?: GroupLease): Promise<T> {
    const level = settings.isolationLevel;
    if (level !== undefined && !isolationLevels.has(level)) {
      throw new DBOSConfigurationError(`Unknown isolationLevel ${JSON.stringify(level)} for SQLiteDataSource "${this.name}".`);
    }
    if (settings.readOnly !== true) return this.groups.run(work, lease);
    return this.exclusive(() => (lease ? lease((enter) => enter(() => this.readOnlyTransaction(work))) : this.readOnlyTransaction(work)));
  }

  private async readOnlyTransaction<T>(work: (client: DatabaseSync) => Promise<T>): Promise<T> {
    const db = this.liveDb;
    db.exec('BEGIN DEFERRED');
    db.exec('PRAGMA query_only = ON');
    try {
      const result = await work(db);
      db.exec('COMMIT');
      return result;
    } catch (error) {
      if (db.isTransaction) db.exec('ROLLBACK');
      throw error;
    } finally {
      db.exec('PRAGMA query_only = OFF');
    }
  }

  readCompletion(key: CompletionKey): Promise<CompletionRow | undefined> {
    return this.exclusive(() => {
      const row = this.liveDb
        .prepare('SELECT output, error FROM transaction_completion WHERE workflow_id = ? AND function_num = ?')
        .get(key.workflowID, key.functionID);
      return row as CompletionRow | undefined;
    });
  }

  deleteCompletions(workflowID: string, fromFunctionID: number): Promise<void> {
    return this.exclusive(() => {
      this.liveDb.prepare('DELETE FROM transaction_completion WHERE workflow_id = ? AND function_num >= ?').run(workflowID, fromFunctionID);
    });
  }

  async insertCompletion(client: DatabaseSync, key: CompletionKey, row: CompletionRow): Promise<void> {
    this.stillInTransaction(client);
    this.insertStatement ??= client.prepare('INSERT INTO transaction_completion (workflow_id, function_num, output, error) VALUES (?, ?, ?, ?)');
    this.insertStatement.run(key.workflowID, key.functionID, row.output, row.error);
  }

  /** SQLITE_BUSY or SQLITE_LOCKED (with any extended code): another connection holds the lock; or a failed group commit. */
  isRetriable(error: unknown): boolean {
    if (error instanceof SqliteGroupAbortedError) return true;
    const code = sqliteCode(error);
    return code !== undefined && ((code & 0xff) === 5 || (code & 0xff) === 6);
  }

  /** SQLITE_CONSTRAINT_PRIMARYKEY or SQLITE_CONSTRAINT_UNIQUE. */
  isKeyConflict(error: unknown): boolean {
    const code = sqliteCode(error);
    return code === 1555 || code === 2067;
  }

  private exclusive<T>(work: () => Promise<T> | T): Promise<T> {
    const result = this.mutex.then(work);
    this.mutex = result.catch(() => undefined);
    return result;
  }
}
