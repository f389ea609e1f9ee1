/**
 * The SQLite connection: one per process, used for reads and writes, behind an
 * async mutex so a transaction that awaits never interleaves with other work.
 *
 * node:sqlite is synchronous: while SQLite waits for a lock, the whole event
 * loop waits. So the busy timeout is tiny and contention is retried here, in
 * JS, with jittered sleeps that let the event loop run. Every write
 * transaction starts with BEGIN IMMEDIATE (a deferred BEGIN that reads then
 * writes can fail with SQLITE_BUSY whatever the timeout). WAL journal, with
 * synchronous=FULL unless the user opts into NORMAL.
 *
 * Faults of the file (sqlite-faults.ts) are waited out the same way: a statement or a whole transaction
 * that fails because the file is locked, read-only or its disk full is rolled back and run again until it
 * succeeds or the retry budget is spent; then it fails with a typed error naming the file. So a fault that
 * clears in time costs a delay and nothing else. At launch, a read-only file or a full disk fails at once.
 */
import { AsyncLocalStorage } from 'node:async_hooks';
import { DatabaseSync, type StatementSync } from 'node:sqlite';
import {
  DBOSDatabaseError,
  DBOSDatabaseUnreachableError,
  DBOSInitializationError,
  DBOSSystemDatabaseHeldError,
} from '../../errors/errors.ts';
import { jitterMs, sleepMs } from '../../support/sleep.ts';
import {
  defaultOutageTimeoutMs,
  type Connection,
  type QueryRunner,
  type Row,
  type SqlValue,
  type Statement,
  type TransactionOptions,
} from '../connection.ts';
import { registerJsonContains } from './json-containment.ts';
import { positionalPlaceholders, toSqliteValue } from './sqlite-query-runner.ts';
import { faultError, isRetriedFault, retryCeilingMs, sqliteFault } from './sqlite-faults.ts';

export type SqliteSynchronous = 'FULL' | 'NORMAL';

const busyTimeoutMs = 2;
/**
 * The one connection's page cache, in KiB (SQLite's default is 2 MB). With a million workflows kept, the
 * indexes' inner pages alone outgrow 2 MB and every miss is a read system call. SQLite allocates pages as
 * it uses them, so a small database never takes this much.
 */
const pageCacheKiB = 32 * 1024;
/** A fault not met for this long is over, as far as the retry budget goes (retries pause at most 1 s). */
const faultGapMs = 2_000;

interface PreparedStatement {
  statement: StatementSync;
  /** For each `?` in order, the index of the parameter it binds. */
  order: number[];
}

function prepare(db: DatabaseSync, sql: string): PreparedStatement {
  const { text, order } = positionalPlaceholders(sql);
  return { statement: db.prepare(text), order };
}

/**
 * The hold a data source's transaction has on this process's system connection (whileHeld), seen from its
 * code; `active` turns false when it ends (a timer its code set may fire later, in the same context).
 */
const heldBy = new AsyncLocalStorage<{ connection: SqliteConnection; active: boolean }>();

export class SqliteConnection implements Connection {
  private readonly statements = new Map<string, PreparedStatement>();
  private mutex: Promise<unknown> = Promise.resolve();
  private closed = false;
  /** Aborted by close(): a fault being waited out fails at once instead of holding up the shutdown. */
  private readonly closing = new AbortController();
  /** Set once the schema is ready: from then on a read-only file or a full disk is waited out, not reported. */
  private inUse = false;
  /** The fault being waited out: when it began, when an operation last met it. */
  private fault: { since: number; lastSeen: number } | undefined;
  private readonly runner: QueryRunner = { query: async (sql, params) => this.run(sql, params) as never };

  private constructor(
    private readonly db: DatabaseSync,
    /** The file, named in fault errors. */
    readonly path: string,
    private readonly retryTimeoutMs: number,
    private readonly synchronous: SqliteSynchronous,
  ) {}

