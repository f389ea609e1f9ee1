/**
 * The GetWorkflowsInput filters beyond the first ones, each alone:
 * completedAfter/Before, dequeuedAfter/Before, authenticatedUser, executorId,
 * workflow_id_prefix (and its alias workflowIdPrefix), forkedFrom,
 * wasForkedFrom, isFork, parentWorkflowID, hasParent, applicationName; in
 * listWorkflows and listQueuedWorkflows; WorkflowStatus.wasForkedFrom. A
 * misspelt filter is an error, not a listing of everything.
 */
import assert from 'node:assert/strict';
import { afterEach, test } from 'node:test';
import { DBOS, DBOSConfigurationError, WorkflowQueue, type GetWorkflowsInput, type WorkflowStatus } from '../../src/index.ts';
import { forEachBackend } from '../helpers/backends.ts';
import { crashAndRelaunch, launch } from '../helpers/lifecycle.ts';

const filterQueue = new WorkflowQueue('listing-filters.queue');

const echo = DBOS.registerWorkflow(async (label: string) => label, { name: 'filters.echo' });
const parent = DBOS.registerWorkflow(async () => echo('child'), { name: 'filters.parent' });

let release: () => void = () => undefined;
let gate = Promise.resolve();
const gated = DBOS.registerWorkflow(async () => {
  await gate;
}, { name: 'filters.gated' });

const pause = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));
const ids = (statuses: readonly WorkflowStatus[]) => statuses.map((s) => s.workflowID).sort();
const iso = (epochMs: number) => new Date(epochMs).toISOString();
const list = (input: GetWorkflowsInput) => DBOS.listWorkflows(input).then(ids);
const run = async (id: string, params: object = {}) =>
  (await DBOS.startWorkflow(echo, { workflowID: id, ...params })(id)).getResult();

forEachBackend('listing filters', (backend) => {
  afterEach(async () => {
    release();
    await DBOS.shutdown();
  });

  test('completion and dequeue times', async () => {
    await launch(backend);
    await run('t-direct');
    await pause(5);
    const between = Date.now();
    await pause(5);
    await run('t-queued', { queueName: filterQueue.name });
    assert.deepEqual(await list({ completedBefore: iso(between) }), ['t-direct']);
    assert.deepEqual(await list({ completedAfter: iso(between) }), ['t-queued']);
    assert.deepEqual(await list({ dequeuedAfter: iso(between) }), ['t-queued']);
    assert.deepEqual(await list({ dequeuedBefore: iso(between) }), []);
    await assert.rejects(DBOS.listWorkflows({ completedAfter: 'soon' }), DBOSConfigurationError);
  });

  test('authenticated user, executor and application', async () => {
    const config = await launch(backend);
    await DBOS.withAuthedContext('alice', [], () => run('u-alice'));
    await DBOS.withAuthedContext('bob', [], () => run('u-bob'));
    await crashAndRelaunch({ ...config, executorID: 'executor-2' });
    await run('u-none');
    assert.deepEqual(await list({ authenticatedUser: 'alice' }), ['u-alice']);
    assert.deepEqual(await list({ authenticatedUser: ['alice', 'bob'] }), ['u-alice', 'u-bob']);
    assert.deepEqual(await list({ executorId: 'executor-2' }), ['u-none']);
    assert.deepEqual(await list({ executorId: ['local'] }), ['u-alice', 'u-bob']);
    assert.deepEqual(await list({ applicationName: config.name! }), ['u-alice', 'u-bob', 'u-none']);
    assert.deepEqual(await list({ applicationName: ['another-app'] }), []);
  });

  test('workflow ID prefix, under its DBOS name and its alias', async () => {
    await launch(backend);
    for (const id of ['order-1', 'order-2', 'Order-3', 'invoice-1']) await run(id);
    assert.deepEqual(await list({ workflow_id_prefix: 'order-' }), ['order-1', 'order-2']);
    assert.deepEqual(await list({ workflowIdPrefix: ['order-1', 'inv'] }), ['invoice-1', 'order-1']);
    assert.deepEqual(await list({ workflow_id_prefix: 'order_' }), []);
    await assert.rejects(DBOS.listWorkflows({ workflow_id_prefix: 'a', workflowIdPrefix: 'b' }), DBOSConfigurationError);
  });

  test('forks and the workflows they came from', async () => {
    await launch(backend);
    await run('original');
    await run('plain');
    const fork = await DBOS.forkWorkflow('original', 0, { newWorkflowID: 'the-fork' });
    await fork.getResult();
    assert.deepEqual(await list({ forkedFrom: 'original' }), ['the-fork']);
    assert.deepEqual(await list({ wasForkedFrom: true }), ['original']);
    assert.deepEqual(await list({ wasForkedFrom: false }), ['plain', 'the-fork']);
    assert.deepEqual(await list({ isFork: true }), ['the-fork']);
    assert.deepEqual(await list({ isFork: false }), ['original', 'plain']);
    assert.equal((await DBOS.getWorkflowStatus('original'))?.wasForkedFrom, true);
    assert.equal((await DBOS.getWorkflowStatus('plain'))?.wasForkedFrom, false);
    await assert.rejects(DBOS.listWorkflows({ wasForkedFrom: 'yes' as never }), DBOSConfigurationError);
  });

  test('parents and children', async () => {
    await launch(backend);
    await (await DBOS.startWorkflow(parent, { workflowID: 'p' })()).getResult();
    await run('lonely');
    assert.deepEqual(await list({ parentWorkflowID: 'p' }), ['p-0']);
    assert.deepEqual(await list({ hasParent: true }), ['p-0']);
    assert.deepEqual(await list({ hasParent: false }), ['lonely', 'p']);
  });

  test('listQueuedWorkflows takes the same filters; unknown keys are errors', async () => {
    await launch(backend);
    gate = new Promise<void>((resolve) => (release = resolve));
    await DBOS.withAuthedContext('alice', [], () => DBOS.startWorkflow(gated, { workflowID: 'q-alice', queueName: filterQueue.name })());
    await DBOS.startWorkflow(gated, { workflowID: 'q-other', queueName: filterQueue.name })();
    assert.deepEqual(ids(await DBOS.listQueuedWorkflows({ authenticatedUser: 'alice' })), ['q-alice']);
    assert.deepEqual(ids(await DBOS.listQueuedWorkflows({ workflow_id_prefix: 'q-' })), ['q-alice', 'q-other']);
    await assert.rejects(DBOS.listWorkflows({ parentWorkflowId: 'p' } as never), /"parentWorkflowId" is not supported/);
    await assert.rejects(DBOS.listQueuedWorkflows({ hasparent: true } as never), DBOSConfigurationError);
  });
});
