/**
 * Queue semantics, time (issue 3): a delayed task is not dequeued before its
 * time and does not hold up the tasks behind it; a queued workflow's timeout
 * starts when it is dequeued, not when it is enqueued. Assertions are on the
 * times the system database recorded (`dequeuedAt`, `deadlineEpochMS`).
 */
import assert from 'node:assert/strict';
import { afterEach, beforeEach, test } from 'node:test';
import { setTimeout as delay } from 'node:timers/promises';
import { DBOS, WorkflowQueue } from '../../src/index.ts';
import { deferred, type Deferred } from '../../src/support/deferred.ts';
import { forEachBackend } from '../helpers/backends.ts';
import { launch } from '../helpers/lifecycle.ts';

const delayQueue = new WorkflowQueue('semantics-time.delay', { concurrency: 1 });
const openQueue = new WorkflowQueue('semantics-time.open');
const timeoutQueue = new WorkflowQueue('semantics-time.timeout', { concurrency: 1 });

let blockerStarted: Deferred<void> = deferred();
let releaseBlocker: Deferred<void> = deferred();
const started: string[] = [];

const blocker = DBOS.registerWorkflow(async () => {
  blockerStarted.resolve();
  await releaseBlocker.promise;
  return 'blocker';
}, { name: 'semantics-time.blocker' });

const task = DBOS.registerWorkflow(async (label: string) => {
  started.push(label);
  return label;
}, { name: 'semantics-time.task' });

/** A workflow that outlives a short timeout only if its clock starts late. */
const sleeper = DBOS.registerWorkflow(async (ms: number) => {
  await DBOS.sleep(ms);
  return 'slept';
}, { name: 'semantics-time.sleeper' });

