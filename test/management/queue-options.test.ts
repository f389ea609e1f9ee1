/**
 * Management calls with DBOS's options: resumeWorkflow(s) onto a named queue
 * (which must exist), forkWorkflow onto a queue with a partition key,
 * listWorkflowSteps paged with limit/offset, and DBOS.waitAll (recorded in
 * workflow code, so replay does not wait again).
 */
import assert from 'node:assert/strict';
import { afterEach, test } from 'node:test';
import { DBOS, DBOSConfigurationError, DBOSQueueNotFoundError, WorkflowQueue } from '../../src/index.ts';
import { forEachBackend } from '../helpers/backends.ts';
import { launch } from '../helpers/lifecycle.ts';

const resumeQueue = new WorkflowQueue('queue-options.resume');
const partitionedQueue = new WorkflowQueue('queue-options.partitioned', { partitionQueue: true, concurrency: 1 });

const step = DBOS.registerStep(async (n: number) => n, { name: 'queueOptions.step' });

const fiveSteps = DBOS.registerWorkflow(async () => {
  let total = 0;
  for (let i = 0; i < 5; i++) total += await step(i);
  return total;
}, { name: 'queueOptions.fiveSteps' });

let release: () => void = () => undefined;
let gate = Promise.resolve();
const gated = DBOS.registerWorkflow(async (label: string) => {
  await step(0);
  await gate;
  return label;
}, { name: 'queueOptions.gated' });

const sleeper = DBOS.registerWorkflow(async (ms: number) => {
  await DBOS.sleep(ms);
  return ms;
}, { name: 'queueOptions.sleeper' });

let waitAllBodies = 0;
const waitsForAll = DBOS.registerWorkflow(async () => {
  waitAllBodies++;
  const handles = [await DBOS.startWorkflow(sleeper)(50), await DBOS.startWorkflow(sleeper)(5)];
  const done = await DBOS.waitAll(handles);
  return Promise.all(done.map((h) => h.getResult()));
}, { name: 'queueOptions.waitsForAll' });

forEachBackend('management options', (backend) => {
  afterEach(async () => {
    release();
    await DBOS.shutdown();
  });

  test('resumeWorkflow({ queueName }) puts the workflow on that queue; an unknown queue is refused', async () => {
    await launch(backend);
    gate = new Promise<void>((resolve) => (release = resolve));
    const handle = await DBOS.startWorkflow(gated, { workflowID: 'resume-me' })('a');
    await DBOS.cancelWorkflow('resume-me');
    await assert.rejects(DBOS.resumeWorkflow('resume-me', { queueName: 'no-such-queue' }), DBOSQueueNotFoundError);
    assert.equal((await handle.getStatus())?.status, 'CANCELLED');
    release();
    const resumed = await DBOS.resumeWorkflow<string>('resume-me', { queueName: resumeQueue.name });
    assert.equal(await resumed.getResult(), 'a');
    assert.equal((await resumed.getStatus())?.queueName, resumeQueue.name);
    const [again] = await DBOS.resumeWorkflows(['resume-me'], { queueName: resumeQueue.name });
    assert.equal(again?.workflowID, 'resume-me');
  });

  test('forkWorkflow({ queueName, queuePartitionKey }) enqueues the fork on that partition', async () => {
    await launch(backend);
    await (await DBOS.startWorkflow(fiveSteps, { workflowID: 'fork-source' })()).getResult();
    const fork = await DBOS.forkWorkflow<number>('fork-source', 2, {
      queueName: partitionedQueue.name,
      queuePartitionKey: 'tenant-1',
    });
    assert.equal(await fork.getResult(), 10);
    const status = await fork.getStatus();
    assert.equal(status?.queueName, partitionedQueue.name);
    assert.equal(status?.queuePartitionKey, 'tenant-1');
    assert.equal(status?.forkedFrom, 'fork-source');
    await assert.rejects(DBOS.forkWorkflow('fork-source', 0, { queueName: partitionedQueue.name }), /partition/i);
    await assert.rejects(DBOS.forkWorkflow('fork-source', 0, { queuePartitionKey: 'k' }), DBOSConfigurationError);
    await assert.rejects(DBOS.forkWorkflow('fork-source', 0, { queueName: 'no-such-queue' }), DBOSQueueNotFoundError);
  });

  test('listWorkflowSteps pages with limit and offset', async () => {
    await launch(backend);
    await (await DBOS.startWorkflow(fiveSteps, { workflowID: 'paged' })()).getResult();
    const functionIDs = async (options?: { limit?: number; offset?: number }) =>
      ((await DBOS.listWorkflowSteps('paged', options)) ?? []).map((s) => s.functionID);
    assert.deepEqual(await functionIDs(), [0, 1, 2, 3, 4]);
    assert.deepEqual(await functionIDs({ limit: 2 }), [0, 1]);
    assert.deepEqual(await functionIDs({ limit: 2, offset: 2 }), [2, 3]);
    assert.deepEqual(await functionIDs({ offset: 3 }), [3, 4]);
    assert.deepEqual(await functionIDs({ offset: 9 }), []);
    assert.equal(await DBOS.listWorkflowSteps('no-such-workflow', { limit: 1 }), undefined);
    await assert.rejects(DBOS.listWorkflowSteps('paged', { limit: -1 }), DBOSConfigurationError);
  });

  test('waitAll waits for every workflow; in workflow code it is recorded and replayed', async () => {
    await launch(backend);
    const handles = [await DBOS.startWorkflow(sleeper)(40), await DBOS.startWorkflow(sleeper)(1)];
    const done = await DBOS.waitAll(handles);
    assert.deepEqual(done.map((h) => h.workflowID), handles.map((h) => h.workflowID));
    for (const handle of handles) assert.equal((await handle.getStatus())?.status, 'SUCCESS');
    assert.deepEqual(await DBOS.waitAll([]), []);
    await assert.rejects(DBOS.waitAll(handles, { pollingIntervalMs: 0 }), DBOSConfigurationError);

    waitAllBodies = 0;
    const parent = await DBOS.startWorkflow(waitsForAll, { workflowID: 'wait-all-parent' })();
    assert.deepEqual(await parent.getResult(), [50, 5]);
    const steps = (await DBOS.listWorkflowSteps('wait-all-parent')) ?? [];
    const waitStep = steps.find((s) => s.name === 'DBOS.waitAll');
    assert.ok(waitStep, JSON.stringify(steps.map((s) => s.name)));
    // Replay everything up to and including the wait: the same children, no second wait recorded.
    const replay = await DBOS.forkWorkflow('wait-all-parent', waitStep.functionID + 1);
    assert.deepEqual(await replay.getResult(), [50, 5]);
    const replayed = (await DBOS.listWorkflowSteps(replay.workflowID)) ?? [];
    assert.equal(replayed.filter((s) => s.name === 'DBOS.waitAll').length, 1);
    assert.equal(waitAllBodies, 2);
  });
});
