import assert from 'node:assert/strict';
import { afterEach, test } from 'node:test';
import { DBOSAwaitedWorkflowCancelledError, DBOS, DBOSWorkflowCancelledError } from '../../src/index.ts';
import { forEachBackend } from '../helpers/backends.ts';
import { launch } from '../helpers/lifecycle.ts';

const ran: string[] = [];
let release: () => void = () => undefined;
let atGate = false;

const stepOne = DBOS.registerStep(async () => void ran.push('one'), { name: 'control.one' });
const stepTwo = DBOS.registerStep(async () => void ran.push('two'), { name: 'control.two' });
const gated = DBOS.registerWorkflow(async () => {
  await stepOne();
  await new Promise<void>((resolve) => {
    release = resolve;
    atGate = true;
  });
  await stepTwo();
  return 'done';
}, { name: 'control.gated' });

const slow = DBOS.registerWorkflow(async () => {
  await stepOne();
  await DBOS.sleep(3000); // outlasts the 1 s timeout below
  await stepTwo();
  return 'slow';
}, { name: 'control.slow' });

let releaseChild: () => void = () => undefined;
let childAtGate = false;
const gatedChild = DBOS.registerWorkflow(async () => {
  await new Promise<void>((resolve) => {
    releaseChild = resolve;
    childAtGate = true;
  });
  await stepTwo();
  return 'child';
}, { name: 'control.gatedChild' });
const parentOfGated = DBOS.registerWorkflow(async () => {
  const child = await DBOS.startWorkflow(gatedChild)();
  return child.getResult();
}, { name: 'control.parentOfGated' });

forEachBackend('workflow control smoke', (backend) => {
  afterEach(() => DBOS.shutdown());

  test('cancel stops a workflow at its next step; resume finishes it without repeating step one', async () => {
    await launch(backend);
    ran.length = 0;
    atGate = false;
    const handle = await DBOS.startWorkflow(gated)();
    while (!atGate) await new Promise((r) => setTimeout(r, 5));
    await DBOS.cancelWorkflow(handle.workflowID);
    assert.equal((await handle.getStatus())?.status, 'CANCELLED');
    release();
    await assert.rejects(handle.getResult(), DBOSWorkflowCancelledError);
    assert.deepEqual(ran, ['one']);
    const resumed = await DBOS.resumeWorkflow<string>(handle.workflowID);
    const opener = setInterval(() => release(), 10);
    try {
      assert.equal(await resumed.getResult(), 'done');
    } finally {
      clearInterval(opener);
    }
    assert.deepEqual(ran, ['one', 'two']);
    const steps = await DBOS.listWorkflowSteps(handle.workflowID);
    assert.deepEqual(steps?.map((s) => s.name), ['control.one', 'control.two']);
  });

  test("a child cancelled with its parent fails with its own cancellation, not its parent's", async () => {
    await launch(backend);
    childAtGate = false;
    const parent = await DBOS.startWorkflow(parentOfGated)();
    while (!childAtGate) await new Promise((r) => setTimeout(r, 5));
    const childID = `${parent.workflowID}-0`;
    // Awaited while the child still runs here: the in-memory execution settles this.
    const childResult = DBOS.retrieveWorkflow(childID).getResult();
    childResult.catch(() => undefined);
    await DBOS.cancelWorkflow(parent.workflowID);
    releaseChild();
    await assert.rejects(childResult, (error: unknown) => {
      // A retrieved handle is an awaiter (DBOS's retrieved handles): the child's cancellation, as awaited.
      assert.ok(error instanceof DBOSAwaitedWorkflowCancelledError, String(error));
      assert.equal(error.workflowID, childID);
      return true;
    });
    await assert.rejects(parent.getResult(), DBOSWorkflowCancelledError);
  });

  test('a timeout cancels the workflow', async () => {
    await launch(backend);
    ran.length = 0;
    const handle = await DBOS.startWorkflow(slow, { timeoutMS: 1000 })(); // step one runs well within it, even under load
    await assert.rejects(handle.getResult(), DBOSWorkflowCancelledError);
    assert.equal((await handle.getStatus())?.status, 'CANCELLED');
    assert.deepEqual(ran, ['one']);
    const listed = await DBOS.listWorkflows({ status: 'CANCELLED' });
    assert.deepEqual(listed.map((w) => w.workflowID), [handle.workflowID]);
  });
});
