/**
 * DBOS.listQueuedWorkflows: the workflows on a queue that have not finished
 * (ENQUEUED, DELAYED, PENDING), oldest first, with DBOS's filters, paging and
 * sorting; a recorded operation from workflow code.
 */
import assert from 'node:assert/strict';
import { afterEach, test } from 'node:test';
import { DBOS, DBOSConfigurationError, WorkflowQueue, type WorkflowStatus } from '../../src/index.ts';
import { forEachBackend } from '../helpers/backends.ts';
import { launch, stepOutcomes } from '../helpers/lifecycle.ts';

const gateQueue = new WorkflowQueue('lq-gate', { concurrency: 1 });
const otherQueue = new WorkflowQueue('lq-other');

let openGate: () => void = () => undefined;
let gate = Promise.resolve();

const gated = DBOS.registerWorkflow(
  async (label: string) => {
    await gate;
    return label;
  },
  { name: 'lq.gated' },
);
const quick = DBOS.registerWorkflow(async (label: string) => label, { name: 'lq.quick' });
const countQueued = DBOS.registerWorkflow(
  async () => (await DBOS.listQueuedWorkflows({ queueName: gateQueue.name })).length,
  { name: 'lq.countQueued' },
);

const ids = (statuses: WorkflowStatus[]) => statuses.map((s) => s.workflowID);

async function waitForStatus(workflowID: string, status: string): Promise<void> {
  const deadline = Date.now() + 5000;
  while ((await DBOS.getWorkflowStatus(workflowID))?.status !== status) {
    if (Date.now() > deadline) assert.fail(`workflow ${workflowID} never became ${status}`);
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}

forEachBackend('listQueuedWorkflows', (backend) => {
  afterEach(async () => {
    openGate();
    await DBOS.shutdown();
  });

  test('lists unfinished queued workflows, oldest first, with filters, paging and sorting', async () => {
    await launch(backend);
    gate = new Promise((resolve) => (openGate = resolve));
    // g1 runs (PENDING) and holds the queue's only slot, so g2 and g3 wait (ENQUEUED).
    const g1 = await DBOS.startWorkflow(gated, { queueName: gateQueue.name, workflowID: 'g1' })('one');
    await waitForStatus('g1', 'PENDING');
    await DBOS.startWorkflow(gated, { queueName: gateQueue.name, workflowID: 'g2' })('two');
    await DBOS.startWorkflow(gated, { queueName: gateQueue.name, workflowID: 'g3' })('three');
    const done = await DBOS.startWorkflow(quick, { queueName: otherQueue.name, workflowID: 'finished' })('x');
    await done.getResult();
    await DBOS.startWorkflow(quick, { queueName: otherQueue.name, workflowID: 'later', enqueueOptions: { delaySeconds: 60 } })('y');
    await quick('direct, never queued');

    const all = await DBOS.listQueuedWorkflows({});
    assert.deepEqual(ids(all), ['g1', 'g2', 'g3', 'later']);
    assert.deepEqual(all.map((s) => s.status), ['PENDING', 'ENQUEUED', 'ENQUEUED', 'DELAYED']);
    assert.deepEqual(all[1]?.input, ['two']);
    assert.equal(all[1]?.workflowName, 'lq.gated');
    assert.equal(all[1]?.queueName, gateQueue.name);

    assert.deepEqual(ids(await DBOS.listQueuedWorkflows({ queueName: otherQueue.name })), ['later']);
    assert.equal((await DBOS.listQueuedWorkflows({ queueName: [gateQueue.name, otherQueue.name] })).length, 4);
    assert.deepEqual(ids(await DBOS.listQueuedWorkflows({ status: 'ENQUEUED' })), ['g2', 'g3']);
    assert.deepEqual(ids(await DBOS.listQueuedWorkflows({ status: ['PENDING', 'DELAYED'] })), ['g1', 'later']);
    assert.deepEqual(await DBOS.listQueuedWorkflows({ status: 'SUCCESS' }), [], 'finished workflows are not queued');
    assert.deepEqual(ids(await DBOS.listQueuedWorkflows({ workflowName: 'lq.quick' })), ['later']);
    assert.deepEqual(ids(await DBOS.listQueuedWorkflows({ workflowIDs: ['g3', 'finished'] })), ['g3']);

    const g2CreatedAt = new Date(all[1]!.createdAt).toISOString();
    assert.deepEqual(ids(await DBOS.listQueuedWorkflows({ startTime: g2CreatedAt })), ['g2', 'g3', 'later']);
    assert.deepEqual(ids(await DBOS.listQueuedWorkflows({ endTime: g2CreatedAt })), ['g1', 'g2']);

    assert.deepEqual(ids(await DBOS.listQueuedWorkflows({ limit: 2 })), ['g1', 'g2']);
    assert.deepEqual(ids(await DBOS.listQueuedWorkflows({ limit: 2, offset: 1 })), ['g2', 'g3']);
    assert.deepEqual(ids(await DBOS.listQueuedWorkflows({ offset: 3 })), ['later']);
    assert.deepEqual(ids(await DBOS.listQueuedWorkflows({ sortDesc: true })), ['later', 'g3', 'g2', 'g1']);
    assert.deepEqual(ids(await DBOS.listQueuedWorkflows({ sortDesc: true, limit: 1 })), ['later']);

    const withoutInputs = await DBOS.listQueuedWorkflows({ loadInput: false });
    assert.ok(withoutInputs.every((s) => s.input === undefined));

    openGate();
    await g1.getResult();
    await DBOS.retrieveWorkflow('g3').getResult();
    assert.deepEqual(await DBOS.listQueuedWorkflows({ queueName: gateQueue.name }), []);
  });

  test('bad filters are typed errors', async () => {
    await launch(backend);
    await assert.rejects(DBOS.listQueuedWorkflows({ startTime: 'yesterday' }), DBOSConfigurationError);
    await assert.rejects(DBOS.listQueuedWorkflows({ limit: -1 }), DBOSConfigurationError);
    await assert.rejects(DBOS.listQueuedWorkflows({ offset: 1.5 }), DBOSConfigurationError);
    await assert.rejects(DBOS.listQueuedWorkflows({ queueName: 7 as never }), DBOSConfigurationError);
    await assert.rejects(DBOS.listQueuedWorkflows({ executorID: 'local' } as never), /not supported/);
  });

  test('from workflow code, the listing is a recorded operation', async () => {
    await launch(backend);
    gate = new Promise((resolve) => (openGate = resolve));
    await DBOS.startWorkflow(gated, { queueName: gateQueue.name, workflowID: 'r1' })('a');
    await DBOS.startWorkflow(gated, { queueName: gateQueue.name, workflowID: 'r2' })('b');
    const counter = await DBOS.startWorkflow(countQueued, { workflowID: 'counter' })();
    assert.equal(await counter.getResult(), 2);
    const steps = await stepOutcomes('counter');
    assert.deepEqual(steps.map((s) => s.functionName), ['DBOS.listQueuedWorkflows']);
    openGate();
    await DBOS.retrieveWorkflow('r2').getResult();
  });
});