  static async open(path: string, synchronous: SqliteSynchronous, retryTimeoutMs = defaultOutageTimeoutMs): Promise<SqliteConnection> {
    let db: DatabaseSync;
    try {
      db = new DatabaseSync(path);
    } catch (error) {
      throw new DBOSDatabaseUnreachableError(
        `Cannot open the SQLite system database at "${path}": ${(error as Error).message}. ` +
          'Check that its folder exists and is writable, or set systemDatabaseUrl.',
        { cause: error },
      );
    }
    const connection = new SqliteConnection(db, path, retryTimeoutMs, synchronous);
    try {
      await connection.retryThroughFaults(() => {
        db.exec(`PRAGMA busy_timeout = ${busyTimeoutMs}`);
        db.exec('PRAGMA journal_mode = WAL');
        db.exec(`PRAGMA synchronous = ${synchronous}`);
        db.exec('PRAGMA foreign_keys = ON');
        db.exec(`PRAGMA cache_size = -${pageCacheKiB}`);
      });
    } catch (error) {
      db.close();
      if (sqliteFault(error) !== 'not-a-database') throw error;
      throw new DBOSInitializationError(
        `The file "${path}" is not a SQLite database, so it cannot be the system database. ` +
          'Point systemDatabaseUrl at another file (a missing one is created), or move this one away.',
        error as Error,
        { code: 'NOT_A_SQLITE_DATABASE' },
      );
    }
    registerJsonContains(db);
    return connection;
  }

  /** The schema is ready (migrated or checked): faults are waited out from now on. */
  startWaitingOutFaults(): void {
    this.inUse = true;
  }

  query<R extends Row = Row>(sql: string, params: readonly SqlValue[] = []): Promise<R[]> {
    return this.exclusive(() => this.retryThroughFaults(() => this.run(sql, params) as R[]));
  }

  /** No statement timeout on SQLite: a synchronous node:sqlite call cannot be interrupted from its own thread. */
  boundedRead<R extends Row = Row>(sql: string, params: readonly SqlValue[], _timeoutMs: number): Promise<R[]> {
    return this.query<R>(sql, params);
  }

  /**
   * Hold this connection until `work` settles: nothing else of this process's system database runs meanwhile,
   * so another connection's write transaction on this file (a data source's) never meets it at the file lock.
   * The event loop gets a turn first: such transactions are synchronous calls chained by promises, and a
   * workflow running them back to back would otherwise never let timers, I/O or the batched writes of other
   * workflows (queued behind it here, in turn) in. `work` may run functions in their own async contexts
   * through `enter` (a group of transactions, each in its caller's context): they count as inside the hold too.
   */
  async whileHeld<T>(work: (enter: <U>(inside: () => Promise<U>) => Promise<U>) => Promise<T>): Promise<T> {
    await new Promise((resolve) => setImmediate(resolve));
    return this.exclusive(async () => {
      const hold = { connection: this, active: true };
      const enter = <U>(inside: () => Promise<U>) => heldBy.run(hold, inside);
      try {
        return await heldBy.run(hold, () => work(enter));
      } finally {
        hold.active = false;
      }
    });
  }

  /** A failed SQLite statement committed nothing, and is retried by itself (query): `work` runs once. */
  autocommit<T>(work: (runner: QueryRunner) => Promise<T>): Promise<T> {
    return work(this);
  }

  /** The single writer already runs the batch alone: its statements run in turn in one transaction. */
  pipelinedTransaction(build: () => readonly Statement[]): Promise<Row[][]> {
    return this.transaction(async (tx) => {
      const results: Row[][] = [];
      for (const { sql, params } of build()) results.push(await tx.query(sql, params));
      return results;
    });
  }

