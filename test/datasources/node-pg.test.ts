/**
 * durably/node-pg-datasource: the transaction behaviour table on a Postgres application database of its own,
 * on both system-database backends; and on the Postgres system database itself (an app schema inside it),
 * where transactions take the single-commit route.
 */
import { join } from 'node:path';
import { describe } from 'node:test';
import { forEachBackend, postgresAvailable, postgresBackend } from '../helpers/backends.ts';
import { appDatabase } from './fixtures/node-pg-app.ts';
import { defineTransactionBehaviour } from './transaction-behaviour.ts';
import { defineTransactionCrash } from './transaction-crash.ts';

if (!postgresAvailable) throw new Error('The node-pg data source tests need Postgres (DBOS_TEST_POSTGRES_URL or 127.0.0.1:5432).');
const fixture = join(import.meta.dirname, 'fixtures', 'node-pg-app.ts');

forEachBackend('NodePostgresDataSource transactions', (backend) => {
  defineTransactionBehaviour(appDatabase, backend, 'own-database');
  defineTransactionCrash(appDatabase, fixture, backend, 'own-database');
});

describe('NodePostgresDataSource transactions on the system database (single commit) [postgres]', () => {
  defineTransactionBehaviour(appDatabase, postgresBackend, 'system-database');
  defineTransactionCrash(appDatabase, fixture, postgresBackend, 'system-database');
});
