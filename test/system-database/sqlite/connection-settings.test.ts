/**
 * The settings every SQLite system connection opens with (SQLite only: they are pragmas of its file and
 * connection): WAL, the chosen synchronous level, foreign keys, and a 32 MB page cache, so that the
 * indexes of a database holding a million workflows stay in memory instead of costing a read each.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { SqliteConnection } from '../../../src/system-database/sqlite/sqlite-connection.ts';
import { freshSqliteTarget } from '../../helpers/system-database-targets.ts';

async function pragma(connection: SqliteConnection, name: string): Promise<unknown> {
  return Object.values((await connection.query(`PRAGMA ${name}`))[0]!)[0];
}

test('a SQLite system connection opens in WAL, synchronous FULL, with foreign keys and a 32 MB page cache', async () => {
  const connection = await SqliteConnection.open(freshSqliteTarget().path, 'FULL');
  try {
    assert.equal(await pragma(connection, 'journal_mode'), 'wal');
    assert.equal(await pragma(connection, 'synchronous'), 2);
    assert.equal(await pragma(connection, 'foreign_keys'), 1);
    assert.equal(await pragma(connection, 'cache_size'), -32 * 1024);
  } finally {
    await connection.close();
  }
});