  /**
   * A fault anywhere in the transaction rolls it back and runs `work` again (it holds only SQL, so it can).
   * With `durable: false`, synchronous=NORMAL for its commit only: the commit appends to the log without an fsync.
   */
  transaction<T>(work: (tx: QueryRunner) => Promise<T>, options: TransactionOptions = {}): Promise<T> {
    const relaxed = options.durable === false && this.synchronous === 'FULL';
    return this.exclusive(() =>
      this.retryThroughFaults(async () => {
        if (relaxed) this.db.exec('PRAGMA synchronous = NORMAL');
        try {
          this.db.exec('BEGIN IMMEDIATE');
          const result = await work(this.runner);
          this.db.exec('COMMIT');
          return result;
        } catch (error) {
          if (this.db.isTransaction) this.db.exec('ROLLBACK');
          throw error;
        } finally {
          if (relaxed) this.db.exec(`PRAGMA synchronous = ${this.synchronous}`);
        }
      }, true),
    );
  }

  /**
   * SQLite's count of commits made to the file by other connections (`PRAGMA data_version`): it changes
   * when another process commits, never for this connection's own commits. A synchronous read of shared
   * memory (about a microsecond), outside the mutex: it reads no table. Undefined once closed or on a fault.
   */
  dataVersion(): number | undefined {
    if (this.closed) return undefined;
    try {
      this.dataVersionStatement ??= this.db.prepare('PRAGMA data_version');
      return Number((this.dataVersionStatement.get() as { data_version: number }).data_version);
    } catch {
      return undefined;
    }
  }

  private dataVersionStatement: StatementSync | undefined;

  async close(): Promise<void> {
    this.closing.abort();
    await this.exclusive(async () => {
      if (this.closed) return;
      this.closed = true;
      this.statements.clear();
      this.dataVersionStatement = undefined;
      this.db.close();
    });
  }

  private run(sql: string, params: readonly SqlValue[] = []): Row[] {
    if (this.closed) throw new DBOSDatabaseError('The SQLite system database is closed.');
    let prepared = this.statements.get(sql);
    if (!prepared) {
      prepared = prepare(this.db, sql);
      if (this.statements.size > 500) this.statements.clear();
      this.statements.set(sql, prepared);
    }
    const { statement, order } = prepared;
    return statement.all(...order.map((index) => toSqliteValue(params[index]))) as Row[];
  }

  private exclusive<T>(work: () => Promise<T> | T): Promise<T> {
    // From inside a held transaction the wait would never end (the holder waits for this call): refuse it.
    const hold = heldBy.getStore();
    if (hold?.active && hold.connection === this) return Promise.reject(new DBOSSystemDatabaseHeldError());
    const result = this.mutex.then(work);
    this.mutex = result.catch(() => undefined);
    return result;
  }

  /**
   * Run `work`, waiting out the faults worth waiting for (contention at any time; a read-only file or a full
   * disk once in use) within the retry budget; a fault is thrown as its typed error naming the file.
   *
   * The budget runs from when the fault began, not from each operation's start: operations queue behind
   * this connection's mutex, and each waiting out a full budget of its own would keep the last of them
   * waiting for many budgets. Once a fault has outlasted the budget, operations that meet it fail at once,
   * until a write transaction succeeds (reads succeed on a full disk or a locked file, so they prove nothing)
   * or no operation has met it for a while.
   */
  private async retryThroughFaults<T>(work: () => T | Promise<T>, write = false): Promise<T> {
    for (let attempt = 0; ; attempt++) {
      try {
        const result = await work();
        if (write) this.fault = undefined;
        return result;
      } catch (error) {
        const fault = sqliteFault(error);
        if (!isRetriedFault(fault, this.inUse)) throw faultError(fault, this.path, error, 0) ?? error;
        const now = Date.now();
        if (!this.fault || now - this.fault.lastSeen > faultGapMs) this.fault = { since: now, lastSeen: now };
        this.fault.lastSeen = now;
        const waitedMs = now - this.fault.since;
        if (waitedMs >= this.retryTimeoutMs || this.closing.signal.aborted) throw faultError(fault, this.path, error, waitedMs)!;
        const remaining = this.retryTimeoutMs - waitedMs;
        const pause = Math.min(remaining, jitterMs(1, retryCeilingMs(fault!, attempt)));
        await sleepMs(pause, this.closing.signal).catch(() => undefined);
      }
    }
  }
}
