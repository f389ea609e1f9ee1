/**
 * DBOS.cancelWorkflow reaching a workflow that runs in another process: the
 * status is CANCELLED at once; the running body stops at its next step (the
 * execution log stops growing and the loop never finishes); the process
 * running it sees DBOSWorkflowCancelledError, any other awaiting process
 * DBOSAwaitedWorkflowCancelledError. Cancelling a parent cancels its child,
 * unless `cancelChildren: false`.
 */
import assert from 'node:assert/strict';
import { afterEach, test } from 'node:test';
import { DBOS, DBOSAwaitedWorkflowCancelledError } from '../../src/index.ts';
import { forEachBackend } from '../helpers/backends.ts';
import { freshLogPath, killAllChildren, removeLog } from '../processes/child-process.ts';
import {
  alsoOf,
  assertContiguous,
  launchObserver,
  logOnceQuiet,
  reportOf,
  startControlChild,
  stepsOnceQuiet,
} from '../processes/fixtures/control-harness.ts';
import { stepsOf, type ParentPlan } from '../processes/fixtures/control-workflows.ts';

const testTimeout = { timeout: 90_000 };
/** Long enough never to finish in a test: 300 steps, 40 ms apart (12 s and more). */
const loopArgs = (label: string) => JSON.stringify([label, 300, 40]);
/** Where a cancelled workflow must have stopped by: the 1 s safety check, with plenty of room for noisy machines. */
const stopWithinMs = 6000;

