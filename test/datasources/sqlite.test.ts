/** durably/sqlite-datasource: the transaction behaviour table on an application SQLite file, on both system-database backends. */
import { forEachBackend } from '../helpers/backends.ts';
import { appDatabase } from './fixtures/sqlite-app.ts';
import { defineTransactionBehaviour } from './transaction-behaviour.ts';

forEachBackend('SQLiteDataSource transactions', (backend) => defineTransactionBehaviour(appDatabase, backend));
