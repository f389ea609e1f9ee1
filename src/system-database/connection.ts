/**
 * Connection: the one place a driver is driven. SQL handed to it uses `$1..$n`
 * placeholders and names tables through the Dialect; results are plain objects
 * keyed by column name, with BIGINT columns as numbers.
 */

/** How long a connection retries through a lost or stalled database by default (databaseOutageTimeoutMs). */
export const defaultOutageTimeoutMs = 60_000;

export type SqlValue = string | number | bigint | boolean | null | undefined;
export type Row = Record<string, unknown>;

/** One statement and its parameters, for a batch run by pipelinedTransaction. */
export interface Statement {
  sql: string;
  params: readonly SqlValue[];
}

export interface QueryRunner {
  query<R extends Row = Row>(sql: string, params?: readonly SqlValue[]): Promise<R[]>;
}

export interface TransactionOptions {
  /**
   * false: the commit returns without waiting for the disk (SQLite: synchronous=NORMAL for it, no fsync of
   * the log; Postgres: synchronous_commit off for it). Still atomic, and durable with the next durable
   * commit, whose flush covers the log before it. Only for work that is done again if a crash loses it
   * (garbage collection): it spares live commits the disk flushes they would queue behind.
   */
  durable?: boolean;
}

export interface Connection extends QueryRunner {
  /**
   * Run `work` in one write transaction (SQLite: BEGIN IMMEDIATE on the single
   * write connection; Postgres: one pooled client). Committed when `work`
   * resolves, rolled back when it rejects.
   */
  transaction<T>(work: (tx: QueryRunner) => Promise<T>, options?: TransactionOptions): Promise<T>;
  /**
   * Run `work`'s statements outside a transaction (each commits by itself), and after a lost connection run
   * `work` again from its start, rather than only the statement that failed: for an operation that must
   * learn, on its next attempt, that an earlier one may have committed without an answer (a queue claim).
   */
  autocommit<T>(work: (runner: QueryRunner) => Promise<T>): Promise<T>;
  /**
   * Run the statements `build` gives, in order, in one write transaction, and return each one's rows. Where
   * the driver can, they reach the server together with BEGIN and COMMIT (Postgres pipelining: one round
   * trip, not one per statement); the server still runs them one after another, each under READ COMMITTED
   * with a snapshot taken as it starts, so a lock taken by one is held before the next one reads. A
   * statement's failure rolls the whole batch back. After a lost connection the batch runs again, built
   * anew by `build` (as `autocommit` reruns `work`: a queue claim learns its earlier attempt may have
   * committed).
   */
  pipelinedTransaction(build: () => readonly Statement[]): Promise<Row[][]>;
  /**
   * A read-only query cut off by the server after `timeoutMs` (DBOSQueryTimeoutError): observability reads of
   * a client (listings, status, steps), so one expensive listing cannot hold a connection for long. A backend
   * that cannot bound a statement (SQLite: node:sqlite runs it synchronously, with no interrupt) runs it as is.
   */
  boundedRead<R extends Row = Row>(sql: string, params: readonly SqlValue[], timeoutMs: number): Promise<R[]>;
  close(): Promise<void>;
}
