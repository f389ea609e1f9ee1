/**
 * Writes through a transaction the caller owns (DBOSClient.enqueueInTransaction
 * and sendInTransaction): the caller's open `pg` client runs the same SQL
 * (sql/workflows.ts, sql/messages.ts) our own connection would, so the row
 * commits or rolls back with the caller's own writes, and its NOTIFY is
 * delivered only at their commit. Postgres only: a SQLite system database
 * has one writer, ours, and no caller can hold its transaction.
 */
import { DBOSUnsupportedBackendError } from '../errors/errors.ts';
import type { QueryRunner, Row, SqlValue } from './connection.ts';
import type { Dialect } from './dialect.ts';
import { insertMessage } from './sql/messages.ts';
import { insertWorkflows } from './sql/workflows.ts';
import type { BackendName, CallerPgClient, CallerTransactionWrites } from './system-database.ts';

export function callerTransactionWrites(backend: BackendName, dialect: Dialect, client: CallerPgClient, what: string): CallerTransactionWrites {
  if (backend !== 'postgres') {
    throw new DBOSUnsupportedBackendError(what, backend, "it writes in the caller's Postgres transaction; use the plain method (without InTransaction) on SQLite.");
  }
  if (typeof client?.query !== 'function') {
    throw new DBOSUnsupportedBackendError(what, 'postgres', `expected a pg client with an open transaction, got ${typeof client}.`);
  }
  const runner: QueryRunner = {
    query: async <R extends Row = Row>(sql: string, params?: readonly SqlValue[]) => (await client.query(sql, params ? [...params] : [])).rows as R[],
  };
  return {
    insertWorkflow: async (record) => (await insertWorkflows(runner, dialect, [record])).has(record.workflowID),
    insertMessage: (message) => insertMessage(runner, dialect, message),
  };
}
