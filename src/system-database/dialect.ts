/**
 * Dialect: the enumerated SQL differences between SQLite and Postgres. SQL in
 * sql/ is written once against these members; nothing else may branch on the
 * backend.
 */

export interface Notice {
  channel: string;
  keyColumn: string;
}

export interface Dialect {
  /** A table name qualified as this backend needs (`"dbos".workflow_status` or `workflow_status`). */
  table(name: string): string;
  /**
   * Largest number of bound parameters one statement may carry; multi-row
   * statements are split to fit.
   */
  readonly maxParameters: number;
  /** An SQL expression for the current time in epoch milliseconds (column defaults only: code passes times in). */
  readonly nowEpochMs: string;
  /** The column type for JSON documents searched by the database. */
  readonly jsonType: string;
  /**
   * Wrap a data-changing statement whose RETURNING clause includes each
   * notice's key column so that, where the backend can, each distinct non-null
   * key is announced on its channel to other processes when the transaction
   * commits (Postgres: pg_notify in the same statement, no extra round trip).
   * Elsewhere, the statement as is. The statement's rows are returned either way.
   */
  notifying(statement: string, notices: readonly Notice[], alongside?: readonly string[]): string;
  /**
   * Where a workflow's inputs and outcome are written. true (Postgres): in
   * DBOS 5.3's workflow_input / workflow_output, where DBOS's SDKs read them,
   * in the same statement as the status row (`alongside` in `notifying`:
   * data-modifying WITH entries `name AS (...)` that may read `changed`, the
   * statement's rows), so a start or finish stays one statement and one
   * round trip. false (SQLite, which DBOS's TypeScript SDK does not open):
   * in the status row's own columns, one row written per start and finish.
   * Reads take the payload table's value, else the column, on both.
   */
  readonly payloadTables: boolean;
  /**
   * Whether the driver runs statements on the event loop's own thread
   * (node:sqlite): then a transaction's whole time stalls the process, timers
   * and every other workflow in it, and long jobs must pace themselves by it
   * (sql/garbage-collection.ts). false for Postgres, whose statements run in
   * the server while the process goes on.
   */
  readonly blocksEventLoop: boolean;
  /**
   * A statement that copies committed pages from the write-ahead log into the database file without
   * waiting for any reader or writer, returning one row whose `log` is the frames the log held (SQLite:
   * PRAGMA wal_checkpoint(PASSIVE)); null where the server checkpoints apart from the sessions (Postgres).
   * Long jobs run it as a hold of their own every few batches: otherwise the commit that finds the log past
   * its limit (1,000 pages) copies all of it, for 60-140 ms measured during garbage collection, and that
   * commit may be a live workflow's.
   */
  readonly checkpointStatement: string | null;
  /**
   * Appended to a SELECT of rows about to be claimed: on Postgres `FOR UPDATE
   * SKIP LOCKED` (concurrent claimers take different rows); on SQLite nothing
   * (BEGIN IMMEDIATE already gives the claimer the database alone).
   */
  readonly skipLocked: string;
  /**
   * A statement taking a transaction-scoped lock named by its one parameter,
   * so claimers of one queue take turns where counts must be exact; null where
   * write transactions are serialized anyway (SQLite).
   */
  readonly namedLockStatement: string | null;
  /**
   * A condition: the JSON document in `column` contains the JSON text bound
   * at `placeholder`, with Postgres JSONB `@>` semantics (Postgres: `@>`;
   * SQLite: a function registered on the connection, json-containment.ts).
   */
  jsonContains(column: string, placeholder: string): string;
  /**
   * A FROM item: one row per element of the JSON array of arrays bound at
   * `placeholder`, its members as columns column1..column<width> (text on
   * Postgres, SQL values on SQLite: compare them with text columns, CAST them
   * otherwise). One parameter for a list of any length, so the statement's
   * text stays the same and small however many rows it asks about (Postgres:
   * json_array_elements; SQLite: json_each).
   */
  jsonArrayRows(placeholder: string, width: number): string;
  /** Whether a driver error is a unique-key violation (a concurrent writer took the key). */
  isUniqueViolation(error: unknown): boolean;
  /**
   * The default of a time column added to a table that may hold rows: the
   * current epoch milliseconds where ALTER TABLE can compute it (Postgres),
   * else 0 (SQLite's ALTER TABLE takes only constant defaults).
   */
  readonly addedColumnNowDefault: string;
  /**
   * Schema objects only this backend has, run at the end of the migration of
   * that version. Postgres: what DBOS's SDKs find in a schema they share with
   * durably (their migration record, stored procedures, message trigger,
   * covering and GIN indexes); SQLite, which DBOS's TypeScript SDK does not
   * open: only the trigger standing in for the message ID default (version 6).
   */
  backendOnlySchema(migrationVersion: number): readonly string[];
  /**
   * Whether text compares by code point (SQLite's BINARY collation), so that
   * "starts with P" is the index range [P, successor of P). Postgres: learned
   * at launch from the workflow ID column's collation (postgres/text-order.ts),
   * as a collation other than C may order text otherwise.
   */
  readonly codePointTextOrder: boolean;
}
