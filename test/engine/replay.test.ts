/**
 * Replay after an in-process "crash": a workflow blocks on a gate the test
 * controls, the runtime is shut down under it (the blocked execution never
 * continues, as if its process had died), and a relaunch on the same system
 * database resumes it from its recorded operations. Assertions are on
 * recorded data and call counts, never on elapsed time.
 */
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { afterEach, beforeEach, test } from 'node:test';
import { setTimeout as delay } from 'node:timers/promises';
import {
  DBOS,
  DBOSAwaitedWorkflowExceededMaxRecoveryAttempts,
  DBOSUnexpectedStepError,
} from '../../src/index.ts';
import { deserializeValue } from '../../src/engine/serialization.ts';
import { deferred, type Deferred } from '../../src/support/deferred.ts';
import { forEachBackend } from '../helpers/backends.ts';
import { crashAndRelaunch, launch, stepOutcomes } from '../helpers/lifecycle.ts';

// Each execution waits on the gate current when it gets there. Gates of crashed executions never open.
let gate: Deferred<void> = deferred();
let reached: Deferred<void> = deferred();
async function blockHere(): Promise<void> {
  reached.resolve();
  await gate.promise;
}
/** The next execution to reach blockHere passes straight through. */
function openGateForNextExecution(): void {
  gate = deferred();
  gate.resolve();
}

const counts = { one: 0, two: 0, failing: 0, fragile: 0, afterSleep: 0, interrupted: 0, parallel: 0 };

const stepOne = DBOS.registerStep(async (x: number) => {
  counts.one++;
  return x + 1;
}, { name: 'replay.stepOne' });
const stepTwo = DBOS.registerStep(async (x: number) => {
  counts.two++;
  return x * 2;
}, { name: 'replay.stepTwo' });
const resumable = DBOS.registerWorkflow(async (x: number) => {
  const a = await stepOne(x);
  await blockHere();
  return stepTwo(a);
}, { name: 'replay.resumable' });

class QuotaError extends Error {
  override name = 'QuotaError';
  readonly code = 'E_QUOTA';
}
const failingStep = DBOS.registerStep(async () => {
  counts.failing++;
  throw new QuotaError(`quota exceeded (call ${counts.failing})`);
}, { name: 'replay.failingStep' });
const catchesStepError = DBOS.registerWorkflow(async () => {
  const caught = await failingStep().then(() => undefined, (error: QuotaError) => error);
  await blockHere();
  return { name: caught?.name, message: caught?.message, code: caught?.code };
}, { name: 'replay.catchesStepError' });

let useRenamedStep = false;
const originalStep = DBOS.registerStep(async () => 'original', { name: 'replay.original' });
const renamedStep = DBOS.registerStep(async () => 'renamed', { name: 'replay.renamed' });
const drifting = DBOS.registerWorkflow(async () => {
  const value = useRenamedStep ? await renamedStep() : await originalStep();
  await blockHere();
  return value;
}, { name: 'replay.drifting' });

let sleepDurationMs = 0;
let sleeperGeneration = 0;
const afterSleep = DBOS.registerStep(async () => ++counts.afterSleep, { name: 'replay.afterSleep' });
const sleeper = DBOS.registerWorkflow(async () => {
  const generation = ++sleeperGeneration;
  await DBOS.sleepms(sleepDurationMs);
  // An execution from before the crash must not continue: its process is "dead".
  if (generation !== sleeperGeneration) await new Promise(() => undefined);
  return afterSleep();
}, { name: 'replay.sleeper' });

const seenValues: { now: number; uuid: string }[] = [];
const stamper = DBOS.registerWorkflow(async () => {
  const now = await DBOS.now();
  const uuid = await DBOS.randomUUID();
  seenValues.push({ now, uuid });
  await blockHere();
  return { now, uuid };
}, { name: 'replay.stamper' });

const fragile = DBOS.registerWorkflow(async () => {
  counts.fragile++;
  await blockHere();
  return 'done';
}, { name: 'replay.fragile', maxRecoveryAttempts: 1 });

// A step whose first run is interrupted by the crash: it has no record, so it runs again on recovery.
const interruptedStep = DBOS.registerStep(async (x: number) => {
  counts.interrupted++;
  await blockHere();
  return x + 100;
}, { name: 'replay.interruptedStep' });
const interruptedWorkflow = DBOS.registerWorkflow(async (x: number) => interruptedStep(x), {
  name: 'replay.interruptedWorkflow',
});

