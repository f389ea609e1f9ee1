/**
 * Cancelling workflows that are not running here: an ENQUEUED one leaves its
 * queue (CANCELLED, no queue name) and never runs, while the queue goes on
 * with the rest; a cancelled workflow, queued or running, is never recovered
 * by a later launch; finished workflows are left as they are.
 */
import assert from 'node:assert/strict';
import { afterEach, test } from 'node:test';
import { DBOS, DBOSAwaitedWorkflowCancelledError, WorkflowQueue } from '../../src/index.ts';
import { forEachBackend } from '../helpers/backends.ts';
import { crashAndRelaunch, launch } from '../helpers/lifecycle.ts';

const queue = new WorkflowQueue('cq-one-at-a-time', { concurrency: 1 });

/** Which bodies ran (every entry, replays included) and which steps ran. */
const ran: string[] = [];
let openGate: () => void = () => undefined;
let gate = Promise.resolve();
function closeGate(): void {
  gate = new Promise((resolve) => (openGate = resolve));
}

const countedStep = DBOS.registerStep(async (label: string) => void ran.push(`step:${label}`), { name: 'cq.step' });

/** Holds the queue's only slot until the gate opens. */
const blocker = DBOS.registerWorkflow(async (label: string) => {
  ran.push(`body:${label}`);
  await gate;
  return label;
}, { name: 'cq.blocker' });

const counted = DBOS.registerWorkflow(async (label: string) => {
  ran.push(`body:${label}`);
  await countedStep(label);
  return label;
}, { name: 'cq.counted' });

/** A step, then waits at the gate (outside any step), then another step. */
const twoSteps = DBOS.registerWorkflow(async (label: string) => {
  ran.push(`body:${label}`);
  await countedStep(`${label}-1`);
  await gate;
  await countedStep(`${label}-2`);
  return label;
}, { name: 'cq.twoSteps' });

async function waitForStatus(workflowID: string, status: string): Promise<void> {
  const deadline = Date.now() + 15_000;
  while ((await DBOS.getWorkflowStatus(workflowID))?.status !== status) {
    if (Date.now() > deadline) assert.fail(`workflow ${workflowID} never became ${status}`);
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}

const pause = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

forEachBackend('cancelling queued and stopped workflows', (backend) => {
  afterEach(async () => {
    openGate();
    await DBOS.shutdown();
  });

  test('an ENQUEUED workflow cancelled leaves its queue and never runs, before or after a relaunch', async () => {
    ran.length = 0;
    closeGate();
    const config = await launch(backend);
    await DBOS.startWorkflow(blocker, { queueName: queue.name, workflowID: 'holder' })('holder');
    await waitForStatus('holder', 'PENDING');
    const waiting = await DBOS.startWorkflow(counted, { queueName: queue.name, workflowID: 'waiting' })('waiting');
    const behind = await DBOS.startWorkflow(counted, { queueName: queue.name, workflowID: 'behind' })('behind');
    assert.equal((await waiting.getStatus())?.status, 'ENQUEUED');
    assert.equal((await waiting.getStatus())?.queueName, queue.name);

    await DBOS.cancelWorkflow('waiting');
    const cancelled = await waiting.getStatus();
    assert.equal(cancelled?.status, 'CANCELLED');
    assert.equal(cancelled?.queueName, undefined, 'it left its queue');
    assert.deepEqual((await DBOS.listQueuedWorkflows({ queueName: queue.name })).map((w) => w.workflowID), ['holder', 'behind']);
    await assert.rejects(waiting.getResult(), DBOSAwaitedWorkflowCancelledError);

    openGate();
    assert.equal(await behind.getResult(), 'behind', 'the queue went on past the cancelled workflow');
    assert.deepEqual(ran, ['body:holder', 'body:behind', 'step:behind']);

    await crashAndRelaunch(config);
    const after = await DBOS.startWorkflow(counted, { queueName: queue.name, workflowID: 'after-relaunch' })('after');
    assert.equal(await after.getResult(), 'after');
    const status = await DBOS.getWorkflowStatus('waiting');
    assert.equal(status?.status, 'CANCELLED');
    assert.equal(status?.queueName, undefined);
    assert.ok(!ran.includes('body:waiting'), `the cancelled workflow ran: ${ran.join(', ')}`);
    assert.deepEqual(await DBOS.listWorkflowSteps('waiting'), []);
  });

  test('a running workflow cancelled and then interrupted by a shutdown is not recovered', async () => {
    ran.length = 0;
    closeGate();
    const config = await launch(backend);
    const handle = await DBOS.startWorkflow(twoSteps, { workflowID: 'stopped' })('stopped');
    while (!ran.includes('step:stopped-1')) await pause(5);
    await DBOS.cancelWorkflow('stopped');
    const before = await handle.getStatus();
    assert.equal(before?.status, 'CANCELLED');

    // Shut down while the body still waits at the gate; a recovering launch must leave it alone.
    closeGate();
    await crashAndRelaunch(config);
    await pause(1500);
    openGate();
    await pause(100);
    const status = await DBOS.getWorkflowStatus('stopped');
    assert.equal(status?.status, 'CANCELLED');
    assert.equal(status?.recoveryAttempts, before?.recoveryAttempts, 'no recovery attempt was counted');
    assert.deepEqual(ran, ['body:stopped', 'step:stopped-1'], 'the body was not entered again');
    assert.deepEqual((await DBOS.listWorkflowSteps('stopped'))?.map((s) => s.name), ['cq.step']);
    await assert.rejects(DBOS.retrieveWorkflow('stopped').getResult(), DBOSAwaitedWorkflowCancelledError);
  });

  test('cancelWorkflows cancels the unfinished workflows of a list and leaves finished ones as they are', async () => {
    ran.length = 0;
    closeGate();
    await launch(backend);
    const done = await DBOS.startWorkflow(counted, { workflowID: 'done' })('done');
    await done.getResult();
    await DBOS.startWorkflow(blocker, { queueName: queue.name, workflowID: 'slot' })('slot');
    await waitForStatus('slot', 'PENDING');
    await DBOS.startWorkflow(counted, { queueName: queue.name, workflowID: 'queued' })('queued');
    const finishedBefore = await DBOS.getWorkflowStatus('done');

    await DBOS.cancelWorkflows(['done', 'slot', 'queued']);
    assert.deepEqual(await DBOS.getWorkflowStatus('done'), finishedBefore, 'a finished workflow is not touched');
    assert.equal((await DBOS.getWorkflowStatus('slot'))?.status, 'CANCELLED');
    assert.equal((await DBOS.getWorkflowStatus('queued'))?.status, 'CANCELLED');
    assert.deepEqual(await DBOS.listQueuedWorkflows({ queueName: queue.name }), []);
    // Cancelling again changes nothing.
    const cancelledAt = (await DBOS.getWorkflowStatus('slot'))?.completedAt;
    await DBOS.cancelWorkflow('slot');
    assert.equal((await DBOS.getWorkflowStatus('slot'))?.completedAt, cancelledAt);
    openGate();
    await pause(300);
    assert.ok(!ran.includes('body:queued'));
  });
});
