/**
 * Child workflows: deterministic IDs `<parentID>-<functionID>`, the parent
 * recorded in the child's status, explicit child IDs, no workflow starts from
 * inside steps, and replay after an in-process "crash" (see replay.test.ts)
 * returning the recorded child instead of starting a new one.
 */
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { afterEach, beforeEach, test } from 'node:test';
import { setTimeout as delay } from 'node:timers/promises';
import { DBOS, DBOSInvalidWorkflowTransitionError } from '../../src/index.ts';
import { deferred, type Deferred } from '../../src/support/deferred.ts';
import { forEachBackend } from '../helpers/backends.ts';
import { crashAndRelaunch, launch, stepOutcomes } from '../helpers/lifecycle.ts';

// Each execution waits on the gate current when it gets there. Gates of crashed executions never open.
let parentGate: Deferred<void> = deferred();
let parentReached: Deferred<void> = deferred();
let childGate: Deferred<void> = deferred();
let childRuns = 0;

const child = DBOS.registerWorkflow(async (x: number) => {
  childRuns++;
  await childGate.promise;
  return x * 3;
}, { name: 'children.child' });

const parent = DBOS.registerWorkflow(async (x: number) => {
  const handle = await DBOS.startWorkflow(child)(x);
  const value = await handle.getResult();
  parentReached.resolve();
  await parentGate.promise;
  return { childID: handle.workflowID, value };
}, { name: 'children.parent' });

const callsChildDirectly = DBOS.registerWorkflow(async (x: number) => {
  const first = await child(x);
  const second = await child(x + 1);
  return [first, second];
}, { name: 'children.callsChildDirectly' });

const namesItsChild = DBOS.registerWorkflow(async (childID: string) => {
  const explicit = await DBOS.startWorkflow(child, { workflowID: childID })(1);
  const assigned = await DBOS.withNextWorkflowID(`${childID}-assigned`, () => DBOS.startWorkflow(child)(2));
  return [explicit.workflowID, assigned.workflowID, await explicit.getResult(), await assigned.getResult()];
}, { name: 'children.namesItsChild' });

const startsFromStep = DBOS.registerWorkflow(async () => {
  return DBOS.runStep(async () => {
    await DBOS.startWorkflow(child)(1);
    return 'started';
  }, { name: 'children.startingStep' });
}, { name: 'children.startsFromStep' });

function openGate(): Deferred<void> {
  const gate = deferred<void>();
  gate.resolve();
  return gate;
}