const parallelStep = DBOS.registerStep(async (label: string, ms: number) => {
  counts.parallel++;
  await delay(ms);
  return `${label}@${DBOS.stepID}`;
}, { name: 'replay.parallelStep' });
const parallelThenBlock = DBOS.registerWorkflow(async () => {
  const values = await Promise.all([parallelStep('a', 20), parallelStep('b', 0), parallelStep('c', 10)]);
  await blockHere();
  return values;
}, { name: 'replay.parallelThenBlock' });

async function waitForRecord(workflowID: string, functionName: string): Promise<void> {
  for (let polls = 0; polls < 6000; polls++) {
    if ((await stepOutcomes(workflowID)).some((outcome) => outcome.functionName === functionName)) return;
    await delay(5);
  }
  assert.fail(`workflow ${workflowID} recorded no ${functionName}`);
}

forEachBackend('replay', (backend) => {
  beforeEach(() => {
    gate = deferred();
    reached = deferred();
    for (const key of Object.keys(counts) as (keyof typeof counts)[]) counts[key] = 0;
  });
  afterEach(async () => {
    useRenamedStep = false;
    await DBOS.shutdown();
  });

  test('recovery resumes a workflow after its last recorded step', async () => {
    const config = await launch(backend);
    const workflowID = `resume-${randomUUID()}`;
    await DBOS.startWorkflow(resumable, { workflowID })(4);
    await reached.promise;
    assert.deepEqual([counts.one, counts.two], [1, 0]);

    openGateForNextExecution();
    await crashAndRelaunch(config);
    assert.equal(await DBOS.retrieveWorkflow(workflowID).getResult(), 10);
    assert.deepEqual([counts.one, counts.two], [1, 1]);
    const status = await DBOS.getWorkflowStatus(workflowID);
    assert.equal(status?.status, 'SUCCESS');
    assert.equal(status?.recoveryAttempts, 2);
    const outcomes = await stepOutcomes(workflowID);
    assert.deepEqual(outcomes.map((o) => [o.functionID, o.functionName]), [
      [0, 'replay.stepOne'],
      [1, 'replay.stepTwo'],
    ]);
  });

  test('a recorded step error is rethrown on replay without running the step again', async () => {
    const config = await launch(backend);
    const workflowID = `step-error-${randomUUID()}`;
    await DBOS.startWorkflow(catchesStepError, { workflowID })();
    await reached.promise;
    openGateForNextExecution();
    await crashAndRelaunch(config);
    assert.deepEqual(await DBOS.retrieveWorkflow(workflowID).getResult(), {
      name: 'QuotaError',
      message: 'quota exceeded (call 1)',
      code: 'E_QUOTA',
    });
    assert.equal(counts.failing, 1);
  });

  test('a different step at a recorded position fails the workflow with DBOSUnexpectedStepError', async () => {
    const config = await launch(backend);
    const workflowID = `drift-${randomUUID()}`;
    await DBOS.startWorkflow(drifting, { workflowID })();
    await reached.promise;

    useRenamedStep = true;
    openGateForNextExecution();
    await crashAndRelaunch(config);
    await assert.rejects(DBOS.retrieveWorkflow(workflowID).getResult(), (error: unknown) => {
      assert.ok(error instanceof DBOSUnexpectedStepError);
      assert.equal(error.code, 'NON_DETERMINISTIC_WORKFLOW');
      assert.equal(error.workflowID, workflowID);
      assert.equal(error.stepID, 0);
      assert.equal(error.expectedName, 'replay.renamed');
      assert.equal(error.recordedName, 'replay.original');
      return true;
    });
    const status = await DBOS.getWorkflowStatus(workflowID);
    assert.equal(status?.status, 'ERROR');
    assert.ok(status?.error instanceof DBOSUnexpectedStepError);
  });

  test('a durable sleep keeps its recorded wake-up time across recovery', async () => {
    const config = await launch(backend);
    const workflowID = `sleep-${randomUUID()}`;
    sleepDurationMs = 300;
    await DBOS.startWorkflow(sleeper, { workflowID })();
    await waitForRecord(workflowID, 'DBOS.sleep');
    const [recordedSleep] = await stepOutcomes(workflowID);
    const wakeAt = Number(JSON.parse(recordedSleep!.output!));

    // Were the recovered run to sleep its own duration, it would not finish within the test.
    sleepDurationMs = 120_000;
    await crashAndRelaunch(config);
    assert.equal(await DBOS.getResult(workflowID, 30), 1);
    assert.equal(counts.afterSleep, 1);
    const outcomes = await stepOutcomes(workflowID);
    assert.deepEqual(outcomes.map((o) => [o.functionID, o.functionName]), [
      [0, 'DBOS.sleep'],
      [1, 'replay.afterSleep'],
    ]);
    assert.equal(Number(JSON.parse(outcomes[0]!.output!)), wakeAt);
  });

  test('DBOS.now() and DBOS.randomUUID() return their recorded values on replay', async () => {
    const config = await launch(backend);
    const workflowID = `stamps-${randomUUID()}`;
    seenValues.length = 0;
    await DBOS.startWorkflow(stamper, { workflowID })();
    await reached.promise;
    openGateForNextExecution();
    await crashAndRelaunch(config);
    const result = await DBOS.retrieveWorkflow(workflowID).getResult();
    assert.equal(seenValues.length, 2);
    assert.deepEqual(seenValues[1], seenValues[0]);
    assert.deepEqual(result, seenValues[0]);
    const outcomes = await stepOutcomes(workflowID);
    assert.deepEqual(
      outcomes.map((o) => [o.functionID, o.functionName, deserializeValue(o.output, o.serialization)]),
      [
        [0, 'DBOS.now', seenValues[0]!.now],
        [1, 'DBOS.randomUUID', seenValues[0]!.uuid],
      ],
    );
  });

  test('outside workflows, DBOS.now() and DBOS.randomUUID() are plain calls', async () => {
    await launch(backend);
    assert.equal(typeof (await DBOS.now()), 'number');
    assert.notEqual(await DBOS.randomUUID(), await DBOS.randomUUID());
  });

  test('past maxRecoveryAttempts a workflow becomes MAX_RECOVERY_ATTEMPTS_EXCEEDED', async () => {
    const config = await launch(backend);
    const workflowID = `fragile-${randomUUID()}`;
    await DBOS.startWorkflow(fragile, { workflowID })();
    await reached.promise;

    reached = deferred();
    await crashAndRelaunch(config);
    await reached.promise; // the one recovery allowed
    assert.equal((await DBOS.getWorkflowStatus(workflowID))?.status, 'PENDING');

    await crashAndRelaunch(config);
    const status = await DBOS.getWorkflowStatus(workflowID);
    assert.equal(status?.status, 'MAX_RECOVERY_ATTEMPTS_EXCEEDED');
    assert.equal(status?.recoveryAttempts, 3);
    assert.equal(counts.fragile, 2);
    await assert.rejects(DBOS.retrieveWorkflow(workflowID).getResult(), DBOSAwaitedWorkflowExceededMaxRecoveryAttempts);

    await crashAndRelaunch(config);
    assert.equal(counts.fragile, 2);
    assert.equal((await DBOS.getWorkflowStatus(workflowID))?.status, 'MAX_RECOVERY_ATTEMPTS_EXCEEDED');
  });

  test('a step interrupted by the crash runs again on recovery and is recorded once', async () => {
    const config = await launch(backend);
    const workflowID = `interrupted-${randomUUID()}`;
    await DBOS.startWorkflow(interruptedWorkflow, { workflowID })(1);
    await reached.promise;
    assert.deepEqual(await stepOutcomes(workflowID), []);

    openGateForNextExecution();
    await crashAndRelaunch(config);
    assert.equal(await DBOS.retrieveWorkflow(workflowID).getResult(), 101);
    assert.equal(counts.interrupted, 2);
    const outcomes = await stepOutcomes(workflowID);
    assert.deepEqual(outcomes.map((o) => [o.functionID, o.functionName]), [[0, 'replay.interruptedStep']]);
  });

  test('steps started together in Promise.all replay by function ID', async () => {
    const config = await launch(backend);
    const workflowID = `parallel-${randomUUID()}`;
    await DBOS.startWorkflow(parallelThenBlock, { workflowID })();
    await reached.promise;
    openGateForNextExecution();
    await crashAndRelaunch(config);
    assert.deepEqual(await DBOS.retrieveWorkflow(workflowID).getResult(), ['a@0', 'b@1', 'c@2']);
    assert.equal(counts.parallel, 3);
  });
});
