/**
 * A transaction opened with `durable: false` (garbage collection's batches) commits atomically like any
 * other, and relaxes the flush of its own commit only: the next transactions on the same connection are
 * durable again, after a commit or a rollback. SQLite: `PRAGMA synchronous` is back to FULL; Postgres:
 * `synchronous_commit` is off inside it and on after (one pooled session, so the same one is seen).
 */
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import pg from 'pg';
import type { Connection } from '../../src/system-database/connection.ts';
import { PostgresConnection } from '../../src/system-database/postgres/postgres-connection.ts';
import { SqliteConnection } from '../../src/system-database/sqlite/sqlite-connection.ts';
import { freshSqliteTarget, postgresAvailable, postgresTestUrl } from '../helpers/system-database-targets.ts';

interface Backend {
  name: string;
  skip: string | false;
  open: () => Promise<Connection>;
  /** The connection's flush setting, read in a durable transaction. */
  flushSetting: string;
  read: (tx: Parameters<Parameters<Connection['transaction']>[0]>[0]) => Promise<string>;
  relaxed: string;
  durable: string;
}

const backends: Backend[] = [
  {
    name: 'sqlite',
    skip: false,
    open: () => SqliteConnection.open(freshSqliteTarget().path, 'FULL'),
    flushSetting: 'synchronous',
    read: async (tx) => String(Object.values((await tx.query('PRAGMA synchronous'))[0]!)[0]),
    relaxed: '1',
    durable: '2',
  },
  {
    name: 'postgres',
    skip: postgresAvailable ? false : 'Postgres unreachable',
    open: async () => new PostgresConnection(new pg.Pool({ connectionString: postgresTestUrl, max: 1 }), () => undefined),
    flushSetting: 'synchronous_commit',
    read: async (tx) => String((await tx.query<{ synchronous_commit: string }>('SHOW synchronous_commit'))[0]!.synchronous_commit),
    relaxed: 'off',
    durable: 'on',
  },
];

for (const backend of backends) {
  describe(`non-durable transaction [${backend.name}]`, { skip: backend.skip }, () => {
    let connection: Connection;
    const table = `non_durable_${process.pid}_${Date.now()}`;
    before(async () => {
      connection = await backend.open();
      await connection.query(`CREATE TABLE ${table} (id INTEGER PRIMARY KEY)`);
    });
    after(async () => {
      await connection.query(`DROP TABLE ${table}`);
      await connection.close();
    });

    test('commits its writes, relaxes only its own commit, and leaves the next transactions durable', async () => {
      const inside = await connection.transaction(async (tx) => {
        await tx.query(`INSERT INTO ${table} (id) VALUES (1)`);
        // SQLite reads the pragma outside any transaction too; inside one it shows what the commit will use.
        return backend.read(tx);
      }, { durable: false });
      assert.equal(inside, backend.relaxed, `${backend.flushSetting} inside the non-durable transaction`);
      assert.equal(await connection.transaction(backend.read), backend.durable, `${backend.flushSetting} after it`);
      assert.deepEqual((await connection.query(`SELECT id FROM ${table}`)).map((r) => Number(r.id)), [1]);
    });

    test('rolled back when its work fails, and the next transactions are durable', async () => {
      await assert.rejects(
        connection.transaction(async (tx) => {
          await tx.query(`INSERT INTO ${table} (id) VALUES (2)`);
          throw new Error('the batch failed');
        }, { durable: false }),
        /the batch failed/,
      );
      assert.equal(await connection.transaction(backend.read), backend.durable);
      assert.deepEqual((await connection.query(`SELECT id FROM ${table} ORDER BY id`)).map((r) => Number(r.id)), [1]);
    });
  });
}
