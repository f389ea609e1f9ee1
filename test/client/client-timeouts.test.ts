/**
 * DBOSClient.create's timeouts (DBOS 5.3): observabilityQueryTimeoutMs cuts
 * off a listing, status or steps read with DBOSQueryTimeoutError (here: one
 * stuck behind a lock another session holds), and
 * systemDatabaseIdleTransactionTimeoutMs is the Postgres setting of the
 * client's own connections. Both are Postgres-only: on SQLite the options are
 * validated and accepted, and reads run unbounded (node:sqlite cannot
 * interrupt a statement).
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import pg from 'pg';
import { DBOS, DBOSClient, DBOSConfigurationError, DBOSQueryTimeoutError, type DBOSConfig } from '../../src/index.ts';
import type { Connection } from '../../src/system-database/connection.ts';
import { forEachBackend } from '../helpers/backends.ts';

const oneStep = DBOS.registerStep(async () => 'done', { name: 'timeouts.step' });
const workflow = DBOS.registerWorkflow(() => oneStep(), { name: 'timeouts.workflow' });

/** The client's own connection, reached past its privates (test only). */
function connectionOf(client: DBOSClient): Connection {
  return (client as unknown as { engine: { systemDatabase: { connection: Connection } } }).engine.systemDatabase.connection;
}

async function preparedDatabase(config: DBOSConfig): Promise<string> {
  DBOS.setConfig(config);
  await DBOS.launch();
  const handle = await DBOS.startWorkflow(workflow)();
  await handle.getResult();
  await DBOS.shutdown();
  return handle.workflowID;
}

forEachBackend('DBOSClient timeouts', (backend) => {
  test('invalid timeouts are refused when the client is created', async () => {
    const config = backend.freshConfig();
    await preparedDatabase(config);
    const base = { systemDatabaseUrl: config.systemDatabaseUrl!, systemDatabaseSchemaName: config.systemDatabaseSchemaName };
    await assert.rejects(DBOSClient.create({ ...base, observabilityQueryTimeoutMs: 1.5 }), DBOSConfigurationError);
    await assert.rejects(DBOSClient.create({ ...base, systemDatabaseIdleTransactionTimeoutMs: 2 ** 40 }), DBOSConfigurationError);
    const client = await DBOSClient.create({ ...base, observabilityQueryTimeoutMs: 0, systemDatabaseIdleTransactionTimeoutMs: -1 });
    assert.equal((await client.listWorkflows()).length, 1);
    await client.destroy();
  });

  test('an observability read stuck past observabilityQueryTimeoutMs fails with DBOSQueryTimeoutError', async (t) => {
    const config = backend.freshConfig();
    const workflowID = await preparedDatabase(config);
    const base = { systemDatabaseUrl: config.systemDatabaseUrl!, systemDatabaseSchemaName: config.systemDatabaseSchemaName };
    const client = await DBOSClient.create({ ...base, observabilityQueryTimeoutMs: 300, systemDatabaseIdleTransactionTimeoutMs: 4321 });
    try {
      if (backend.name === 'sqlite') {
        t.diagnostic('SQLite: statement timeouts are Postgres-only (node:sqlite cannot interrupt a statement); the options are accepted');
        assert.equal((await client.getWorkflow(workflowID))?.status, 'SUCCESS');
        return;
      }
      const [idle] = await connectionOf(client).query<{ idle_in_transaction_session_timeout: string }>('SHOW idle_in_transaction_session_timeout');
      assert.equal(idle?.idle_in_transaction_session_timeout, '4321ms');
      const locker = new pg.Client({ connectionString: config.systemDatabaseUrl });
      await locker.connect();
      try {
        const schema = `"${config.systemDatabaseSchemaName}"`;
        await locker.query(`BEGIN; LOCK TABLE ${schema}.workflow_status, ${schema}.operation_outputs IN ACCESS EXCLUSIVE MODE`);
        const started = Date.now();
        await assert.rejects(client.listWorkflows(), (error: unknown) => error instanceof DBOSQueryTimeoutError && error.timeoutMS === 300);
        assert.ok(Date.now() - started < 5_000, `cut off after ${Date.now() - started} ms`);
        await assert.rejects(client.getWorkflow(workflowID), DBOSQueryTimeoutError);
        await assert.rejects(client.listWorkflowSteps(workflowID), DBOSQueryTimeoutError);
        await locker.query('ROLLBACK');
      } finally {
        await locker.end();
      }
      assert.equal((await client.listWorkflowSteps(workflowID))?.length, 1, 'the connections are usable again');
    } finally {
      await client.destroy();
    }
  });
});
