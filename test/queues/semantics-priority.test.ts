/**
 * Queue semantics, dequeue order (issue 3): lower priority numbers dequeue
 * first, then first in, first out by enqueue time, on every queue (DBOS 5
 * deprecated `priorityEnabled`: it is accepted and has no effect). An
 * invalid priority is a typed error and writes nothing. Each queue runs one
 * task at a time; a blocker holds the slot while the others are enqueued, so
 * the order they start in is the order the queue chose.
 */
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { afterEach, beforeEach, test } from 'node:test';
import { DBOS, DBOSInvalidQueuePriorityError, WorkflowQueue } from '../../src/index.ts';
import { deferred, type Deferred } from '../../src/support/deferred.ts';
import { forEachBackend } from '../helpers/backends.ts';
import { launch } from '../helpers/lifecycle.ts';

const priorityQueue = new WorkflowQueue('semantics-priority.global', { concurrency: 1, priorityEnabled: true });
const priorityWorkerQueue = new WorkflowQueue('semantics-priority.worker', { workerConcurrency: 1, priorityEnabled: true });
const fifoQueue = new WorkflowQueue('semantics-priority.fifo', { concurrency: 1 });

let blockerStarted: Deferred<void> = deferred();
let releaseBlocker: Deferred<void> = deferred();
const started: string[] = [];

const blocker = DBOS.registerWorkflow(async () => {
  blockerStarted.resolve();
  await releaseBlocker.promise;
  return 'blocker';
}, { name: 'semantics-priority.blocker' });

const task = DBOS.registerWorkflow(async (label: string) => {
  started.push(label);
  return label;
}, { name: 'semantics-priority.task' });

/** Start the blocker on `queue` and wait until it holds the queue's only slot. */
async function occupy(queue: WorkflowQueue) {
  const handle = await DBOS.startWorkflow(blocker, { queueName: queue.name })();
  await blockerStarted.promise;
  return handle;
}

async function expectInvalidPriority(queue: WorkflowQueue, priority: number): Promise<void> {
  const workflowID = `bad-priority-${randomUUID()}`;
  await assert.rejects(
    DBOS.startWorkflow(task, { workflowID, queueName: queue.name, enqueueOptions: { priority } })('x'),
    (error: unknown) => {
      assert.ok(error instanceof DBOSInvalidQueuePriorityError, `priority ${priority}: got ${String(error)}`);
      assert.equal(error.priority, priority);
      return true;
    },
  );
  assert.equal(await DBOS.getWorkflowStatus(workflowID), null, `priority ${priority} wrote no workflow row`);
}

forEachBackend('queue semantics: priority and order', (backend) => {
  beforeEach(() => {
    blockerStarted = deferred();
    releaseBlocker = deferred();
    started.length = 0;
  });
  afterEach(async () => {
    releaseBlocker.resolve();
    await DBOS.shutdown();
  });

  for (const queue of [priorityQueue, priorityWorkerQueue]) {
    const limit = queue.concurrency !== undefined ? 'concurrency 1' : 'workerConcurrency 1';
    test(`priorityEnabled (${limit}): lower numbers dequeue first`, async () => {
      await launch(backend);
      const held = await occupy(queue);
      const handles = [];
      for (const priority of [5, 1, 3]) {
        handles.push(await DBOS.startWorkflow(task, { queueName: queue.name, enqueueOptions: { priority } })(`p${priority}`));
      }
      for (const handle of handles) assert.equal((await handle.getStatus())?.status, 'ENQUEUED');
      assert.deepEqual(started, [], 'nothing starts while the blocker holds the slot');
      releaseBlocker.resolve();
      assert.equal(await held.getResult(), 'blocker');
      assert.deepEqual(await Promise.all(handles.map((h) => h.getResult())), ['p5', 'p1', 'p3']);
      assert.deepEqual(started, ['p1', 'p3', 'p5']);
      const priorities = await Promise.all(handles.map(async (h) => (await h.getStatus())?.priority));
      assert.deepEqual(priorities, [5, 1, 3], 'each status reports its priority');
      const dequeued = await Promise.all(handles.map(async (h) => (await h.getStatus())!.dequeuedAt!));
      assert.ok(dequeued[1]! <= dequeued[2]! && dequeued[2]! <= dequeued[0]!, `dequeue times ${dequeued.join(', ')}`);
    });
  }

  test('priority ties and equal priorities dequeue first in, first out', async () => {
    await launch(backend);
    const held = await occupy(priorityQueue);
    const plan: [string, number][] = [['a2', 2], ['b1', 1], ['c2', 2], ['d1', 1], ['e2', 2]];
    const handles = [];
    for (const [label, priority] of plan) {
      handles.push(await DBOS.startWorkflow(task, { queueName: priorityQueue.name, enqueueOptions: { priority } })(label));
    }
    releaseBlocker.resolve();
    await held.getResult();
    await Promise.all(handles.map((h) => h.getResult()));
    assert.deepEqual(started, ['b1', 'd1', 'a2', 'c2', 'e2']);
  });

  test('without priorityEnabled, priority still orders the queue (DBOS 5)', async () => {
    await launch(backend);
    const held = await occupy(fifoQueue);
    const handles = [];
    for (const priority of [5, 1, 3]) {
      handles.push(await DBOS.startWorkflow(task, { queueName: fifoQueue.name, enqueueOptions: { priority } })(`p${priority}`));
    }
    const unprioritized = await DBOS.startWorkflow(task, { queueName: fifoQueue.name })('p0');
    releaseBlocker.resolve();
    await held.getResult();
    await Promise.all([...handles, unprioritized].map((h) => h.getResult()));
    assert.deepEqual(started, ['p0', 'p1', 'p3', 'p5'], 'no priority is 0, the first');
  });

  test('without priorities, tasks dequeue first in, first out', async () => {
    await launch(backend);
    const held = await occupy(fifoQueue);
    const labels = ['a', 'b', 'c', 'd', 'e', 'f'];
    const handles = [];
    for (const label of labels) handles.push(await DBOS.startWorkflow(task, { queueName: fifoQueue.name })(label));
    releaseBlocker.resolve();
    await held.getResult();
    assert.deepEqual(await Promise.all(handles.map((h) => h.getResult())), labels);
    assert.deepEqual(started, labels);
  });

  test('an invalid priority is a typed error and writes nothing', async () => {
    await launch(backend);
    for (const priority of [0, -1, 1.5, 2 ** 31, Number.NaN]) {
      await expectInvalidPriority(priorityQueue, priority);
      await expectInvalidPriority(fifoQueue, priority);
    }
    // The bounds themselves are valid.
    for (const priority of [1, 2 ** 31 - 1]) {
      const handle = await DBOS.startWorkflow(task, { queueName: priorityQueue.name, enqueueOptions: { priority } })(`ok${priority}`);
      assert.equal(await handle.getResult(), `ok${priority}`);
      assert.equal((await handle.getStatus())?.priority, priority);
    }
  });
});
