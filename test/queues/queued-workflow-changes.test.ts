/**
 * DBOS.setWorkflowPriority and DBOS.setWorkflowDelay: a waiting workflow's
 * place in its queue, changed after it was enqueued. A new priority reorders
 * what waits behind a blocker; a shortened delay is honoured at once (the
 * queue's dequeuers are told), an extended one is waited out. From workflow
 * code, each call is a recorded operation that a replay does not make again.
 */
import assert from 'node:assert/strict';
import { afterEach, beforeEach, test } from 'node:test';
import {
  DBOS,
  DBOSConfigurationError,
  DBOSInvalidQueuePriorityError,
  WorkflowQueue,
} from '../../src/index.ts';
import { deferred, type Deferred } from '../../src/support/deferred.ts';
import { forEachBackend } from '../helpers/backends.ts';
import { launch, stepOutcomes } from '../helpers/lifecycle.ts';
import { engineFor } from '../../src/runtime/runtime.ts';
import { queueChannel } from '../../src/system-database/system-database.ts';

const prioritized = new WorkflowQueue('changes.prioritized', { globalConcurrency: 1, priorityEnabled: true });
const fifo = new WorkflowQueue('changes.fifo');
// Polled once a minute when idle: only a wake-up can start a workflow whose delay was shortened.
const slowPolled = new WorkflowQueue('changes.slow-polled', { minPollingIntervalMs: 60_000 });

let blockerStarted: Deferred<void> = deferred();
let releaseBlocker: Deferred<void> = deferred();
const started: string[] = [];

const blocker = DBOS.registerWorkflow(async () => {
  blockerStarted.resolve();
  await releaseBlocker.promise;
}, { name: 'changes.blocker' });

const task = DBOS.registerWorkflow(async (label: string) => {
  started.push(label);
  return label;
}, { name: 'changes.task' });

/** Sets a priority and a delay from workflow code. */
const controller = DBOS.registerWorkflow(async (prioritizedID: string, delayedID: string) => {
  await DBOS.setWorkflowPriority(prioritizedID, 3);
  await DBOS.setWorkflowDelay(delayedID, { delaySeconds: 600 });
  return 'done';
}, { name: 'changes.controller' });

async function enqueue(queue: WorkflowQueue, workflowID: string, enqueueOptions?: { priority?: number; delaySeconds?: number }) {
  return DBOS.startWorkflow(task, { workflowID, queueName: queue.name, enqueueOptions })(workflowID);
}

async function statusOf(workflowID: string) {
  const status = await DBOS.getWorkflowStatus(workflowID);
  assert.ok(status, `workflow ${workflowID} exists`);
  return status;
}