forEachBackend('cancelling a workflow running in another process', (backend) => {
  let log = '';
  afterEach(async () => {
    await DBOS.shutdown();
    await killAllChildren();
    removeLog(log);
  });

  test('cancelled from the test process: stops at its next step; CANCELLED; awaited errors on both sides', testTimeout, async () => {
    const config = backend.freshConfig();
    log = freshLogPath();
    const workflowID = 'xp-cancel-1';
    const runner = startControlChild('start', ['loop', workflowID, loopArgs('loop'), 'none'], { role: 'runner', config, log });
    await runner.waitForLine('MARK loop:step-3');
    await launchObserver(config);

    await DBOS.cancelWorkflow(workflowID);
    const cancelledAt = Date.now();
    const status = await DBOS.getWorkflowStatus(workflowID);
    assert.equal(status?.status, 'CANCELLED', 'CANCELLED at once, before the runner notices');
    assert.ok(status?.completedAt !== undefined);
    await assert.rejects(DBOS.retrieveWorkflow(workflowID).getResult(), DBOSAwaitedWorkflowCancelledError);

    const report = await reportOf(runner);
    assert.equal(report.outcome?.ok, false, runner.describe());
    assert.deepEqual(report.outcome?.ok === false && report.outcome.error, {
      className: 'DBOSWorkflowCancelledError',
      message: `Workflow ${workflowID} has been cancelled.`,
      workflowID,
    });
    assert.equal(report.status?.status, 'CANCELLED');

    const steps = await stepsOnceQuiet(log, 'loop');
    assertContiguous(steps, 'loop');
    assert.ok(steps.length >= 4 && steps.length < 300, `ran ${steps.length} steps`);
    // Every step that ran was recorded, and nothing after them.
    const recorded = await DBOS.listWorkflowSteps(workflowID);
    assert.deepEqual(recorded?.map((s) => s.output), steps);
    const lastStart = Math.max(...(recorded ?? []).map((s) => s.startedAtEpochMs ?? 0));
    assert.ok(lastStart < cancelledAt + stopWithinMs, `a step started ${lastStart - cancelledAt} ms after the cancel`);
    // Still CANCELLED: the runner's stopped body did not overwrite the status.
    assert.equal((await DBOS.getWorkflowStatus(workflowID))?.status, 'CANCELLED');
  });

  test('cancelled by a second process while a third awaits it', testTimeout, async () => {
    const config = backend.freshConfig();
    log = freshLogPath();
    const workflowID = 'xp-cancel-2';
    const runner = startControlChild('start', ['loop', workflowID, loopArgs('loop'), 'none'], { role: 'runner', config, log });
    await runner.waitForLine('MARK loop:step-2');
    const awaiter = startControlChild('await', [workflowID], { role: 'awaiter', config, log, executorID: 'awaiter' });
    await awaiter.waitForLine('MARK awaiting');
    const canceller = startControlChild('cancel', [workflowID, 'true'], { role: 'canceller', config, log, executorID: 'canceller' });

    const cancelled = await reportOf(canceller);
    assert.equal(cancelled.status?.status, 'CANCELLED', canceller.describe());
    assert.equal((await canceller.exited).code, 0, canceller.describe());

    const awaited = await reportOf(awaiter);
    assert.deepEqual(awaited.outcome, {
      ok: false,
      error: { className: 'DBOSAwaitedWorkflowCancelledError', message: `Awaited ${workflowID} was cancelled (the awaited workflow was cancelled or timed out).`, workflowID },
    }, awaiter.describe());
    assert.equal(awaited.status?.status, 'CANCELLED');

    const ran = await reportOf(runner);
    assert.equal(ran.outcome?.ok === false && ran.outcome.error.className, 'DBOSWorkflowCancelledError', runner.describe());
    const steps = await stepsOnceQuiet(log, 'loop');
    assertContiguous(steps, 'loop');
    assert.ok(steps.length >= 3 && steps.length < 300, `ran ${steps.length} steps`);
  });

  test('cancelling a parent cancels its running child; both stop', testTimeout, async () => {
    const config = backend.freshConfig();
    log = freshLogPath();
    const workflowID = 'xp-parent-1';
    const childID = `${workflowID}-0`;
    const plan: ParentPlan = { label: 'p', childSteps: 300, childPauseMs: 40, parentSteps: 300, parentPauseMs: 40 };
    const runner = startControlChild('start', ['parent', workflowID, JSON.stringify([plan]), 'none'], {
      role: 'runner', config, log, env: { DURABLY_TEST_ALSO_AWAIT: childID },
    });
    await Promise.all([runner.waitForLine('MARK p:step-2'), runner.waitForLine('MARK p-child:step-2')]);
    await launchObserver(config);
    assert.equal((await DBOS.getWorkflowStatus(childID))?.parentWorkflowID, workflowID);

    await DBOS.cancelWorkflow(workflowID);
    assert.equal((await DBOS.getWorkflowStatus(workflowID))?.status, 'CANCELLED');
    assert.equal((await DBOS.getWorkflowStatus(childID))?.status, 'CANCELLED', 'the child is cancelled with its parent');

    const report = await reportOf(runner);
    assert.equal(report.outcome?.ok === false && report.outcome.error.className, 'DBOSWorkflowCancelledError', runner.describe());
    // Awaited in the runner once its body stopped, or (when that came first) from the status row.
    const child = await alsoOf(runner, childID);
    assert.equal(child.ok === false && child.error.workflowID, childID);
    assert.ok(child.ok === false && ['DBOSWorkflowCancelledError', 'DBOSAwaitedWorkflowCancelledError'].includes(child.error.className));

    const quiet = await logOnceQuiet(log);
    const parentSteps = stepsOf(quiet, 'p');
    const childSteps = stepsOf(quiet, 'p-child');
    assertContiguous(parentSteps, 'parent');
    assertContiguous(childSteps, 'child');
    assert.ok(parentSteps.length < 300 && childSteps.length < 300);
    assert.equal((await DBOS.getWorkflowStatus(childID))?.status, 'CANCELLED');
    const recorded = await DBOS.listWorkflowSteps(workflowID);
    assert.deepEqual(recorded?.[0], { ...recorded?.[0], functionID: 0, name: 'control.loopWorkflow', childWorkflowID: childID });
  });

  test('cancelChildren: false cancels the parent only; the child runs to the end', testTimeout, async () => {
    const config = backend.freshConfig();
    log = freshLogPath();
    const workflowID = 'xp-parent-2';
    const childID = `${workflowID}-0`;
    // The child needs a second or more; the parent would need 12 s and more.
    const plan: ParentPlan = { label: 'q', childSteps: 30, childPauseMs: 40, parentSteps: 300, parentPauseMs: 40 };
    const runner = startControlChild('start', ['parent', workflowID, JSON.stringify([plan]), 'none'], {
      role: 'runner', config, log, env: { DURABLY_TEST_ALSO_AWAIT: childID },
    });
    await Promise.all([runner.waitForLine('MARK q:step-1'), runner.waitForLine('MARK q-child:step-1')]);
    await launchObserver(config);

    await DBOS.cancelWorkflow(workflowID, { cancelChildren: false });
    assert.equal((await DBOS.getWorkflowStatus(workflowID))?.status, 'CANCELLED');
    const childNow = (await DBOS.getWorkflowStatus(childID))?.status;
    assert.ok(childNow === 'PENDING' || childNow === 'SUCCESS', `child is ${childNow}`);

    const report = await reportOf(runner);
    assert.equal(report.outcome?.ok === false && report.outcome.error.className, 'DBOSWorkflowCancelledError', runner.describe());
    // 0 + 1 + ... + 29 = 435
    assert.deepEqual(await alsoOf(runner, childID), { ok: true, value: 'q-child:done:435' }, runner.describe());
    assert.equal((await DBOS.getWorkflowStatus(childID))?.status, 'SUCCESS');
    const quiet = await logOnceQuiet(log);
    assertContiguous(stepsOf(quiet, 'q-child'), 'child');
    assert.equal(stepsOf(quiet, 'q-child').length, 30);
    const parentSteps = stepsOf(quiet, 'q');
    assertContiguous(parentSteps, 'parent');
    assert.ok(parentSteps.length < 300);
  });
});
