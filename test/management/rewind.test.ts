/**
 * rewindWorkflow (DBOS 5.3): a finished workflow runs again from startStep
 * under its own ID; the steps before replay, its events go back to their
 * values before the cut, the messages it consumed from there are gone, and an
 * unfinished workflow is refused with a typed error, nothing changed.
 */
import assert from 'node:assert/strict';
import { afterEach, test } from 'node:test';
import { DBOS, DBOSClient, DBOSNonExistentWorkflowError, DBOSWorkflowNotRewindableError } from '../../src/index.ts';
import { forEachBackend } from '../helpers/backends.ts';
import { launch } from '../helpers/lifecycle.ts';
import { clientOptions, until } from '../client/client-worker-process.ts';

const runs: string[] = [];
const counts = new Map<string, number>();
const makeStep = (name: string) => DBOS.registerStep(async () => {
  runs.push(name);
  const count = (counts.get(name) ?? 0) + 1;
  counts.set(name, count);
  return `${name}${count}`;
}, { name: `rewind.${name}` });
const a = makeStep('a');
const b = makeStep('b');
const c = makeStep('c');

const threeSteps = DBOS.registerWorkflow(async () => [await a(), await b(), await c()].join(' '), { name: 'rewind.threeSteps' });

/** Steps 0 a, 1 setEvent, 2 b, 3 setEvent, 4 setEvent, 5 recv. */
const withEvents = DBOS.registerWorkflow(async () => {
  const first = await a();
  await DBOS.setEvent('phase', 'after-a');
  const second = await b();
  await DBOS.setEvent('phase', 'after-b');
  await DBOS.setEvent('late', 'only-after-b');
  const message = await DBOS.recv<string>('go', 60);
  return `${first} ${second} ${message}`;
}, { name: 'rewind.withEvents' });

const waits = DBOS.registerWorkflow(async () => {
  await a();
  return DBOS.recv<string>('go', 60);
}, { name: 'rewind.waits' });

forEachBackend('rewindWorkflow', (backend) => {
  afterEach(async () => {
    await DBOS.shutdown();
    runs.length = 0;
    counts.clear();
  });

  test('rewinding a finished 3-step workflow to step 1 reruns steps 1 and 2 under the same ID', async () => {
    await launch(backend);
    const original = await DBOS.startWorkflow(threeSteps)();
    assert.equal(await original.getResult(), 'a1 b1 c1');
    runs.length = 0;
    const rewound = await DBOS.rewindWorkflow<string>(original.workflowID, { startStep: 1 });
    assert.equal(rewound.workflowID, original.workflowID);
    assert.equal(await rewound.getResult(), 'a1 b2 c2');
    assert.deepEqual(runs, ['b', 'c']);
    const status = await rewound.getStatus();
    assert.equal(status?.status, 'SUCCESS');
    assert.equal(status?.forkedFrom, undefined);
    assert.deepEqual((await DBOS.listWorkflowSteps(original.workflowID))?.map((s) => s.functionID), [0, 1, 2]);
    assert.equal((await DBOS.listWorkflows({ workflowName: 'rewind.threeSteps' })).length, 1);
  });

  test('an unfinished workflow is refused with a typed error naming its status, and nothing changes', async () => {
    await launch(backend);
    const handle = await DBOS.startWorkflow(waits)();
    await until(() => DBOS.listWorkflowSteps(handle.workflowID), (steps) => (steps?.length ?? 0) >= 2, 'it waits in recv');
    const stepsBefore = await DBOS.listWorkflowSteps(handle.workflowID);
    const refusal = await DBOS.rewindWorkflow(handle.workflowID, { startStep: 0 }).catch((error: unknown) => error);
    assert.ok(refusal instanceof DBOSWorkflowNotRewindableError, `got ${String(refusal)}`);
    assert.equal(refusal.status, 'PENDING');
    assert.equal(refusal.code, 'WORKFLOW_NOT_REWINDABLE');
    assert.match(refusal.message, /PENDING/);
    assert.deepEqual(await DBOS.listWorkflowSteps(handle.workflowID), stepsBefore);
    await DBOS.send(handle.workflowID, 'hello', 'go');
    assert.equal(await handle.getResult(), 'hello');
    await assert.rejects(DBOS.rewindWorkflow('no-such-workflow'), DBOSNonExistentWorkflowError);
    await assert.rejects(DBOS.rewindWorkflow(handle.workflowID, { startStep: -1 }), /startStep/);
  });

  test("a client's rewind rolls events back, drops consumed messages, and a worker reruns it", async () => {
    const config = await launch(backend);
    const handle = await DBOS.startWorkflow(withEvents)();
    await DBOS.send(handle.workflowID, 'first', 'go');
    assert.equal(await handle.getResult(), 'a1 b1 first');
    await DBOS.shutdown();

    const client = await DBOSClient.create(clientOptions(config));
    try {
      const rewound = await client.rewindWorkflow<string>(handle.workflowID, { startStep: 2 });
      assert.equal(rewound.workflowID, handle.workflowID);
      assert.equal((await client.getWorkflow(handle.workflowID))?.status, 'ENQUEUED');
      assert.deepEqual((await client.listWorkflowSteps(handle.workflowID))?.map((s) => s.functionID), [0, 1]);
      assert.equal(await client.getEvent(handle.workflowID, 'phase', 0), 'after-a');
      assert.equal(await client.getEvent(handle.workflowID, 'late', 0), null);

      DBOS.setConfig(config);
      await DBOS.launch();
      // The message consumed at step 5 went with the history: the rerun waits for a new one.
      await until(() => client.getEvent(handle.workflowID, 'late', 0), (value) => value !== null, 'the rerun publishes again');
      await client.send(handle.workflowID, 'second', 'go');
      assert.equal(await rewound.getResult(), 'a1 b2 second');
      assert.deepEqual(runs, ['a', 'b', 'b']);
      assert.equal(await client.getEvent(handle.workflowID, 'phase', 0), 'after-b');
    } finally {
      await client.destroy();
    }
  });
});
