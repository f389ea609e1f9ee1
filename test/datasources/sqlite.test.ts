/** durably/sqlite-datasource: the transaction behaviour table on an application SQLite file, on both system-database backends. */
import { join } from 'node:path';
import { forEachBackend } from '../helpers/backends.ts';
import { appDatabase } from './fixtures/sqlite-app.ts';
import { defineTransactionBehaviour } from './transaction-behaviour.ts';
import { defineTransactionCrash } from './transaction-crash.ts';

forEachBackend('SQLiteDataSource transactions', (backend) => {
  defineTransactionBehaviour(appDatabase, backend);
  defineTransactionCrash(appDatabase, join(import.meta.dirname, 'fixtures', 'sqlite-app.ts'), backend);
});
