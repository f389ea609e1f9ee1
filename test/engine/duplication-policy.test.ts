/**
 * StartWorkflowParams.duplicationPolicy: by default ('reject') enqueueing a
 * deduplication ID held on the queue throws DBOSQueueDuplicatedError;
 * 'return-existing' returns a handle to the workflow holding it instead (the
 * new arguments are discarded). It needs a queueName and a deduplicationID.
 * From workflow code the start is recorded once: replay returns the same
 * holder even after the ID was released.
 */
import assert from 'node:assert/strict';
import { afterEach, test } from 'node:test';
import { DBOS, DBOSInvalidWorkflowTransitionError, DBOSQueueDuplicatedError, WorkflowQueue } from '../../src/index.ts';
import { forEachBackend } from '../helpers/backends.ts';
import { launch } from '../helpers/lifecycle.ts';

const singletonQueue = new WorkflowQueue('duplication.queue');

let release: () => void = () => undefined;
let gate = Promise.resolve();
const hold = () => (gate = new Promise<void>((resolve) => (release = resolve)));

const gated = DBOS.registerWorkflow(async (label: string) => {
  await gate;
  return label;
}, { name: 'duplication.gated' });

const singleton = { queueName: singletonQueue.name, enqueueOptions: { deduplicationID: 'only-one' } };

const startsSingleton = DBOS.registerWorkflow(async () => {
  const handle = await DBOS.startWorkflow(gated, { ...singleton, duplicationPolicy: 'return-existing' })('from-workflow');
  return handle.workflowID;
}, { name: 'duplication.startsSingleton' });

forEachBackend('duplicationPolicy', (backend) => {
  afterEach(async () => {
    release();
    await DBOS.shutdown();
  });

  test("'return-existing' returns the holder of the deduplication ID; 'reject' throws", async () => {
    await launch(backend);
    hold();
    const holder = await DBOS.startWorkflow(gated, { ...singleton, workflowID: 'holder' })('first');
    const again = await DBOS.startWorkflow(gated, { ...singleton, duplicationPolicy: 'return-existing' })('second');
    assert.equal(again.workflowID, 'holder');
    await assert.rejects(DBOS.startWorkflow(gated, { ...singleton, duplicationPolicy: 'reject' })('third'), DBOSQueueDuplicatedError);
    await assert.rejects(DBOS.startWorkflow(gated, singleton)('fourth'), DBOSQueueDuplicatedError);
    release();
    assert.equal(await again.getResult(), 'first');
    assert.equal(await holder.getResult(), 'first');
    // Released when the holder finished: the next one is a new workflow.
    const next = await DBOS.startWorkflow(gated, { ...singleton, duplicationPolicy: 'return-existing' })('fifth');
    assert.notEqual(next.workflowID, 'holder');
    assert.equal(await next.getResult(), 'fifth');
  });

  test('needs a queueName and a deduplicationID; other policies are refused', async () => {
    await launch(backend);
    const policy = 'return-existing' as const;
    await assert.rejects(DBOS.startWorkflow(gated, { duplicationPolicy: policy, workflowID: 'n1' })('x'), DBOSInvalidWorkflowTransitionError);
    await assert.rejects(
      DBOS.startWorkflow(gated, { duplicationPolicy: policy, queueName: singletonQueue.name, workflowID: 'n2' })('x'),
      DBOSInvalidWorkflowTransitionError,
    );
    await assert.rejects(DBOS.startWorkflow(gated, { ...singleton, duplicationPolicy: 'keep' as never, workflowID: 'n3' })('x'), /duplicationPolicy/);
    assert.deepEqual(await DBOS.listWorkflows({ workflow_id_prefix: 'n' }), []);
  });

  test('from workflow code the holder is recorded once, and replay returns it', async () => {
    await launch(backend);
    hold();
    await DBOS.startWorkflow(gated, { ...singleton, workflowID: 'holder-2' })('first');
    const parent = await DBOS.startWorkflow(startsSingleton, { workflowID: 'singleton-parent' })();
    assert.equal(await parent.getResult(), 'holder-2');
    const [start] = (await DBOS.listWorkflowSteps('singleton-parent')) ?? [];
    assert.equal(start?.childWorkflowID, 'holder-2');
    release();
    await DBOS.retrieveWorkflow('holder-2').getResult();
    // A replay past the recorded start (a fork from step 1) gets the same holder, though the ID is free now.
    const replay = await DBOS.forkWorkflow('singleton-parent', 1);
    assert.equal(await replay.getResult(), 'holder-2');
  });
});
