/** durably/knex-datasource: the transaction behaviour table on a Postgres application database through knex, on both system-database backends. */
import { join } from 'node:path';
import { forEachBackend, postgresAvailable } from '../helpers/backends.ts';
import { appDatabase } from './fixtures/knex-app.ts';
import { defineTransactionBehaviour } from './transaction-behaviour.ts';
import { defineTransactionCrash } from './transaction-crash.ts';

if (!postgresAvailable) throw new Error('The knex data source tests need Postgres (DBOS_TEST_POSTGRES_URL or 127.0.0.1:5432).');

forEachBackend('KnexDataSource transactions', (backend) => {
  defineTransactionBehaviour(appDatabase, backend, 'own-database');
  defineTransactionCrash(appDatabase, join(import.meta.dirname, 'fixtures', 'knex-app.ts'), backend, 'own-database');
});