forEachBackend('changing a waiting workflow: priority and delay', (backend) => {
  beforeEach(() => {
    blockerStarted = deferred();
    releaseBlocker = deferred();
    started.length = 0;
  });
  afterEach(async () => {
    releaseBlocker.resolve();
    await DBOS.shutdown();
  });

  test('setWorkflowPriority reorders the workflows waiting behind a blocker', async () => {
    await launch(backend);
    await DBOS.startWorkflow(blocker, { queueName: prioritized.name })();
    await blockerStarted.promise;
    for (const id of ['p1', 'p2', 'p3']) await enqueue(prioritized, id, { priority: 5 });
    await DBOS.setWorkflowPriority('p3', 1);
    await DBOS.setWorkflowPriority('p1', 9);
    assert.equal((await statusOf('p3')).priority, 1);
    releaseBlocker.resolve();
    await Promise.all(['p1', 'p2', 'p3'].map((id) => DBOS.retrieveWorkflow(id).getResult()));
    assert.deepEqual(started, ['p3', 'p2', 'p1']);
  });

  test('setWorkflowPriority: an invalid priority or an unknown workflow is refused; a finished one is left as it is; any queue takes one', async () => {
    await launch(backend);
    const done = await enqueue(prioritized, 'finished', { priority: 4 });
    await done.getResult();
    for (const priority of [0, -1, 1.5, 2 ** 31, Number.NaN]) {
      await assert.rejects(DBOS.setWorkflowPriority('finished', priority), DBOSInvalidQueuePriorityError, `priority ${priority}`);
    }
    await DBOS.setWorkflowPriority('finished', 2); // no longer waiting: nothing to change
    assert.equal((await statusOf('finished')).priority, 4);
    await DBOS.setWorkflowPriority('no-such-workflow', 2); // as in DBOS: an unknown ID is left alone

    // DBOS 5: every queue orders by priority, so one without priorityEnabled takes a priority too.
    await enqueue(fifo, 'fifo-delayed', { delaySeconds: 600 });
    await DBOS.setWorkflowPriority('fifo-delayed', 2);
    assert.equal((await statusOf('fifo-delayed')).priority, 2);
  });

  test('a shortened delay is announced to the dequeuers of its queue and honoured at once', async () => {
    await launch(backend);
    const handle = await enqueue(slowPolled, 'shortened', { delaySeconds: 3600 });
    await new Promise((resolve) => setTimeout(resolve, 200)); // the dequeuer has seen it and sleeps
    assert.equal((await statusOf('shortened')).status, 'DELAYED');
    const announced: string[] = [];
    const stop = engineFor('test').systemDatabase.notifier.subscribe(queueChannel, (key) => announced.push(key));
    const changedAt = Date.now();
    await DBOS.setWorkflowDelay('shortened', 0);
    stop();
    // The dequeuers of the queue are told (here at once; on Postgres other processes by NOTIFY).
    assert.ok(announced.includes(`delay-changed:${slowPolled.name}`), JSON.stringify(announced));
    assert.equal(await handle.getResult(), 'shortened');
    const waited = Date.now() - changedAt;
    assert.ok(waited < 20_000, `started ${waited} ms after the change, not after the old delay or the next poll`);
  });

  test('an extended delay is waited out; a delay until an absolute time too', async () => {
    await launch(backend);
    const handle = await enqueue(fifo, 'extended', { delaySeconds: 0.2 });
    const until = Date.now() + 1500;
    await DBOS.setWorkflowDelay('extended', { delayUntilEpochMS: until });
    await new Promise((resolve) => setTimeout(resolve, 600));
    assert.equal((await statusOf('extended')).status, 'DELAYED', 'the old due time passed; it still waits');
    await handle.getResult();
    const dequeuedAt = (await statusOf('extended')).dequeuedAt!;
    assert.ok(dequeuedAt >= until, `dequeued at ${dequeuedAt}, not before ${until}`);
  });

  test('setWorkflowDelay: bad options and unknown workflows are refused; one not DELAYED is left as it is', async () => {
    await launch(backend);
    await enqueue(fifo, 'waiting', { delaySeconds: 600 });
    const bad: unknown[] = [-1, Number.POSITIVE_INFINITY, {}, { delaySeconds: 1, delayUntilEpochMS: Date.now() }, { delaySeconds: 'soon' }, null];
    for (const options of bad) {
      await assert.rejects(DBOS.setWorkflowDelay('waiting', options as never), DBOSConfigurationError, JSON.stringify(options));
    }
    await DBOS.setWorkflowDelay('no-such-workflow', 1); // as in DBOS: an unknown ID is left alone
    const done = await enqueue(fifo, 'ran');
    await done.getResult();
    await DBOS.setWorkflowDelay('ran', 600);
    assert.equal((await statusOf('ran')).status, 'SUCCESS');
  });

  test('from workflow code, both are recorded operations, not made again by a replay', async () => {
    await launch(backend);
    await DBOS.startWorkflow(blocker, { queueName: prioritized.name })();
    await blockerStarted.promise;
    await enqueue(prioritized, 'target', { priority: 5 });
    await enqueue(fifo, 'held', { delaySeconds: 1 });
    const handle = await DBOS.startWorkflow(controller, { workflowID: 'controller' })('target', 'held');
    assert.equal(await handle.getResult(), 'done');
    const steps = await stepOutcomes('controller');
    assert.deepEqual(steps.map((s) => s.functionName), ['DBOS.setWorkflowPriority', 'DBOS.setWorkflowDelay']);
    assert.equal((await statusOf('target')).priority, 3);

    // Changed since; a fork replaying both recorded calls leaves them as they are now.
    await DBOS.setWorkflowPriority('target', 7);
    await DBOS.setWorkflowDelay('held', 1200);
    const heldUntil = (await DBOS.listQueuedWorkflows({ queueName: fifo.name })).find((w) => w.workflowID === 'held');
    const fork = await DBOS.forkWorkflow<string>('controller', 2);
    assert.equal(await fork.getResult(), 'done');
    assert.equal((await statusOf('target')).priority, 7, 'the replayed setWorkflowPriority did not run again');
    const heldNow = (await DBOS.listQueuedWorkflows({ queueName: fifo.name })).find((w) => w.workflowID === 'held');
    assert.equal(heldNow?.status, 'DELAYED');
    assert.deepEqual(heldNow, heldUntil, 'the replayed setWorkflowDelay did not run again');
  });
});
