/**
 * KyselyDataSource on an SQLite application database (a Kysely with kysely's SqliteDialect): what differs
 * from Postgres. The completion table is `transaction_completion` in the main database; writers take the
 * write lock up front (BEGIN IMMEDIATE: a deferred transaction that reads then writes can fail mid-way);
 * a busy or locked database is retriable. kysely's SQLite driver runs one connection behind a mutex, so
 * transactions of this process never interleave.
 *
 * `nodeSQLiteDatabase` adapts `node:sqlite`'s DatabaseSync to kysely's SqliteDialect, which is written for
 * better-sqlite3: no native package is needed.
 */
import { createTableSQL } from './sqlite.ts';
import type { DatabaseSync } from 'node:sqlite';
import type { Kysely, SqliteDatabase, SqliteStatement, Transaction } from 'kysely';
import { DBOSDataSourceUnavailableError } from '../errors/errors.ts';
import type { SqlValue } from '../system-database/connection.ts';
import { positionalPlaceholders, toSqliteValue } from '../system-database/sqlite/sqlite-query-runner.ts';
import type { TransactionSettings } from './exactly-once.ts';

type SQLiteValues = Parameters<ReturnType<DatabaseSync['prepare']>['all']>;
type Raw = { raw(sql: string): { execute(db: Kysely<any>): Promise<{ rows: unknown[] }> } };

export function createTransactionCompletionTableSQLite(): string {
  return createTableSQL;
}

export async function ensureCompletionTableSQLite(
  db: Kysely<any>,
  sql: Raw,
  check: { dataSourceName: string; runMigrations: boolean },
): Promise<void> {
  let rows: unknown[];
  try {
    ({ rows } = await sql.raw("SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'transaction_completion'").execute(db));
  } catch (error) {
    throw new DBOSDataSourceUnavailableError(check.dataSourceName, 'the SQLite database could not be opened', error);
  }
  if (rows.length > 0) return;
  if (!check.runMigrations) {
    throw new DBOSDataSourceUnavailableError(
      check.dataSourceName,
      'the table transaction_completion does not exist and runMigrations is false: create it with KyselyDataSource.initializeDBOSSchema',
    );
  }
  try {
    await sql.raw(createTableSQL).execute(db);
  } catch (error) {
    throw new DBOSDataSourceUnavailableError(check.dataSourceName, 'the table transaction_completion does not exist and could not be created', error);
  }
}

/** SQLite's transactions are serializable whatever the level asked; `readOnly` runs under `PRAGMA query_only`. */
export function inTransactionSQLite<DB, T>(
  db: Kysely<DB>,
  sql: Raw,
  settings: TransactionSettings,
  work: (client: Transaction<DB>) => Promise<T>,
): Promise<T> {
  const readOnly = settings.readOnly === true;
  return db.connection().execute(async (connection) => {
    const run = (text: string) => sql.raw(text).execute(connection as Kysely<any>);
    await run(readOnly ? 'BEGIN DEFERRED' : 'BEGIN IMMEDIATE');
    try {
      if (readOnly) await run('PRAGMA query_only = ON');
      // One connection, inside BEGIN: it has the Transaction's query surface (kysely has no BEGIN IMMEDIATE).
      const result = await work(connection as Transaction<DB>);
      await run('COMMIT');
      return result;
    } catch (error) {
      await run('ROLLBACK').catch(() => undefined); // none is active when BEGIN or COMMIT itself failed
      throw error;
    } finally {
      if (readOnly) await run('PRAGMA query_only = OFF');
    }
  });
}

/**
 * A system-database statement (`$n` placeholders) for kysely's SQLite driver: anonymous `?`s with the
 * parameters in their order (better-sqlite3 binds a named `$1` only from an object), values as SQLite's.
 */
export function sqliteCheckpointStatement(sql: string, params: readonly SqlValue[]): { sql: string; parameters: unknown[] } {
  const { text, order } = positionalPlaceholders(sql);
  return { sql: text, parameters: order.map((index) => toSqliteValue(params[index])) };
}

/** node:sqlite sets a numeric `errcode`; better-sqlite3 a `code` string such as 'SQLITE_BUSY_SNAPSHOT'. */
function sqliteError(error: unknown): { errcode?: unknown; code?: unknown } {
  return typeof error === 'object' && error !== null ? (error as { errcode?: unknown; code?: unknown }) : {};
}

/** SQLITE_BUSY or SQLITE_LOCKED, with any extended code. */
export function isSQLiteRetriableError(error: unknown): boolean {
  const { errcode, code } = sqliteError(error);
  if (typeof errcode === 'number') return (errcode & 0xff) === 5 || (errcode & 0xff) === 6;
  return typeof code === 'string' && /^SQLITE_(BUSY|LOCKED)/.test(code);
}

/** SQLITE_CONSTRAINT_PRIMARYKEY or SQLITE_CONSTRAINT_UNIQUE. */
export function isSQLiteKeyConflictError(error: unknown): boolean {
  const { errcode, code } = sqliteError(error);
  if (typeof errcode === 'number') return errcode === 1555 || errcode === 2067;
  return code === 'SQLITE_CONSTRAINT_PRIMARYKEY' || code === 'SQLITE_CONSTRAINT_UNIQUE';
}

/** A `node:sqlite` DatabaseSync as kysely's SqliteDialect expects a database: `new SqliteDialect({ database: nodeSQLiteDatabase(db) })`. */
export function nodeSQLiteDatabase(db: DatabaseSync): SqliteDatabase {
  return {
    close: () => db.close(),
    prepare(sql: string): SqliteStatement {
      const statement = db.prepare(sql);
      return {
        // A statement that returns columns (SELECT, or a write with RETURNING) is read with all().
        reader: statement.columns().length > 0,
        all: (parameters) => statement.all(...(parameters as SQLiteValues)),
        run: (parameters) => statement.run(...(parameters as SQLiteValues)),
        iterate: (parameters) => statement.iterate(...(parameters as SQLiteValues)),
      };
    },
  };
}
