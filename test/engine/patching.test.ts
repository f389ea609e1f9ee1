/**
 * DBOS.patch / DBOS.deprecatePatch in one process: the errors (patching not
 * enabled, called outside workflow code), what a fresh execution records, the
 * application version PATCHING_ENABLED, and old/new code simulated by
 * switching the body of one registered workflow across an in-process "crash"
 * (shutdown under a workflow blocked at a gate, relaunch on the same system
 * database). Assertions are on results, recorded operations and call counts.
 */
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { afterEach, beforeEach, test } from 'node:test';
import { DBOS, DBOSConfigurationError, DBOSInvalidWorkflowTransitionError, DBOSUnexpectedStepError } from '../../src/index.ts';
import { deferred, type Deferred } from '../../src/support/deferred.ts';
import { forEachBackend, type TestBackend } from '../helpers/backends.ts';
import { crashAndRelaunch, launch } from '../helpers/lifecycle.ts';

/** Which code the registered workflow runs: the body "deployed" in this launch. */
type Code = 'old' | 'new' | 'deprecated' | 'new-and-v3';
let code: Code = 'old';

/** Where an execution waits at the gate (workflow code, no durable operation): nowhere, before or after the branch. */
type BlockPoint = 'none' | 'after-step1' | 'after-branch';
let blockPoint: BlockPoint = 'none';
// Gates of crashed executions never open: those executions are "dead".
let gate: Deferred<void> = deferred();
let reached: Deferred<void> = deferred();
async function blockAt(point: BlockPoint): Promise<void> {
  if (blockPoint !== point) return;
  reached.resolve();
  await gate.promise;
}

/** Step executions and the answers of DBOS.patch / deprecatePatch, in order, replays included. */
const ran: string[] = [];
const count = (event: string) => ran.filter((e) => e === event).length;

function countedStep(name: string) {
  return DBOS.registerStep(async (orderID: string) => {
    ran.push(name);
    return `${name}:${orderID}`;
  }, { name: `patching.${name}` });
}
const step1 = countedStep('step1');
const stepOld = countedStep('stepOld');
const stepNew = countedStep('stepNew');
const stepV3 = countedStep('stepV3');
const finish = countedStep('finish');

/**
 * old:        step1, stepOld, finish
 * new:        step1, patch('v2') ? stepNew : stepOld, finish
 * deprecated: step1, deprecatePatch('v2'), stepNew, finish
 * new-and-v3: new, then patch('v3') ? stepV3 : nothing, before finish
 */
const patchedWorkflow = DBOS.registerWorkflow(async (orderID: string) => {
  const steps = [await step1(orderID)];
  await blockAt('after-step1');
  const answers: boolean[] = [];
  const answer = (value: boolean, what: string) => {
    ran.push(`${what}:${value}`);
    answers.push(value);
    return value;
  };
  if (code === 'old') {
    steps.push(await stepOld(orderID));
  } else if (code === 'deprecated') {
    answer(await DBOS.deprecatePatch('v2'), 'deprecatePatch-v2');
    steps.push(await stepNew(orderID));
  } else {
    steps.push(answer(await DBOS.patch('v2'), 'patch-v2') ? await stepNew(orderID) : await stepOld(orderID));
    if (code === 'new-and-v3' && answer(await DBOS.patch('v3'), 'patch-v3')) steps.push(await stepV3(orderID));
  }
  await blockAt('after-branch');
  steps.push(await finish(orderID));
  return { answers, steps };
}, { name: 'patching.patchedWorkflow' });

const callsPatch = DBOS.registerWorkflow(async (which: 'patch' | 'deprecatePatch', patchName: string = 'v2') => {
  return which === 'patch' ? DBOS.patch(patchName) : DBOS.deprecatePatch(patchName);
}, { name: 'patching.callsPatch' });

/** A thrown value as what the tests compare: class, code. */
function describeError(error: unknown) {
  return error instanceof Error ? { name: error.name, code: (error as { code?: unknown }).code } : { notAnError: String(error) };
}
const patchInStep = DBOS.registerStep(async () => {
  const patchError = await DBOS.patch('v2').then(() => undefined, describeError);
  const deprecateError = await DBOS.deprecatePatch('v2').then(() => undefined, describeError);
  return { patchError, deprecateError };
}, { name: 'patching.patchInStep' });
const callsPatchFromStep = DBOS.registerWorkflow(async () => patchInStep(), { name: 'patching.callsPatchFromStep' });

