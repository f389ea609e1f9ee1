/**
 * durably/drizzle-datasource: the transaction behaviour table on a Postgres application database,
 * on both system-database backends; on the Postgres system database itself (single commit), a crash after
 * the commit (the single-commit table is in single-commit.test.ts).
 */
import { join } from 'node:path';
import { describe } from 'node:test';
import { forEachBackend, postgresAvailable, postgresBackend } from '../helpers/backends.ts';
import { appDatabase } from './fixtures/drizzle-app.ts';
import { defineTransactionBehaviour } from './transaction-behaviour.ts';
import { defineTransactionCrash } from './transaction-crash.ts';

if (!postgresAvailable) throw new Error('The drizzle data source tests need Postgres (DBOS_TEST_POSTGRES_URL or 127.0.0.1:5432).');

const fixture = join(import.meta.dirname, 'fixtures', 'drizzle-app.ts');

forEachBackend('DrizzleDataSource transactions', (backend) => {
  defineTransactionBehaviour(appDatabase, backend, 'own-database');
  defineTransactionCrash(appDatabase, fixture, backend, 'own-database');
});

describe('DrizzleDataSource transactions on the system database (single commit) [postgres]', () => {
  defineTransactionCrash(appDatabase, fixture, postgresBackend, 'system-database', { afterCommitOnly: true });
});
