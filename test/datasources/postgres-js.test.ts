/** durably/postgres-datasource (postgres.js): the transaction behaviour table on a Postgres application database, on both system-database backends. */
import { join } from 'node:path';
import { forEachBackend, postgresAvailable } from '../helpers/backends.ts';
import { appDatabase } from './fixtures/postgres-js-app.ts';
import { defineTransactionBehaviour } from './transaction-behaviour.ts';
import { defineTransactionCrash } from './transaction-crash.ts';

if (!postgresAvailable) throw new Error('The postgres.js data source tests need Postgres (DBOS_TEST_POSTGRES_URL or 127.0.0.1:5432).');

forEachBackend('PostgresDataSource transactions', (backend) => {
  defineTransactionBehaviour(appDatabase, backend, 'own-database');
  defineTransactionCrash(appDatabase, join(import.meta.dirname, 'fixtures', 'postgres-js-app.ts'), backend, 'own-database');
});