async function recordedSteps(workflowID: string) {
  const steps = await DBOS.listWorkflowSteps(workflowID);
  assert.ok(steps, `workflow ${workflowID} does not exist`);
  return steps.map((step) => [step.functionID, step.name, step.output]);
}

/** Start the workflow under the given code, blocked at `point`; then "crash" and relaunch with `recoveredBy`. */
async function startThenRecover(backend: TestBackend, startedBy: Code, point: BlockPoint, recoveredBy: Code): Promise<string> {
  const config = await launch(backend, { enablePatching: true });
  const workflowID = `patched-${randomUUID()}`;
  code = startedBy;
  blockPoint = point;
  await DBOS.startWorkflow(patchedWorkflow, { workflowID })(workflowID);
  await reached.promise;
  code = recoveredBy;
  blockPoint = 'none';
  await crashAndRelaunch(config);
  return workflowID;
}

forEachBackend('patching', (backend) => {
  beforeEach(() => {
    gate = deferred();
    reached = deferred();
    ran.length = 0;
    code = 'old';
    blockPoint = 'none';
  });
  afterEach(async () => {
    await DBOS.shutdown();
  });

  test('without enablePatching, DBOS.patch and DBOS.deprecatePatch fail the workflow with DBOSConfigurationError', async () => {
    await launch(backend);
    assert.notEqual(DBOS.applicationVersion, 'PATCHING_ENABLED');
    for (const which of ['patch', 'deprecatePatch'] as const) {
      const workflowID = `unpatched-${which}-${randomUUID()}`;
      const handle = await DBOS.startWorkflow(callsPatch, { workflowID })(which);
      await assert.rejects(handle.getResult(), (error: unknown) => {
        assert.ok(error instanceof DBOSConfigurationError, String(error));
        assert.equal(error.code, 'CONFIGURATION_INVALID');
        assert.match(error.message, /enablePatching: true/);
        return true;
      });
      assert.equal((await DBOS.getWorkflowStatus(workflowID))?.status, 'ERROR');
      assert.deepEqual(await recordedSteps(workflowID), []);
    }
  });

  test('outside workflow code (or inside a step), DBOS.patch and DBOS.deprecatePatch throw DBOSInvalidWorkflowTransitionError', async () => {
    const config = await launch(backend, { enablePatching: true });
    const outside = { name: 'DBOSInvalidWorkflowTransitionError', code: 'INVALID_CONTEXT' };
    assert.deepEqual(await DBOS.patch('v2').then(() => undefined, describeError), outside);
    assert.deepEqual(await DBOS.deprecatePatch('v2').then(() => undefined, describeError), outside);
    await assert.rejects(DBOS.patch('v2'), DBOSInvalidWorkflowTransitionError);

    const workflowID = `in-step-${randomUUID()}`;
    assert.deepEqual(await DBOS.startWorkflow(callsPatchFromStep, { workflowID })().then((h) => h.getResult()), {
      patchError: outside,
      deprecateError: outside,
    });
    assert.deepEqual((await recordedSteps(workflowID)).map(([id, name]) => [id, name]), [[0, 'patching.patchInStep']]);

    // Without patching enabled too: the context is what is wrong.
    await crashAndRelaunch({ ...config, enablePatching: false });
    await assert.rejects(DBOS.patch('v2'), DBOSInvalidWorkflowTransitionError);
    await assert.rejects(DBOS.deprecatePatch('v2'), DBOSInvalidWorkflowTransitionError);
  });

  test('a patch name must be a non-empty string', async () => {
    await launch(backend, { enablePatching: true });
    const workflowID = `empty-name-${randomUUID()}`;
    await assert.rejects((await DBOS.startWorkflow(callsPatch, { workflowID })('patch', '')).getResult(), (error: unknown) => {
      assert.ok(error instanceof DBOSConfigurationError, String(error));
      assert.match(error.message, /non-empty string/);
      return true;
    });
    assert.deepEqual(await recordedSteps(workflowID), []);
  });

  test('a fresh workflow: DBOS.patch returns true and records the marker step DBOS.patch-<name>', async () => {
    await launch(backend, { enablePatching: true });
    code = 'new';
    const workflowID = `fresh-new-${randomUUID()}`;
    const result = await (await DBOS.startWorkflow(patchedWorkflow, { workflowID })(workflowID)).getResult();
    assert.deepEqual(result, { answers: [true], steps: [`step1:${workflowID}`, `stepNew:${workflowID}`, `finish:${workflowID}`] });
    assert.deepEqual(await recordedSteps(workflowID), [
      [0, 'patching.step1', `step1:${workflowID}`],
      [1, 'DBOS.patch-v2', true],
      [2, 'patching.stepNew', `stepNew:${workflowID}`],
      [3, 'patching.finish', `finish:${workflowID}`],
    ]);
    assert.deepEqual(ran, ['step1', 'patch-v2:true', 'stepNew', 'finish']);
  });

  test('a fresh workflow: DBOS.deprecatePatch returns true and records nothing', async () => {
    await launch(backend, { enablePatching: true });
    code = 'deprecated';
    const workflowID = `fresh-deprecated-${randomUUID()}`;
    const result = await (await DBOS.startWorkflow(patchedWorkflow, { workflowID })(workflowID)).getResult();
    assert.deepEqual(result, { answers: [true], steps: [`step1:${workflowID}`, `stepNew:${workflowID}`, `finish:${workflowID}`] });
    assert.deepEqual(await recordedSteps(workflowID), [
      [0, 'patching.step1', `step1:${workflowID}`],
      [1, 'patching.stepNew', `stepNew:${workflowID}`],
      [2, 'patching.finish', `finish:${workflowID}`],
    ]);
  });

  test('with enablePatching the application version is PATCHING_ENABLED; an explicit applicationVersion still wins', async () => {
    const config = await launch(backend, { enablePatching: true });
    assert.equal(DBOS.applicationVersion, 'PATCHING_ENABLED');
    code = 'new';
    const first = `version-${randomUUID()}`;
    await (await DBOS.startWorkflow(patchedWorkflow, { workflowID: first })(first)).getResult();
    assert.equal((await DBOS.getWorkflowStatus(first))?.applicationVersion, 'PATCHING_ENABLED');

    await crashAndRelaunch({ ...config, applicationVersion: 'release-42' });
    assert.equal(DBOS.applicationVersion, 'release-42');
    const second = `version-${randomUUID()}`;
    const result = await (await DBOS.startWorkflow(patchedWorkflow, { workflowID: second })(second)).getResult();
    assert.deepEqual(result.answers, [true]);
    assert.equal((await DBOS.getWorkflowStatus(second))?.applicationVersion, 'release-42');
  });

  test('old code past the branch, recovered by new code: patch is false, the old branch replays, nothing runs twice', async () => {
    const workflowID = await startThenRecover(backend, 'old', 'after-branch', 'new');
    const result = await DBOS.retrieveWorkflow(workflowID).getResult();
    assert.deepEqual(result, { answers: [false], steps: [`step1:${workflowID}`, `stepOld:${workflowID}`, `finish:${workflowID}`] });
    assert.deepEqual(ran, ['step1', 'stepOld', 'patch-v2:false', 'finish']);
    assert.deepEqual(await recordedSteps(workflowID), [
      [0, 'patching.step1', `step1:${workflowID}`],
      [1, 'patching.stepOld', `stepOld:${workflowID}`],
      [2, 'patching.finish', `finish:${workflowID}`],
    ]);
    const status = await DBOS.getWorkflowStatus(workflowID);
    assert.deepEqual([status?.status, status?.recoveryAttempts, status?.applicationVersion], ['SUCCESS', 2, 'PATCHING_ENABLED']);
  });

  test('old code before the branch, recovered by new code: patch records its marker and the new branch runs', async () => {
    const workflowID = await startThenRecover(backend, 'old', 'after-step1', 'new');
    const result = await DBOS.retrieveWorkflow(workflowID).getResult();
    assert.deepEqual(result, { answers: [true], steps: [`step1:${workflowID}`, `stepNew:${workflowID}`, `finish:${workflowID}`] });
    assert.deepEqual(ran, ['step1', 'patch-v2:true', 'stepNew', 'finish']);
    assert.deepEqual(await recordedSteps(workflowID), [
      [0, 'patching.step1', `step1:${workflowID}`],
      [1, 'DBOS.patch-v2', true],
      [2, 'patching.stepNew', `stepNew:${workflowID}`],
      [3, 'patching.finish', `finish:${workflowID}`],
    ]);
  });

  test('new code past the branch, recovered by new code: the recorded marker makes patch true again, stepNew is not rerun', async () => {
    const workflowID = await startThenRecover(backend, 'new', 'after-branch', 'new');
    const result = await DBOS.retrieveWorkflow(workflowID).getResult();
    assert.deepEqual(result, { answers: [true], steps: [`step1:${workflowID}`, `stepNew:${workflowID}`, `finish:${workflowID}`] });
    assert.deepEqual(ran, ['step1', 'patch-v2:true', 'stepNew', 'patch-v2:true', 'finish']);
    assert.equal(count('stepNew'), 1);
    assert.deepEqual((await recordedSteps(workflowID)).map(([id, name]) => [id, name]), [
      [0, 'patching.step1'],
      [1, 'DBOS.patch-v2'],
      [2, 'patching.stepNew'],
      [3, 'patching.finish'],
    ]);
  });

  test('new code past the branch, recovered by deprecated code: deprecatePatch consumes the marker and the workflow finishes', async () => {
    const workflowID = await startThenRecover(backend, 'new', 'after-branch', 'deprecated');
    const result = await DBOS.retrieveWorkflow(workflowID).getResult();
    assert.deepEqual(result, { answers: [true], steps: [`step1:${workflowID}`, `stepNew:${workflowID}`, `finish:${workflowID}`] });
    assert.deepEqual(ran, ['step1', 'patch-v2:true', 'stepNew', 'deprecatePatch-v2:true', 'finish']);
    assert.deepEqual((await recordedSteps(workflowID)).map(([id, name]) => [id, name]), [
      [0, 'patching.step1'],
      [1, 'DBOS.patch-v2'],
      [2, 'patching.stepNew'],
      [3, 'patching.finish'],
    ]);
    assert.equal((await DBOS.getWorkflowStatus(workflowID))?.status, 'SUCCESS');
  });

  test('old code past the branch, recovered by deprecated code: stepNew where stepOld was recorded is a non-determinism error', async () => {
    // Why a patch is deprecated only once no execution begun under the old code is left.
    const workflowID = await startThenRecover(backend, 'old', 'after-branch', 'deprecated');
    await assert.rejects(DBOS.retrieveWorkflow(workflowID).getResult(), (error: unknown) => {
      assert.ok(error instanceof DBOSUnexpectedStepError, String(error));
      assert.equal(error.stepID, 1);
      assert.equal(error.expectedName, 'patching.stepNew');
      assert.equal(error.recordedName, 'patching.stepOld');
      return true;
    });
    assert.equal(count('stepNew'), 0);
    assert.equal(count('finish'), 0);
  });

  test('two patches: an old execution past the first but not the second takes the old branch, then the new one', async () => {
    const workflowID = await startThenRecover(backend, 'old', 'after-branch', 'new-and-v3');
    const result = await DBOS.retrieveWorkflow(workflowID).getResult();
    assert.deepEqual(result, {
      answers: [false, true],
      steps: [`step1:${workflowID}`, `stepOld:${workflowID}`, `stepV3:${workflowID}`, `finish:${workflowID}`],
    });
    assert.deepEqual((await recordedSteps(workflowID)).map(([id, name]) => [id, name]), [
      [0, 'patching.step1'],
      [1, 'patching.stepOld'],
      [2, 'DBOS.patch-v3'],
      [3, 'patching.stepV3'],
      [4, 'patching.finish'],
    ]);
    assert.deepEqual([count('step1'), count('stepOld'), count('stepNew'), count('stepV3')], [1, 1, 0, 1]);
  });
});
