/**
 * Stranded workflows: PENDING or ENQUEUED ones whose application version no
 * live process runs (no executor of that version has beaten within the
 * executor timeout). `stranded: true` lists them, `stranded: false` leaves them
 * out, through DBOS.listWorkflows, listQueuedWorkflows and DBOSClient alike.
 */
import assert from 'node:assert/strict';
import { afterEach, test } from 'node:test';
import { DBOS, DBOSClient, DBOSConfigurationError, WorkflowQueue, type DBOSConfig, type WorkflowStatus } from '../../src/index.ts';
import { resolveConfig } from '../../src/runtime/resolve-config.ts';
import { deferred } from '../../src/support/deferred.ts';
import { forEachBackend } from '../helpers/backends.ts';
import { rawQuery } from '../helpers/system-database-targets.ts';

const queue = new WorkflowQueue('stranded-workflows.queue');
let gate = deferred<void>();
const blocked = DBOS.registerWorkflow(
  async () => {
    await gate.promise;
    return 'done';
  },
  { name: 'stranded-workflows.blocked' },
);

const ids = (statuses: readonly WorkflowStatus[]) => statuses.map((s) => s.workflowID).sort();
const ours = { workflowName: 'stranded-workflows.blocked' };

/**
 * v1 leaves p1 PENDING (shut down under it); v2 relaunches on the same executor (its heartbeat now says
 * v2), starts p2, and a client enqueues e1 for v1 (v2 never claims it) and e0 for any version.
 */
async function strandUnderV1(config: DBOSConfig): Promise<DBOSClient> {
  DBOS.setConfig({ ...config, applicationVersion: 'v1' });
  await DBOS.launch();
  await DBOS.startWorkflow(blocked, { workflowID: 'p1' })();
  await DBOS.shutdown();
  const client = await DBOSClient.create({ systemDatabaseUrl: config.systemDatabaseUrl!, systemDatabaseSchemaName: config.systemDatabaseSchemaName });
  DBOS.setConfig({ ...config, applicationVersion: 'v2' });
  await DBOS.launch();
  await DBOS.startWorkflow(blocked, { workflowID: 'p2' })();
  await client.enqueue({ workflowName: ours.workflowName, queueName: queue.name, workflowID: 'e1', appVersion: 'v1' });
  await client.enqueue({ workflowName: ours.workflowName, queueName: queue.name, workflowID: 'e0' });
  return client;
}

forEachBackend('stranded workflows', (backend) => {
  let client: DBOSClient | undefined;
  afterEach(async () => {
    gate.resolve();
    await DBOS.shutdown();
    await client?.destroy();
    client = undefined;
    gate = deferred<void>();
  });

  async function setUp(): Promise<DBOSConfig> {
    const config = backend.freshConfig();
    client = await strandUnderV1(config);
    return config;
  }

  test('stranded: true lists the PENDING and ENQUEUED workflows of a version no live process runs', async () => {
    await setUp();
    const stranded = await DBOS.listWorkflows({ ...ours, stranded: true });
    assert.deepEqual(ids(stranded), ['e1', 'p1']);
    assert.deepEqual(stranded.map((s) => s.applicationVersion), ['v1', 'v1']);
    assert.deepEqual(ids(await DBOS.listWorkflows({ ...ours, stranded: false })), ['e0', 'p2']);
    assert.deepEqual(ids(await DBOS.listQueuedWorkflows({ ...ours, stranded: true })), ['e1']);
    assert.deepEqual(ids(await DBOS.listWorkflows({ ...ours, stranded: true, status: 'PENDING' })), ['p1']);
    assert.deepEqual(ids(await client!.listWorkflows({ ...ours, stranded: true })), ['e1', 'p1']);
    assert.deepEqual(ids(await client!.listQueuedWorkflows({ ...ours, stranded: true })), ['e1']);
  });

  test('a live executor of the version makes its workflows not stranded; one silent past the timeout does not', async () => {
    const config = await setUp();
    const target = resolveConfig(config).target;
    const now = Date.now();
    await rawQuery(target, `INSERT INTO durably_executors (executor_id, application_version, heartbeat_at, started_at) VALUES ($1, $2, $3, $3)`, [
      'another-v1-process',
      'v1',
      now,
    ]);
    assert.deepEqual(ids(await DBOS.listWorkflows({ ...ours, stranded: true })), []);
    assert.deepEqual(ids(await DBOS.listWorkflows({ ...ours, stranded: false })), ['e0', 'e1', 'p1', 'p2']);
    // The default executor timeout is 60 s: an executor silent for two minutes is dead.
    await rawQuery(target, 'UPDATE durably_executors SET heartbeat_at = $1 WHERE executor_id = $2', [now - 120_000, 'another-v1-process']);
    assert.deepEqual(ids(await DBOS.listWorkflows({ ...ours, stranded: true })), ['e1', 'p1']);
  });

  test('stranded must be true or false', async () => {
    await setUp();
    await assert.rejects(DBOS.listWorkflows({ stranded: 'yes' as never }), (error: unknown) => {
      assert.ok(error instanceof DBOSConfigurationError);
      assert.match(error.message, /stranded must be true or false, got "yes"/);
      return true;
    });
  });
});
