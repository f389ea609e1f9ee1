/**
 * durably/sqlite-datasource: the transaction behaviour table on an application SQLite file of its own, on both
 * system-database backends; and on the SQLite system database file itself, where transactions take the
 * single-commit route.
 */
import { join } from 'node:path';
import { describe } from 'node:test';
import { forEachBackend, sqliteBackend } from '../helpers/backends.ts';
import { appDatabase } from './fixtures/sqlite-app.ts';
import { defineTransactionBehaviour } from './transaction-behaviour.ts';
import { defineTransactionCrash } from './transaction-crash.ts';

const fixture = join(import.meta.dirname, 'fixtures', 'sqlite-app.ts');

forEachBackend('SQLiteDataSource transactions', (backend) => {
  defineTransactionBehaviour(appDatabase, backend, 'own-database');
  defineTransactionCrash(appDatabase, fixture, backend, 'own-database');
});

describe('SQLiteDataSource transactions on the system database file (single commit) [sqlite]', () => {
  defineTransactionBehaviour(appDatabase, sqliteBackend, 'system-database');
  defineTransactionCrash(appDatabase, fixture, sqliteBackend, 'system-database');
});