forEachBackend('child workflows', (backend) => {
  beforeEach(() => {
    parentGate = deferred();
    parentReached = deferred();
    childGate = openGate();
    childRuns = 0;
  });
  afterEach(async () => {
    await DBOS.shutdown();
  });

  test('a child workflow gets the ID <parentID>-<functionID> and names its parent', async () => {
    await launch(backend);
    const workflowID = `parent-${randomUUID()}`;
    parentGate = openGate();
    const result = await (await DBOS.startWorkflow(parent, { workflowID })(5)).getResult();
    assert.deepEqual(result, { childID: `${workflowID}-0`, value: 15 });
    const childStatus = await DBOS.getWorkflowStatus(`${workflowID}-0`);
    assert.equal(childStatus?.status, 'SUCCESS');
    assert.equal(childStatus?.workflowName, 'children.child');
    assert.equal(childStatus?.parentWorkflowID, workflowID);
    assert.deepEqual(childStatus?.input, [5]);
    const outcomes = await stepOutcomes(workflowID);
    assert.deepEqual(outcomes.map((o) => [o.functionID, o.functionName, o.childWorkflowID]), [
      [0, 'children.child', `${workflowID}-0`],
      [1, 'DBOS.getResult', `${workflowID}-0`],
    ]);
  });

  test('calling a child workflow directly starts it under a deterministic ID', async () => {
    await launch(backend);
    const workflowID = `direct-${randomUUID()}`;
    assert.deepEqual(await (await DBOS.startWorkflow(callsChildDirectly, { workflowID })(1)).getResult(), [3, 6]);
    const outcomes = await stepOutcomes(workflowID);
    assert.deepEqual(outcomes.map((o) => [o.functionID, o.functionName, o.childWorkflowID]), [
      [0, 'children.child', `${workflowID}-0`],
      [1, 'DBOS.getResult', `${workflowID}-0`],
      [2, 'children.child', `${workflowID}-2`],
      [3, 'DBOS.getResult', `${workflowID}-2`],
    ]);
    for (const childID of [`${workflowID}-0`, `${workflowID}-2`]) {
      assert.equal((await DBOS.getWorkflowStatus(childID))?.parentWorkflowID, workflowID);
    }
  });

  test('a child started with an explicit or assigned ID keeps that ID and still names its parent', async () => {
    await launch(backend);
    const workflowID = `namer-${randomUUID()}`;
    const childID = `named-child-${randomUUID()}`;
    const result = await (await DBOS.startWorkflow(namesItsChild, { workflowID })(childID)).getResult();
    assert.deepEqual(result, [childID, `${childID}-assigned`, 3, 6]);
    for (const id of [childID, `${childID}-assigned`]) {
      assert.equal((await DBOS.getWorkflowStatus(id))?.parentWorkflowID, workflowID);
    }
  });

  test('starting a workflow from inside a step is a DBOSInvalidWorkflowTransitionError', async () => {
    await launch(backend);
    const handle = await DBOS.startWorkflow(startsFromStep)();
    await assert.rejects(handle.getResult(), (error: unknown) => {
      assert.ok(error instanceof DBOSInvalidWorkflowTransitionError);
      assert.equal(error.code, 'INVALID_CONTEXT');
      return true;
    });
    assert.equal(childRuns, 0);
  });

  test('replay returns the recorded child without starting a new one', async () => {
    const config = await launch(backend);
    const workflowID = `parent-crash-${randomUUID()}`;
    await DBOS.startWorkflow(parent, { workflowID })(2);
    await parentReached.promise;
    assert.equal(childRuns, 1);

    parentGate = openGate();
    await crashAndRelaunch(config);
    assert.deepEqual(await DBOS.retrieveWorkflow(workflowID).getResult(), { childID: `${workflowID}-0`, value: 6 });
    assert.equal(childRuns, 1);
    assert.equal((await DBOS.getWorkflowStatus(`${workflowID}-0`))?.status, 'SUCCESS');
    const outcomes = await stepOutcomes(workflowID);
    assert.deepEqual(outcomes.map((o) => o.functionID), [0, 1]);
  });

  test('a parent and its unfinished child both recover; the child resumes, no second child starts', async () => {
    const config = await launch(backend);
    const workflowID = `parent-child-crash-${randomUUID()}`;
    childGate = deferred();
    await DBOS.startWorkflow(parent, { workflowID })(7);
    for (let polls = 0; childRuns === 0 && polls < 6000; polls++) await delay(5);
    assert.equal(childRuns, 1);
    assert.equal((await DBOS.getWorkflowStatus(`${workflowID}-0`))?.status, 'PENDING');

    childGate = openGate();
    parentGate = openGate();
    await crashAndRelaunch(config);
    assert.deepEqual(await DBOS.getResult(workflowID, 60), { childID: `${workflowID}-0`, value: 21 });
    assert.equal(childRuns, 2); // the crashed execution and the recovered one
    const outcomes = await stepOutcomes(workflowID);
    assert.deepEqual(outcomes.map((o) => [o.functionID, o.childWorkflowID]), [
      [0, `${workflowID}-0`],
      [1, `${workflowID}-0`],
    ]);
    assert.equal((await DBOS.getWorkflowStatus(`${workflowID}-0`))?.recoveryAttempts, 2);
  });
});
