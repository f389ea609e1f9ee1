/**
 * The workload's transaction, on each backend's data source: node-pg on the
 * Postgres system database itself (an app schema in it, so the transaction
 * commits with its checkpoint: the single-commit route), the SQLite data
 * source on an app file of its own (the completion-table route). The row it
 * inserts carries the execution's nonce; the table has no unique key, so a
 * transaction committed twice would show as two rows.
 */
import { NodePostgresDataSource } from '../src/datasources/node-pg.ts';
import { SQLiteDataSource } from '../src/datasources/sqlite.ts';
import type { WorkerDatabaseConfig } from './chaos-database.ts';
import { transactionName, type DeliveryTable } from './workload.ts';

export function deliveryTable(config: WorkerDatabaseConfig): DeliveryTable {
  if (config.backend === 'postgres') {
    const dataSource = new NodePostgresDataSource('chaos-app', { connectionString: config.systemDatabaseUrl, max: 4 });
    return {
      register: (body) => dataSource.registerTransaction(body, { name: transactionName }),
      insert: async (workflowID, n, nonce) =>
        void (await NodePostgresDataSource.client.query(`INSERT INTO ${config.app}.deliveries (workflow_id, n, nonce) VALUES ($1, $2, $3)`, [
          workflowID,
          n,
          nonce,
        ])),
    };
  }
  const dataSource = new SQLiteDataSource('chaos-app', { path: config.app });
  return {
    register: (body) => dataSource.registerTransaction(body, { name: transactionName }),
    insert: async (workflowID, n, nonce) =>
      void SQLiteDataSource.client.prepare('INSERT INTO deliveries (workflow_id, n, nonce) VALUES (?, ?, ?)').run(workflowID, n, nonce),
  };
}
