/**
 * Queue semantics, enqueueing and awaiting (issue 3): enqueue options are
 * validated before anything is written (unknown queue, options without a
 * queue); any handle to a queued workflow, not only the one enqueue returned,
 * waits for it and returns its result or error; a step can be enqueued and
 * runs as a one-step workflow.
 */
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { afterEach, beforeEach, test } from 'node:test';
import { setTimeout as delay } from 'node:timers/promises';
import { DBOS, DBOSConfigurationError, DBOSError, DBOSQueueNotFoundError, WorkflowQueue } from '../../src/index.ts';
import { deferred, type Deferred } from '../../src/support/deferred.ts';
import { forEachBackend } from '../helpers/backends.ts';
import { launch } from '../helpers/lifecycle.ts';

const queue = new WorkflowQueue('semantics-enqueue.main', { concurrency: 1 });

let blockerStarted: Deferred<void> = deferred();
let releaseBlocker: Deferred<void> = deferred();
let stepRuns = 0;

const blocker = DBOS.registerWorkflow(async () => {
  blockerStarted.resolve();
  await releaseBlocker.promise;
  return 'blocker';
}, { name: 'semantics-enqueue.blocker' });

const task = DBOS.registerWorkflow(async (x: number) => x * 3, { name: 'semantics-enqueue.task' });

class InventoryError extends Error {
  override name = 'InventoryError';
}
const failing = DBOS.registerWorkflow(async (sku: string) => {
  throw new InventoryError(`out of ${sku}`);
}, { name: 'semantics-enqueue.failing' });

const addOne = DBOS.registerStep(async (x: number) => {
  stepRuns++;
  return x + 1;
}, { name: 'semantics-enqueue.addOne' });

/** Hold the queue's only slot until releaseBlocker resolves. */
async function occupyQueue() {
  const handle = await DBOS.startWorkflow(blocker, { queueName: queue.name })();
  await blockerStarted.promise;
  return handle;
}

/** True if `promise` is still unsettled after a few event-loop turns and a short pause. */
async function stillWaiting(promise: Promise<unknown>): Promise<boolean> {
  const marker = Symbol('waiting');
  return (await Promise.race([promise.then(() => undefined, () => undefined), delay(50).then(() => marker)])) === marker;
}

