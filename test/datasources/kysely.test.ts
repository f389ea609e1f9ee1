/**
 * durably/kysely-datasource: the transaction behaviour table through kysely on Postgres and on SQLite
 * (node:sqlite), on both system-database backends; on the system database itself (single commit: the Postgres
 * database, the SQLite file), a crash after the commit (the single-commit table is in single-commit.test.ts).
 */
import { join } from 'node:path';
import { describe } from 'node:test';
import { forEachBackend, postgresAvailable, postgresBackend, sqliteBackend } from '../helpers/backends.ts';
import { appDatabase as postgresApp } from './fixtures/kysely-app.ts';
import { appDatabase as sqliteApp } from './fixtures/kysely-sqlite-app.ts';
import { defineTransactionBehaviour } from './transaction-behaviour.ts';
import { defineTransactionCrash } from './transaction-crash.ts';

if (!postgresAvailable) throw new Error('The kysely data source tests need Postgres (DBOS_TEST_POSTGRES_URL or 127.0.0.1:5432).');

const postgresFixture = join(import.meta.dirname, 'fixtures', 'kysely-app.ts');
const sqliteFixture = join(import.meta.dirname, 'fixtures', 'kysely-sqlite-app.ts');

forEachBackend('KyselyDataSource transactions', (backend) => {
  describe('on Postgres', () => {
    defineTransactionBehaviour(postgresApp, backend, 'own-database');
    defineTransactionCrash(postgresApp, postgresFixture, backend, 'own-database');
  });
  describe('on SQLite', () => {
    defineTransactionBehaviour(sqliteApp, backend, 'own-database');
    defineTransactionCrash(sqliteApp, sqliteFixture, backend, 'own-database');
  });
});

describe('KyselyDataSource transactions on the system database (single commit) [postgres]', () => {
  defineTransactionCrash(postgresApp, postgresFixture, postgresBackend, 'system-database', { afterCommitOnly: true });
});
describe('KyselyDataSource transactions on the system database file (single commit) [sqlite]', () => {
  defineTransactionCrash(sqliteApp, sqliteFixture, sqliteBackend, 'system-database', { afterCommitOnly: true });
});
