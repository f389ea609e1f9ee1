/**
 * `systemDatabasePool`: durably runs on the caller's pg.Pool (migrating the
 * schema through it, LISTENing with its settings) and never ends it.
 */
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { after, afterEach, describe, test } from 'node:test';
import pg from 'pg';
import { DBOS, DBOSInitializationError } from '../../../src/index.ts';
import { engineFor } from '../../../src/runtime/runtime.ts';
import { PostgresNotifier } from '../../../src/system-database/postgres/postgres-notifier.ts';
import { postgresBackend } from '../../helpers/backends.ts';
import { postgresAvailable, postgresTestUrl } from '../../helpers/system-database-targets.ts';

const receive = DBOS.registerWorkflow(async () => DBOS.recv<string>('t', 30), { name: 'caller-pool.receive' });

describe('systemDatabasePool', { skip: postgresAvailable ? false : 'Postgres unreachable' }, () => {
  const pool = new pg.Pool({ connectionString: postgresTestUrl, max: 4 });
  pool.on('error', () => undefined);
  afterEach(async () => {
    await DBOS.shutdown();
  });
  after(async () => {
    await pool.end();
  });

  test('workflows, messages and wake-ups run on the caller pool; shutdown leaves it open', async () => {
    const { systemDatabaseUrl: _url, ...config } = postgresBackend.freshConfig();
    DBOS.setConfig({ ...config, systemDatabasePool: pool });
    await DBOS.launch();
    assert.ok(engineFor('test').systemDatabase.notifier instanceof PostgresNotifier);
    const handle = await DBOS.startWorkflow(receive, { workflowID: `cp-${randomUUID()}` })();
    await DBOS.send(handle.workflowID, 'over the caller pool', 't');
    assert.equal(await handle.getResult(), 'over the caller pool');
    const rows = await pool.query(`SELECT count(*)::int AS n FROM "${config.systemDatabaseSchemaName}".workflow_status`);
    assert.equal(rows.rows[0].n, 1, 'the schema was migrated and written through the pool');
    await DBOS.shutdown();
    assert.equal(pool.ending, false);
    assert.equal((await pool.query('SELECT 1 AS one')).rows[0].one, 1);
    assert.equal(pool.listenerCount('error'), 1, "durably removed its own error listener from the caller's pool");
  });

  test('a missing database is not created through a caller pool: the launch fails, the pool stays open', async () => {
    const url = new URL(postgresTestUrl);
    url.pathname = `/missing_${randomUUID().replaceAll('-', '').slice(0, 12)}`;
    const missing = new pg.Pool({ connectionString: url.toString(), max: 2 });
    missing.on('error', () => undefined);
    try {
      DBOS.setConfig({ ...postgresBackend.freshConfig(), systemDatabaseUrl: undefined, systemDatabasePool: missing });
      await assert.rejects(DBOS.launch(), (error: unknown) => {
        assert.ok(error instanceof DBOSInitializationError, String(error));
        assert.equal(error.code, 'DATABASE_MISSING');
        assert.match(error.message, /named by systemDatabasePool \(postgresql:\/\/postgres@.*\/missing_\w+\) does not exist/);
        return true;
      });
      assert.equal(missing.ending, false);
    } finally {
      await missing.end();
    }
  });
});
