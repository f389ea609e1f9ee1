/**
 * Connection: the one place a driver is driven. SQL handed to it uses `$1..$n`
 * placeholders and names tables through the Dialect; results are plain objects
 * keyed by column name, with BIGINT columns as numbers.
 */

/** How long a connection retries through a lost or stalled database by default (databaseOutageTimeoutMs). */
export const defaultOutageTimeoutMs = 60_000;

export type SqlValue = string | number | bigint | boolean | null | undefined;
export type Row = Record<string, unknown>;

export interface QueryRunner {
  query<R extends Row = Row>(sql: string, params?: readonly SqlValue[]): Promise<R[]>;
}

export interface Connection extends QueryRunner {
  /**
   * Run `work` in one write transaction (SQLite: BEGIN IMMEDIATE on the single
   * write connection; Postgres: one pooled client). Committed when `work`
   * resolves, rolled back when it rejects.
   */
  transaction<T>(work: (tx: QueryRunner) => Promise<T>): Promise<T>;
  /**
   * Run `work`'s statements outside a transaction (each commits by itself), and after a lost connection run
   * `work` again from its start, rather than only the statement that failed: for an operation that must
   * learn, on its next attempt, that an earlier one may have committed without an answer (a queue claim).
   */
  autocommit<T>(work: (runner: QueryRunner) => Promise<T>): Promise<T>;
  /**
   * A read-only query cut off by the server after `timeoutMs` (DBOSQueryTimeoutError): observability reads of
   * a client (listings, status, steps), so one expensive listing cannot hold a connection for long. A backend
   * that cannot bound a statement (SQLite: node:sqlite runs it synchronously, with no interrupt) runs it as is.
   */
  boundedRead<R extends Row = Row>(sql: string, params: readonly SqlValue[], timeoutMs: number): Promise<R[]>;
  close(): Promise<void>;
}