forEachBackend('queue semantics: enqueue and await', (backend) => {
  beforeEach(() => {
    blockerStarted = deferred();
    releaseBlocker = deferred();
    stepRuns = 0;
  });
  afterEach(async () => {
    releaseBlocker.resolve();
    await DBOS.shutdown();
  });

  test('an unknown queue name is DBOSQueueNotFoundError, and nothing is written', async () => {
    await launch(backend);
    const workflowID = `unknown-queue-${randomUUID()}`;
    await assert.rejects(DBOS.startWorkflow(task, { workflowID, queueName: 'semantics-enqueue.no-such-queue' })(1), (error: unknown) => {
      assert.ok(error instanceof DBOSQueueNotFoundError, `got ${String(error)}`);
      assert.equal(error.queueName, 'semantics-enqueue.no-such-queue');
      return true;
    });
    assert.equal(await DBOS.getWorkflowStatus(workflowID), null);
  });

  test('enqueueOptions without a queueName are DBOSConfigurationError, and nothing is written', async () => {
    await launch(backend);
    const optionSets = [{ deduplicationID: 'd' }, { priority: 1 }, { delaySeconds: 1 }, { queuePartitionKey: 'k' }];
    for (const enqueueOptions of optionSets) {
      const workflowID = `no-queue-${randomUUID()}`;
      await assert.rejects(DBOS.startWorkflow(task, { workflowID, enqueueOptions })(1), (error: unknown) => {
        assert.ok(error instanceof DBOSConfigurationError, `${JSON.stringify(enqueueOptions)}: got ${String(error)}`);
        return true;
      });
      assert.equal(await DBOS.getWorkflowStatus(workflowID), null, `${JSON.stringify(enqueueOptions)} wrote nothing`);
    }
  });

  test('invalid delay and deduplication options are typed errors, and nothing is written', async () => {
    await launch(backend);
    for (const enqueueOptions of [{ delaySeconds: -1 }, { delaySeconds: Number.NaN }, { deduplicationID: '' }]) {
      const workflowID = `bad-option-${randomUUID()}`;
      await assert.rejects(DBOS.startWorkflow(task, { workflowID, queueName: queue.name, enqueueOptions })(1), DBOSConfigurationError);
      assert.equal(await DBOS.getWorkflowStatus(workflowID), null, `${JSON.stringify(enqueueOptions)} wrote nothing`);
    }
  });

  test('a handle from DBOS.retrieveWorkflow waits for a queued workflow and returns its result', async () => {
    await launch(backend);
    const held = await occupyQueue();
    const enqueued = await DBOS.startWorkflow(task, { queueName: queue.name })(14);
    const retrieved = DBOS.retrieveWorkflow<number>(enqueued.workflowID);
    const result = retrieved.getResult();
    const viaDBOS = DBOS.getResult<number>(enqueued.workflowID);
    assert.ok(await stillWaiting(result), 'getResult waits while the workflow is ENQUEUED');
    assert.equal((await retrieved.getStatus())?.status, 'ENQUEUED');
    releaseBlocker.resolve();
    await held.getResult();
    assert.equal(await result, 42);
    assert.equal(await viaDBOS, 42);
    assert.equal((await retrieved.getStatus())?.status, 'SUCCESS');
  });

  test('a retrieved handle of a DELAYED workflow waits for it', async () => {
    await launch(backend);
    const enqueued = await DBOS.startWorkflow(task, { queueName: queue.name, enqueueOptions: { delaySeconds: 0.2 } })(5);
    assert.equal(await DBOS.retrieveWorkflow<number>(enqueued.workflowID).getResult(), 15);
  });

  test('a retrieved handle of a queued workflow that fails rejects with its error', async () => {
    await launch(backend);
    const held = await occupyQueue();
    const enqueued = await DBOS.startWorkflow(failing, { queueName: queue.name })('widgets');
    const result = DBOS.retrieveWorkflow(enqueued.workflowID).getResult();
    result.catch(() => undefined);
    releaseBlocker.resolve();
    await held.getResult();
    await assert.rejects(result, (error: unknown) => {
      assert.equal((error as Error).message, 'out of widgets');
      assert.equal((error as Error).name, 'InventoryError');
      return true;
    });
    assert.equal((await enqueued.getStatus())?.status, 'ERROR');
  });

  test('getResult with a timeout returns null while the workflow is still queued', async () => {
    await launch(backend);
    await occupyQueue();
    const enqueued = await DBOS.startWorkflow(task, { queueName: queue.name })(1);
    assert.equal(await DBOS.getResult(enqueued.workflowID, { timeoutSeconds: 0.1 }), null);
    assert.equal((await enqueued.getStatus())?.status, 'ENQUEUED');
  });

  test('a step can be enqueued and runs as a one-step workflow', async () => {
    await launch(backend);
    const handle = await DBOS.startWorkflow(addOne, { queueName: queue.name })(41);
    assert.equal(await handle.getResult(), 42);
    assert.equal(stepRuns, 1);
    const status = await handle.getStatus();
    assert.equal(status?.status, 'SUCCESS');
    assert.equal(status?.queueName, queue.name);
  });

  // Either outcome is sound (DBOS's own queue runner picks such a queue up); accepting work that never runs is not.
  test('a queue declared in code after launch is refused, or dequeued like any other', async () => {
    await launch(backend);
    let late: WorkflowQueue;
    try {
      late = new WorkflowQueue(`semantics-enqueue.late-${backend.name}`);
    } catch (error) {
      assert.ok(error instanceof DBOSError, `declaring after launch fails with a typed error, got ${String(error)}`);
      return;
    }
    const handle = await DBOS.startWorkflow(task, { queueName: late.name })(2);
    const result = await Promise.race([handle.getResult(), delay(5000).then(() => 'not run after 5 s')]);
    assert.equal(result, 6, `status ${(await handle.getStatus())?.status}`);
  });
});
