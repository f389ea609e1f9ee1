/**
 * Dialect: the enumerated SQL differences between SQLite and Postgres. SQL in
 * sql/ is written once against these members; nothing else may branch on the
 * backend.
 */

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
   * Wrap a data-changing statement that ends in `RETURNING <keyColumn>` so
   * that, where the backend can, each returned key is announced on `channel`
   * to other processes when the transaction commits (Postgres: pg_notify in
   * the same statement, no extra round trip). Elsewhere, the statement as is.
   */
  notifying(statement: string, channel: string, keyColumn: string): string;
}