forEachBackend('queue semantics: delayed start and timeouts', (backend) => {
  beforeEach(() => {
    blockerStarted = deferred();
    releaseBlocker = deferred();
    started.length = 0;
  });
  afterEach(async () => {
    releaseBlocker.resolve();
    await DBOS.shutdown();
  });

  test('a delayed task is DELAYED at first, dequeued no earlier than its time, and does not hold up later tasks', async () => {
    await launch(backend);
    const enqueuedAt = Date.now();
    const late = await DBOS.startWorkflow(task, { queueName: delayQueue.name, enqueueOptions: { delaySeconds: 1.5 } })('late'); // outlasts a slow enqueue under load
    const lateStatus = await late.getStatus();
    assert.equal(lateStatus?.status, 'DELAYED');
    assert.ok(lateStatus!.delayUntilEpochMS! >= enqueuedAt + 1500, 'the delay is recorded');
    const prompt = await DBOS.startWorkflow(task, { queueName: delayQueue.name })('prompt');
    assert.deepEqual(await Promise.all([late.getResult(), prompt.getResult()]), ['late', 'prompt']);
    assert.deepEqual(started, ['prompt', 'late'], 'the undelayed task, enqueued later on a concurrency-1 queue, went first');
    const lateDequeued = (await late.getStatus())!.dequeuedAt!;
    const promptDequeued = (await prompt.getStatus())!.dequeuedAt!;
    assert.ok(lateDequeued >= enqueuedAt + 1500, `dequeued ${lateDequeued - enqueuedAt} ms after enqueue`);
    assert.ok(lateDequeued >= lateStatus!.delayUntilEpochMS!);
    assert.ok(promptDequeued < lateDequeued, 'the prompt task was dequeued first');
  });

  test('a delayed task enqueued on a queue that has gone idle still runs', async () => {
    await launch(backend);
    // Let the dequeuer make its first rounds and start backing off.
    const warmup = await DBOS.startWorkflow(task, { queueName: openQueue.name })('warmup');
    await warmup.getResult();
    await delay(150);
    const enqueuedAt = Date.now();
    const late = await DBOS.startWorkflow(task, { queueName: openQueue.name, enqueueOptions: { delaySeconds: 0.2 } })('late');
    assert.equal((await late.getStatus())?.status, 'DELAYED');
    const result = await Promise.race([late.getResult(), delay(10_000).then(() => 'still waiting after 10 s')]);
    assert.equal(result, 'late', `status now ${(await late.getStatus())?.status}`);
    assert.ok((await late.getStatus())!.dequeuedAt! >= enqueuedAt + 200);
  });

  test('several delays on one queue each wait for their own time, in time order', async () => {
    await launch(backend);
    const enqueuedAt = Date.now();
    const handles = [];
    // Due 600 ms apart: two due at the same poll are dequeued in creation order (c first), so the gaps must
    // outlast a slow enqueue or a late wake-up on a loaded machine.
    for (const [label, seconds] of [['c', 1.4], ['a', 0.2], ['b', 0.8]] as const) {
      handles.push(await DBOS.startWorkflow(task, { queueName: openQueue.name, enqueueOptions: { delaySeconds: seconds } })(label));
    }
    await Promise.all(handles.map((h) => h.getResult()));
    assert.deepEqual(started, ['a', 'b', 'c']);
    const offsets = await Promise.all(handles.map(async (h) => (await h.getStatus())!.dequeuedAt! - enqueuedAt));
    assert.ok(offsets[0]! >= 1400 && offsets[1]! >= 200 && offsets[2]! >= 800, `offsets ${offsets.join(', ')}`);
  });

  test('a queued workflow has no deadline while ENQUEUED; it starts at dequeue', async () => {
    await launch(backend);
    const held = await DBOS.startWorkflow(blocker, { queueName: timeoutQueue.name })();
    await blockerStarted.promise;
    const timed = await DBOS.startWorkflow(task, { queueName: timeoutQueue.name, timeoutMS: 5000 })('timed');
    const waiting = await timed.getStatus();
    assert.equal(waiting?.status, 'ENQUEUED');
    assert.equal(waiting?.timeoutMS, 5000);
    assert.equal(waiting?.deadlineEpochMS, undefined, 'no deadline while ENQUEUED');
    releaseBlocker.resolve();
    await held.getResult();
    assert.equal(await timed.getResult(), 'timed');
    const done = await timed.getStatus();
    assert.equal(done?.status, 'SUCCESS');
    assert.equal(done?.deadlineEpochMS, done!.dequeuedAt! + 5000);
  });

  test('a queued workflow that waited longer than its timeout still runs to completion', async () => {
    await launch(backend);
    const held = await DBOS.startWorkflow(blocker, { queueName: timeoutQueue.name })();
    await blockerStarted.promise;
    const timed = await DBOS.startWorkflow(sleeper, { queueName: timeoutQueue.name, timeoutMS: 400 })(50);
    await delay(600); // longer than its timeout, spent in the queue
    assert.equal((await timed.getStatus())?.status, 'ENQUEUED');
    releaseBlocker.resolve();
    await held.getResult();
    assert.equal(await timed.getResult(), 'slept');
    const done = await timed.getStatus();
    assert.ok(done!.dequeuedAt! - done!.createdAt >= 400, 'it waited in the queue longer than its timeout');
    assert.equal(done?.deadlineEpochMS, done!.dequeuedAt! + 400);
  });

  test('a delayed workflow with a timeout gets its deadline from its dequeue', async () => {
    await launch(backend);
    const timed = await DBOS.startWorkflow(task, {
      queueName: openQueue.name,
      timeoutMS: 1000,
      enqueueOptions: { delaySeconds: 0.2 },
    })('delayed-timed');
    assert.equal((await timed.getStatus())?.deadlineEpochMS, undefined);
    assert.equal(await timed.getResult(), 'delayed-timed');
    const done = await timed.getStatus();
    assert.equal(done?.deadlineEpochMS, done!.dequeuedAt! + 1000);
    assert.ok(done!.dequeuedAt! >= done!.delayUntilEpochMS!);
  });
});
