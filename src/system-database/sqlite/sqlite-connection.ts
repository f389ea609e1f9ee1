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
import type { Connection, QueryRunner, Row, SqlValue } from '../connection.ts';
import { registerJsonContains } from './json-containment.ts';
import { positionalPlaceholders, toSqliteValue } from './sqlite-query-runner.ts';

export type SqliteSynchronous = 'FULL' | 'NORMAL';

const busyTimeoutMs = 2;
const giveUpAfterMs = 60_000;
const sqliteBusy = 5;
const sqliteLocked = 6;
/** SQLITE_NOTADB: the file exists but is not a SQLite database. */
const sqliteNotADatabase = 26;

function isBusy(error: unknown): boolean {
  const errcode = (error as { errcode?: number }).errcode;
  return errcode !== undefined && ((errcode & 0xff) === sqliteBusy || (errcode & 0xff) === sqliteLocked);
}

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
  private readonly runner: QueryRunner = { query: async (sql, params) => this.run(sql, params) as never };

  private constructor(private readonly db: DatabaseSync) {}

  static async open(path: string, synchronous: SqliteSynchronous): Promise<SqliteConnection> {
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
    const connection = new SqliteConnection(db);
    try {
      await connection.retryWhileBusy(() => {
        db.exec(`PRAGMA busy_timeout = ${busyTimeoutMs}`);
        db.exec('PRAGMA journal_mode = WAL');
        db.exec(`PRAGMA synchronous = ${synchronous}`);
        db.exec('PRAGMA foreign_keys = ON');
      });
    } catch (error) {
      db.close();
      if ((error as { errcode?: number }).errcode !== sqliteNotADatabase) throw error;
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

  query<R extends Row = Row>(sql: string, params: readonly SqlValue[] = []): Promise<R[]> {
    return this.exclusive(() => this.retryWhileBusy(() => this.run(sql, params) as R[]));
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
   * workflows (queued behind it here, in turn) in.
   */
  async whileHeld<T>(work: () => Promise<T>): Promise<T> {
    await new Promise((resolve) => setImmediate(resolve));
    return this.exclusive(async () => {
      const hold = { connection: this, active: true };
      try {
        return await heldBy.run(hold, work);
      } finally {
        hold.active = false;
      }
    });
  }

  transaction<T>(work: (tx: QueryRunner) => Promise<T>): Promise<T> {
    return this.exclusive(async () => {
      await this.retryWhileBusy(() => this.db.exec('BEGIN IMMEDIATE'));
      try {
        const result = await work(this.runner);
        await this.retryWhileBusy(() => this.db.exec('COMMIT'));
        return result;
      } catch (error) {
        if (this.db.isTransaction) this.db.exec('ROLLBACK');
        throw error;
      }
    });
  }

  async close(): Promise<void> {
    await this.exclusive(async () => {
      if (this.closed) return;
      this.closed = true;
      this.statements.clear();
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

  private async retryWhileBusy<T>(work: () => T): Promise<T> {
    const started = Date.now();
    for (let attempt = 0; ; attempt++) {
      try {
        return work();
      } catch (error) {
        if (!isBusy(error)) throw error;
        if (Date.now() - started > giveUpAfterMs) {
          throw new DBOSDatabaseError(
            `The SQLite system database stayed locked for ${giveUpAfterMs / 1000} s: another process holds a ` +
              'long write transaction.',
            { cause: error },
          );
        }
        const ceiling = Math.min(50, 3 * 2 ** Math.min(attempt, 5));
        await sleepMs(jitterMs(1, ceiling));
      }
    }
  }
}
