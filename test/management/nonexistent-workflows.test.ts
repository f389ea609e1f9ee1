/**
 * Management calls on a workflow ID that does not exist. As DBOS 5.3:
 * resumeWorkflow(s) and forkWorkflow throw DBOSNonExistentWorkflowError (a
 * batch with any unknown ID changes nothing); getWorkflowStatus answers null
 * and listWorkflowSteps undefined; cancel, delete, setWorkflowPriority and
 * setWorkflowDelay leave an unknown ID alone and do the rest of their work
 * (code written for DBOS cleans up idempotently this way).
 */
import assert from 'node:assert/strict';
import { afterEach, test } from 'node:test';
import { DBOS, DBOSNonExistentWorkflowError } from '../../src/index.ts';
import { forEachBackend } from '../helpers/backends.ts';
import { launch } from '../helpers/lifecycle.ts';

let release: () => void = () => undefined;
const blocked = DBOS.registerWorkflow(async () => {
  await new Promise<void>((resolve) => (release = resolve));
  return 'done';
}, { name: 'nonexistent.blocked' });
const quick = DBOS.registerWorkflow(async (x: number) => x, { name: 'nonexistent.quick' });
const resumer = DBOS.registerWorkflow(async () => {
  try {
    await DBOS.resumeWorkflow('no-such-workflow');
    return 'resumed';
  } catch (error) {
    return (error as Error).name;
  }
}, { name: 'nonexistent.resumer' });

/** Rejects with DBOSNonExistentWorkflowError (DBOS code 16) whose message names every one of `missing`. */
async function rejectsAsMissing(call: Promise<unknown>, ...missing: string[]): Promise<void> {
  await assert.rejects(call, (error: unknown) => {
    assert.ok(error instanceof DBOSNonExistentWorkflowError, `expected DBOSNonExistentWorkflowError, got ${String(error)}`);
    assert.equal(error.dbosErrorCode, 16);
    assert.equal(error.code, 'WORKFLOW_NOT_FOUND');
    for (const id of missing) assert.match(error.message, new RegExp(id));
    return true;
  });
}

forEachBackend('management calls on unknown workflow IDs', (backend) => {
  afterEach(async () => {
    release();
    await DBOS.shutdown();
  });

  test('reads answer "none": getWorkflowStatus null, listWorkflowSteps undefined, a retrieved handle null', async () => {
    await launch(backend);
    assert.equal(await DBOS.getWorkflowStatus('no-such-workflow'), null);
    assert.equal(await DBOS.listWorkflowSteps('no-such-workflow'), undefined);
    assert.equal(await DBOS.retrieveWorkflow('no-such-workflow').getStatus(), null);
  });

  test('resumeWorkflow throws; resumeWorkflows names every unknown ID and resumes none', async () => {
    await launch(backend);
    await rejectsAsMissing(DBOS.resumeWorkflow('no-such-workflow'), 'no-such-workflow');
    const handle = await DBOS.startWorkflow(blocked)();
    await DBOS.cancelWorkflow(handle.workflowID);
    await rejectsAsMissing(DBOS.resumeWorkflows([handle.workflowID, 'missing-one', 'missing-two']), 'missing-one', 'missing-two');
    assert.equal((await handle.getStatus())?.status, 'CANCELLED');
  });

  test('forkWorkflow of an unknown workflow throws', async () => {
    await launch(backend);
    await rejectsAsMissing(DBOS.forkWorkflow('no-such-workflow', 0), 'no-such-workflow');
  });

  test('cancelWorkflow(s) leaves an unknown ID alone and cancels the others', async () => {
    await launch(backend);
    await DBOS.cancelWorkflow('no-such-workflow');
    const handle = await DBOS.startWorkflow(blocked)();
    await DBOS.cancelWorkflows([handle.workflowID, 'missing-one']);
    assert.equal((await handle.getStatus())?.status, 'CANCELLED');
    assert.equal(await DBOS.getWorkflowStatus('missing-one'), null, 'nothing is created for the unknown ID');
    release();
    // A finished workflow exists: cancelling it is a no-op, as in DBOS.
    const done = await DBOS.startWorkflow(quick)(1);
    await done.getResult();
    await DBOS.cancelWorkflow(done.workflowID);
    assert.equal((await done.getStatus())?.status, 'SUCCESS');
  });

  test('deleteWorkflow(s) leaves an unknown ID alone and deletes the others', async () => {
    await launch(backend);
    await DBOS.deleteWorkflow('no-such-workflow');
    await DBOS.deleteWorkflow('no-such-workflow', true);
    const done = await DBOS.startWorkflow(quick)(1);
    await done.getResult();
    await DBOS.deleteWorkflows([done.workflowID, 'missing-one']);
    assert.equal(await done.getStatus(), null);
  });

  test('setWorkflowPriority and setWorkflowDelay leave an unknown ID alone', async () => {
    await launch(backend);
    await DBOS.setWorkflowPriority('no-such-workflow', 2);
    await DBOS.setWorkflowDelay('no-such-workflow', 1);
    assert.equal(await DBOS.getWorkflowStatus('no-such-workflow'), null);
  });

  test('from workflow code, resuming an unknown ID throws there too', async () => {
    await launch(backend);
    assert.equal(await (await DBOS.startWorkflow(resumer)()).getResult(), 'DBOSNonExistentWorkflowError');
  });
});
