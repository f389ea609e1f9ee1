/** durably/kysely-datasource: the transaction behaviour table through kysely on Postgres and on SQLite (node:sqlite), on both system-database backends. */
import { join } from 'node:path';
import { describe } from 'node:test';
import { forEachBackend, postgresAvailable } from '../helpers/backends.ts';
import { appDatabase as postgresApp } from './fixtures/kysely-app.ts';
import { appDatabase as sqliteApp } from './fixtures/kysely-sqlite-app.ts';
import { defineTransactionBehaviour } from './transaction-behaviour.ts';
import { defineTransactionCrash } from './transaction-crash.ts';

if (!postgresAvailable) throw new Error('The kysely data source tests need Postgres (DBOS_TEST_POSTGRES_URL or 127.0.0.1:5432).');

forEachBackend('KyselyDataSource transactions', (backend) => {
  describe('on Postgres', () => {
    defineTransactionBehaviour(postgresApp, backend, 'own-database');
    defineTransactionCrash(postgresApp, join(import.meta.dirname, 'fixtures', 'kysely-app.ts'), backend, 'own-database');
  });
  describe('on SQLite', () => {
    defineTransactionBehaviour(sqliteApp, backend, 'own-database');
    defineTransactionCrash(sqliteApp, join(import.meta.dirname, 'fixtures', 'kysely-sqlite-app.ts'), backend, 'own-database');
  });
});
