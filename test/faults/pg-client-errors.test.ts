/**
 * support/pg-error-events.ts: a pooled client checked out when its
 * connection is cut (the datasources' transactions hold one), and a bare
 * Client (schema set-up, create-database probes), must fail their queries,
 * never crash the process with an unhandled 'error' event. Without the
 * listeners, this test file's process dies.
 *
 * Postgres-only: the cut is a TCP proxy's; SQLite has no connection.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import pg from 'pg';
import { absorbClientErrors, absorbPoolClientErrors } from '../../src/support/pg-error-events.ts';
import { proxiedPostgresSkip, useProxiedPostgres } from './support/proxied-postgres.ts';

const pause = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

describe('pg clients whose connection is cut [postgres]', { skip: proxiedPostgresSkip }, () => {
  const database = useProxiedPostgres();

  it('a checked-out pooled client: its query fails, the pool replaces it, the process lives', async () => {
    const proxy = database.proxy();
    const errors: Error[] = [];
    const pool = absorbPoolClientErrors(new pg.Pool({ connectionString: database.config().systemDatabaseUrl, max: 2 }), (error) => errors.push(error));
    pool.on('error', () => undefined);
    try {
      const client = await pool.connect();
      await client.query('SELECT 1');
      proxy.cutAll(); // between two statements of a transaction, say
      await pause(100);
      await assert.rejects(client.query('SELECT 2'));
      client.release();
      assert.ok(errors.length > 0, 'the error reached the listener');
      assert.deepEqual((await pool.query('SELECT 3 AS n')).rows, [{ n: 3 }]);
    } finally {
      await pool.end();
    }
  });

  it('a bare client: its query fails, the process lives', async () => {
    const proxy = database.proxy();
    const client = absorbClientErrors(new pg.Client({ connectionString: database.config().systemDatabaseUrl }));
    await client.connect();
    proxy.cutAll();
    await pause(100);
    await assert.rejects(client.query('SELECT 1'));
    await client.end().catch(() => undefined);
  });
});
