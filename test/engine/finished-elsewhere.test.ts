/**
 * getResult of a workflow running in this process does not wait on the local execution alone: after a
 * takeover (this executor silent past executorTimeoutMs during an outage) another process may finish the
 * workflow while the execution here is stuck in a recv whose messages it consumed. The wait then ends with
 * the outcome that process recorded (engine/finished-elsewhere.ts), from outside a workflow and from a parent.
 * The other process's final write is made here through the system database, as its execution would.
 */
import assert from 'node:assert/strict';
import { afterEach, test } from 'node:test';
import { DBOS } from '../../src/index.ts';
import { encodeValue } from '../../src/engine/stored-values.ts';
import { engineFor } from '../../src/runtime/runtime.ts';
import { forEachBackend } from '../helpers/backends.ts';
import { launch } from '../helpers/lifecycle.ts';

const stuck = DBOS.registerWorkflow(
  async () => {
    // The messages this waits for went to the other execution: it would wait out its full timeout.
    await DBOS.recv<string>('never-here', 120);
    return 'finished here';
  },
  { name: 'finishedElsewhereStuck' },
);

const parent = DBOS.registerWorkflow(
  async (childID: string) => {
    const child = await DBOS.startWorkflow(stuck, { workflowID: childID })();
    return `parent saw: ${await child.getResult()}`;
  },
  { name: 'finishedElsewhereParent' },
);

/** What another process's execution of `workflowID` writes when it finishes with `value`. */
async function finishElsewhere(workflowID: string, value: string): Promise<void> {
  const { text, serialization } = await encodeValue(value, 'the test result');
  const systemDatabase = engineFor('the test').systemDatabase;
  const written = await systemDatabase.recordWorkflowOutcome({
    workflowID,
    queueName: null,
    status: 'SUCCESS',
    output: text,
    error: null,
    serialization,
    completedAt: Date.now(),
  });
  assert.ok(written, 'the outcome was recorded');
}

async function timed<T>(promise: Promise<T>): Promise<{ value: T; ms: number }> {
  const started = Date.now();
  const value = await promise;
  return { value, ms: Date.now() - started };
}

forEachBackend('getResult of a workflow running here, finished by another process', (backend) => {
  afterEach(() => DBOS.shutdown());

  test('from outside a workflow: the recorded outcome ends the wait, though the local execution still runs', async () => {
    await launch(backend);
    const handle = await DBOS.startWorkflow(stuck, { workflowID: 'elsewhere-outside' })();
    const result = timed(handle.getResult());
    await new Promise((resolve) => setTimeout(resolve, 200));
    await finishElsewhere('elsewhere-outside', 'finished elsewhere');
    const { value, ms } = await result;
    assert.equal(value, 'finished elsewhere');
    assert.ok(ms < 15_000, `waited ${ms} ms`);
    assert.ok(engineFor('the test').running.has('elsewhere-outside'), 'the local execution was still stuck');
  });

  test('from a parent workflow: its getResult of the child returns the outcome recorded elsewhere', async () => {
    await launch(backend);
    const handle = await DBOS.startWorkflow(parent, { workflowID: 'elsewhere-parent' })('elsewhere-child');
    await new Promise((resolve) => setTimeout(resolve, 200));
    await finishElsewhere('elsewhere-child', 'child finished elsewhere');
    assert.equal(await handle.getResult(), 'parent saw: child finished elsewhere');
  });
});
