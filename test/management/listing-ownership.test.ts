/**
 * Listing in a system database shared by several applications, as DBOS
 * scopes it: without `applicationName`, listWorkflows and listQueuedWorkflows
 * return this application's workflows and unowned ones (NULL
 * application_name); `applicationName` (one or several) names the
 * applications instead, unowned rows still included; a listing by workflow
 * IDs, like getWorkflowStatus, reads every application's.
 */
import assert from 'node:assert/strict';
import { DatabaseSync } from 'node:sqlite';
import { afterEach, test } from 'node:test';
import pg from 'pg';
import { DBOS, WorkflowQueue, type DBOSConfig, type GetWorkflowsInput, type WorkflowStatus } from '../../src/index.ts';
import { forEachBackend } from '../helpers/backends.ts';

const idleQueue = new WorkflowQueue('listing-ownership.queue');
const echo = DBOS.registerWorkflow(async (label: string) => label, { name: 'ownership.echo' });

const ids = (statuses: readonly WorkflowStatus[]) => statuses.map((s) => s.workflowID).sort();
const list = (input: GetWorkflowsInput) => DBOS.listWorkflows({ workflowName: 'ownership.echo', ...input }).then(ids);

/** Make a workflow unowned, as rows written by older code or other tools are (run while no runtime is launched). */
async function disown(config: DBOSConfig, workflowID: string): Promise<void> {
  const url = config.systemDatabaseUrl!;
  if (!/^postgres(ql)?:/i.test(url)) {
    const database = new DatabaseSync(url);
    try {
      database.prepare('UPDATE workflow_status SET application_name = NULL WHERE workflow_uuid = ?').run(workflowID);
    } finally {
      database.close();
    }
    return;
  }
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    const schema = config.systemDatabaseSchemaName ?? 'dbos';
    await client.query(`UPDATE "${schema}".workflow_status SET application_name = NULL WHERE workflow_uuid = $1`, [workflowID]);
  } finally {
    await client.end();
  }
}

/** App "app-a" runs a-1 and a-2 (a-2 then made unowned) and leaves a-delayed waiting; then "app-b" launches on the same database. */
async function twoApplications(backend: { freshConfig(extra?: DBOSConfig): DBOSConfig }): Promise<void> {
  const config = backend.freshConfig({ name: 'app-a' });
  DBOS.setConfig(config);
  await DBOS.launch();
  for (const id of ['a-1', 'a-2']) await (await DBOS.startWorkflow(echo, { workflowID: id })(id)).getResult();
  const delayed = { queueName: idleQueue.name, enqueueOptions: { delaySeconds: 3600 } };
  await DBOS.startWorkflow(echo, { workflowID: 'a-delayed', ...delayed })('a-delayed');
  await DBOS.shutdown();
  await disown(config, 'a-2');
  DBOS.setConfig({ ...config, name: 'app-b' });
  await DBOS.launch();
  await (await DBOS.startWorkflow(echo, { workflowID: 'b-1' })('b-1')).getResult();
  await DBOS.startWorkflow(echo, { workflowID: 'b-delayed', ...delayed })('b-delayed');
}

forEachBackend('listing across applications', (backend) => {
  afterEach(async () => {
    await DBOS.shutdown();
  });

  test('by default, this application\'s workflows and unowned ones', async () => {
    await twoApplications(backend);
    assert.deepEqual(await list({}), ['a-2', 'b-1', 'b-delayed']);
    assert.deepEqual(ids(await DBOS.listQueuedWorkflows({})), ['b-delayed']);
    assert.equal((await DBOS.getWorkflowStatus('a-1'))?.applicationName, 'app-a');
  });

  test('applicationName names the applications (one or several); unowned workflows stay listed', async () => {
    await twoApplications(backend);
    assert.deepEqual(await list({ applicationName: 'app-a' }), ['a-1', 'a-2', 'a-delayed']);
    assert.deepEqual(await list({ applicationName: ['app-a', 'app-b'] }), ['a-1', 'a-2', 'a-delayed', 'b-1', 'b-delayed']);
    assert.deepEqual(await list({ applicationName: 'no-such-app' }), ['a-2']);
    assert.deepEqual(ids(await DBOS.listQueuedWorkflows({ applicationName: 'app-a' })), ['a-delayed']);
  });

  test('a listing by workflow IDs reads every application\'s', async () => {
    await twoApplications(backend);
    assert.deepEqual(await list({ workflowIDs: ['a-1', 'a-2', 'b-1'] }), ['a-1', 'a-2', 'b-1']);
    assert.deepEqual(ids(await DBOS.listQueuedWorkflows({ workflowIDs: ['a-delayed'] })), ['a-delayed']);
    assert.deepEqual(await list({ workflowIDs: ['a-1'], applicationName: 'app-b' }), []);
  });
});
