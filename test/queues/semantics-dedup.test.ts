/**
 * Queue semantics, deduplication (issue 3): while a workflow with a
 * deduplication ID is ENQUEUED or PENDING on a queue, enqueueing another with
 * the same ID on that queue fails with DBOSQueueDuplicatedError and writes
 * nothing; once the first ends, the ID is free again. The ID is scoped to its
 * queue.
 */
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { afterEach, beforeEach, test } from 'node:test';
import { DBOS, DBOSQueueDuplicatedError, WorkflowQueue } from '../../src/index.ts';
import { deferred, type Deferred } from '../../src/support/deferred.ts';
import { forEachBackend } from '../helpers/backends.ts';
import { launch } from '../helpers/lifecycle.ts';

const queue = new WorkflowQueue('semantics-dedup.main', { concurrency: 1 });
const otherQueue = new WorkflowQueue('semantics-dedup.other');

/** Gates by label: a task waits on its label's gate (if any) once it has started. */
let gates = new Map<string, Deferred<void>>();
let startedGates = new Map<string, Deferred<void>>();
const runs: string[] = [];

function gate(map: Map<string, Deferred<void>>, label: string): Deferred<void> {
  let entry = map.get(label);
  if (!entry) map.set(label, (entry = deferred()));
  return entry;
}

const task = DBOS.registerWorkflow(async (label: string, wait: boolean) => {
  runs.push(label);
  gate(startedGates, label).resolve();
  if (wait) await gate(gates, label).promise;
  return label;
}, { name: 'semantics-dedup.task' });

const failing = DBOS.registerWorkflow(async (label: string) => {
  runs.push(label);
  throw new Error(`${label} failed`);
}, { name: 'semantics-dedup.failing' });

const enqueuer = DBOS.registerWorkflow(async (dedupID: string) => {
  try {
    await DBOS.startWorkflow(task, { queueName: queue.name, enqueueOptions: { deduplicationID: dedupID } })('from-workflow', false);
    return 'enqueued';
  } catch (error) {
    return error instanceof DBOSQueueDuplicatedError ? `duplicated:${error.deduplicationID}` : `other:${String(error)}`;
  }
}, { name: 'semantics-dedup.enqueuer' });

function enqueue(label: string, options: { dedup?: string; wait?: boolean; on?: WorkflowQueue; workflowID?: string } = {}) {
  return DBOS.startWorkflow(task, {
    workflowID: options.workflowID,
    queueName: (options.on ?? queue).name,
    enqueueOptions: { deduplicationID: options.dedup },
  })(label, options.wait ?? false);
}

async function expectDuplicate(dedup: string, on: WorkflowQueue = queue): Promise<void> {
  const workflowID = `dup-${randomUUID()}`;
  await assert.rejects(enqueue('duplicate', { dedup, on, workflowID }), (error: unknown) => {
    assert.ok(error instanceof DBOSQueueDuplicatedError, `expected DBOSQueueDuplicatedError, got ${String(error)}`);
    assert.equal(error.workflowID, workflowID);
    assert.equal(error.queueName, on.name);
    assert.equal(error.deduplicationID, dedup);
    return true;
  });
  assert.equal(await DBOS.getWorkflowStatus(workflowID), null, 'the rejected enqueue wrote no row');
}

forEachBackend('queue semantics: deduplication', (backend) => {
  beforeEach(() => {
    gates = new Map();
    startedGates = new Map();
    runs.length = 0;
  });
  afterEach(async () => {
    for (const entry of gates.values()) entry.resolve();
    await DBOS.shutdown();
  });

  test('a duplicate fails while the first is ENQUEUED and while it is PENDING; the ID is free once it ends', async () => {
    await launch(backend);
    const blocker = await enqueue('blocker', { wait: true });
    await gate(startedGates, 'blocker').promise;
    const first = await enqueue('first', { dedup: 'd1', wait: true });
    assert.equal((await first.getStatus())?.status, 'ENQUEUED');
    assert.equal((await first.getStatus())?.deduplicationID, 'd1');
    await expectDuplicate('d1');

    gate(gates, 'blocker').resolve();
    await blocker.getResult();
    await gate(startedGates, 'first').promise;
    assert.equal((await first.getStatus())?.status, 'PENDING');
    await expectDuplicate('d1');

    gate(gates, 'first').resolve();
    assert.equal(await first.getResult(), 'first');
    const again = await enqueue('again', { dedup: 'd1' });
    assert.equal(await again.getResult(), 'again');
    assert.deepEqual(runs, ['blocker', 'first', 'again'], 'the rejected duplicates never ran');
  });

  test('the ID is free again after the first ends in error', async () => {
    await launch(backend);
    const first = await DBOS.startWorkflow(failing, {
      queueName: queue.name,
      enqueueOptions: { deduplicationID: 'd-err' },
    })('first');
    await assert.rejects(first.getResult(), /first failed/);
    assert.equal((await first.getStatus())?.status, 'ERROR');
    const again = await enqueue('after-error', { dedup: 'd-err' });
    assert.equal(await again.getResult(), 'after-error');
  });

  test('the same deduplication ID on two queues, or different IDs on one queue, do not conflict', async () => {
    await launch(backend);
    const blocker = await enqueue('blocker', { wait: true });
    await gate(startedGates, 'blocker').promise;
    const onMain = await enqueue('main', { dedup: 'shared' });
    const onOther = await enqueue('other', { dedup: 'shared', on: otherQueue });
    const different = await enqueue('different', { dedup: 'shared-2' });
    assert.equal(await onOther.getResult(), 'other');
    assert.equal((await onMain.getStatus())?.status, 'ENQUEUED');
    await expectDuplicate('shared'); // still taken on the main queue
    gate(gates, 'blocker').resolve();
    await blocker.getResult();
    assert.deepEqual(await Promise.all([onMain.getResult(), different.getResult()]), ['main', 'different']);
  });

  test('a DELAYED workflow holds its deduplication ID; enqueueing the same workflow ID again is not a duplicate', async () => {
    await launch(backend);
    const workflowID = `dedup-same-${randomUUID()}`;
    const delayed = await DBOS.startWorkflow(task, {
      workflowID,
      queueName: otherQueue.name,
      enqueueOptions: { deduplicationID: 'd-delay', delaySeconds: 0.3 },
    })('delayed', false);
    assert.equal((await delayed.getStatus())?.status, 'DELAYED');
    await expectDuplicate('d-delay', otherQueue);
    const same = await DBOS.startWorkflow(task, {
      workflowID,
      queueName: otherQueue.name,
      enqueueOptions: { deduplicationID: 'd-delay', delaySeconds: 0.3 },
    })('delayed', false);
    assert.equal(same.workflowID, workflowID);
    assert.equal(await same.getResult(), 'delayed');
    assert.deepEqual(runs, ['delayed'], 'enqueued once, ran once');
  });

  test('a duplicate enqueued from a workflow fails there with the typed error', async () => {
    await launch(backend);
    const blocker = await enqueue('blocker', { wait: true });
    await gate(startedGates, 'blocker').promise;
    const first = await enqueue('first', { dedup: 'd-wf' });
    assert.equal(await enqueuer('d-wf'), 'duplicated:d-wf');
    gate(gates, 'blocker').resolve();
    await blocker.getResult();
    assert.equal(await first.getResult(), 'first');
    assert.equal(await enqueuer('d-wf'), 'enqueued');
  });
});
