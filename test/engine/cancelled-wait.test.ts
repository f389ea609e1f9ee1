/**
 * A cancellation (or a deadline) ends the waits under way at once: a durable sleep, a recv, a getEvent stop
 * when the workflow is cancelled, not when they would have ended, and the handle of the start says so.
 *
 * Cancel, send, resume, send: the resumed execution gets every message and
 * finishes. A cancelled execution blocked in a wait reads no more once it
 * knows it is cancelled (engine/wait-for-write.ts); the race this guards
 * against (the cancelled execution consuming a message after the resumed one
 * loaded its history) shows across processes: test/client/dbos-client.test.ts.
 */
import assert from 'node:assert/strict';
import { afterEach, test } from 'node:test';
import { DBOS, DBOSWorkflowCancelledError } from '../../src/index.ts';
import { forEachBackend } from '../helpers/backends.ts';
import { engineFor } from '../../src/runtime/runtime.ts';
import { launch, stepOutcomes } from '../helpers/lifecycle.ts';

const greeter = DBOS.registerWorkflow(async (name: string) => {
  const first = await DBOS.recv<string>('start', 60);
  const second = await DBOS.recv<string>('go', 60);
  return `${name}:${first}:${second}`;
}, { name: 'cancelled-wait.greeter' });

const sleeper = DBOS.registerWorkflow(async (what: 'sleep' | 'recv' | 'getEvent') => {
  await DBOS.runStep(() => Promise.resolve('before'), { name: 'before' });
  if (what === 'sleep') await DBOS.sleep(60_000);
  else if (what === 'recv') await DBOS.recv('never', 60);
  else await DBOS.getEvent('nobody', 'never', 60);
  await DBOS.runStep(() => Promise.resolve('after'), { name: 'after' });
}, { name: 'cancelled-wait.sleeper' });

async function until(what: string, done: () => Promise<boolean>): Promise<void> {
  for (const deadline = Date.now() + 20_000; !(await done()); ) {
    if (Date.now() > deadline) assert.fail(`timed out waiting until ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}

forEachBackend('a cancelled execution blocked in a wait', (backend) => {
  afterEach(() => DBOS.shutdown());

  test('leaves the messages sent after the cancel to the resumed execution', async () => {
    await launch(backend);
    const handle = await DBOS.startWorkflow(greeter, { workflowID: `wait-${backend.name}` })('ann');
    // recv records its timeout first: once that row exists, the execution waits for 'start'.
    await until('the workflow waits in recv', async () => (await stepOutcomes(handle.workflowID)).length > 0);
    await DBOS.cancelWorkflow(handle.workflowID);
    await DBOS.send(handle.workflowID, 'one', 'start');
    await new Promise((resolve) => setTimeout(resolve, 200)); // the cancelled execution wakes on the send
    const resumed = await DBOS.resumeWorkflow<string>(handle.workflowID);
    await DBOS.send(handle.workflowID, 'two', 'go');
    assert.equal(await resumed.getResult(), 'ann:one:two');
    assert.equal((await DBOS.getWorkflowStatus(handle.workflowID))?.status, 'SUCCESS');
  });
});

forEachBackend('cancellation ends the waits under way', (backend) => {
  afterEach(() => DBOS.shutdown());

  for (const what of ['sleep', 'recv', 'getEvent'] as const) {
    test(`a ${what} of a minute ends when the workflow is cancelled`, async () => {
      await launch(backend);
      const handle = await DBOS.startWorkflow(sleeper)(what);
      await until(`the workflow waits in ${what}`, async () => (await stepOutcomes(handle.workflowID)).length > 1);
      await DBOS.cancelWorkflow(handle.workflowID);
      await assert.rejects(handle.getResult(), DBOSWorkflowCancelledError);
      // The execution here ended (within until's 20 s, a third of the wait), not only its caller's wait.
      await until('the execution here ends', () => Promise.resolve(!engineFor('test').running.has(handle.workflowID)));
      assert.deepEqual((await stepOutcomes(handle.workflowID)).map((s) => s.functionName).includes('after'), false);
    });
  }

  test('a workflow timeout ends a durable sleep at the deadline', async () => {
    await launch(backend);
    const handle = await DBOS.startWorkflow(sleeper, { timeoutMS: 300 })('sleep');
    await assert.rejects(handle.getResult(), DBOSWorkflowCancelledError);
    assert.equal((await handle.getStatus())?.status, 'CANCELLED');
  });
});
