/**
 * DBOS.shutdown(): nothing of a workflow runs or is recorded once shutdown
 * has returned. Pending sleeps, waits and steps end (the workflow stays
 * PENDING), and a relaunch resumes it from its last recorded operation.
 * `workflowCompletionTimeoutMS` first lets running workflows finish; bad
 * options are refused before anything stops.
 *
 * What the database holds after a shutdown is read by an "observer" launch
 * under another executor ID, which does not recover the workflows of `local`.
 */
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { setTimeout as delay } from 'node:timers/promises';
import { afterEach, test } from 'node:test';
import { DBOS, DBOSConfigurationError, type DBOSConfig } from '../../src/index.ts';
import { DBOSShutdownInterruptError } from '../../src/errors/errors.ts';
import { deferred, type Deferred } from '../../src/support/deferred.ts';
import { forEachBackend, type TestBackend } from '../helpers/backends.ts';

const runs = { step1: 0, step2: 0, slowStep: 0, received: 0, gotEvent: 0, flakyAttempts: 0 };
let slowStepGate: Deferred<void> = deferred();
let slowStepEntered: Deferred<void> = deferred();
const caught: unknown[] = [];

const step1 = DBOS.registerStep(async () => ++runs.step1, { name: 'shutdown.step1' });
const step2 = DBOS.registerStep(async () => ++runs.step2, { name: 'shutdown.step2' });

/** Function IDs: 0 step1, 1 DBOS.sleep, 2 step2. */
const sleeper = DBOS.registerWorkflow(
  async (sleepMs: number) => {
    await step1();
    await DBOS.sleep(sleepMs);
    await step2();
    return 'woke';
  },
  { name: 'shutdown.sleeper' },
);

const slowStep = DBOS.registerStep(
  async () => {
    runs.slowStep++;
    slowStepEntered.resolve();
    await slowStepGate.promise;
    return 'slow-done';
  },
  { name: 'shutdown.slowStep' },
);

const inFlightStep = DBOS.registerWorkflow(
  async () => {
    await step1();
    const slow = await slowStep();
    await step2();
    return slow;
  },
  { name: 'shutdown.inFlightStep' },
);

/** Function IDs: 0 DBOS.recv, 1 its timeout (a DBOS.sleep row, recorded before it waits). */
const receiver = DBOS.registerWorkflow(
  async () => {
    try {
      const message = await DBOS.recv<string>('topic', 60);
      runs.received++;
      return message;
    } catch (error) {
      caught.push(error);
      throw error;
    }
  },
  { name: 'shutdown.receiver' },
);

const eventWaiter = DBOS.registerWorkflow(
  async (targetID: string) => {
    const value = await DBOS.getEvent<string>(targetID, 'ready', 60);
    runs.gotEvent++;
    return value;
  },
  { name: 'shutdown.eventWaiter' },
);

const eventSetter = DBOS.registerWorkflow(
  async (value: string) => {
    await DBOS.setEvent('ready', value);
  },
  { name: 'shutdown.eventSetter' },
);

/** Catches the interruption and returns normally: it must still not be recorded as finished. */
const swallower = DBOS.registerWorkflow(
  async () => {
    try {
      await DBOS.sleep(60_000);
    } catch (error) {
      caught.push(error);
    }
    return 'swallowed';
  },
  { name: 'shutdown.swallower' },
);

const flakyStep = DBOS.registerStep(
  async () => {
    runs.flakyAttempts++;
    throw new Error('not yet');
  },
  { name: 'shutdown.flakyStep', retriesAllowed: true, intervalSeconds: 30, maxAttempts: 5 },
);

/** Waiting 30 s between attempts of a failing step at shutdown. */
const retrier = DBOS.registerWorkflow(
  async () => {
    await step1();
    await flakyStep();
  },
  { name: 'shutdown.retrier' },
);

/** Function IDs: 0 the child's start, 1 DBOS.getResult of the child (a sleeper, 60 s). */
const parent = DBOS.registerWorkflow(
  async () => {
    const child = await DBOS.startWorkflow(sleeper)(60_000);
    return child.getResult();
  },
  { name: 'shutdown.parent' },
);

async function launch(config: DBOSConfig): Promise<void> {
  DBOS.setConfig(config);
  await DBOS.launch();
}

/** Launch under another executor ID, which recovers nothing of `local`, to read what is recorded. */
async function observe<T>(config: DBOSConfig, read: () => Promise<T>): Promise<T> {
  await launch({ ...config, executorID: 'observer' });
  try {
    return await read();
  } finally {
    await DBOS.shutdown();
  }
}

async function stepNames(workflowID: string): Promise<string[]> {
  return ((await DBOS.listWorkflowSteps(workflowID)) ?? []).map((step) => step.name);
}

async function waitForStep(workflowID: string, name: string): Promise<void> {
  for (let polls = 0; polls < 6000; polls++) {
    if ((await stepNames(workflowID)).includes(name)) return;
    await delay(5);
  }
  assert.fail(`workflow ${workflowID} never recorded ${name}`);
}

function resetCounters(): void {
  for (const key of Object.keys(runs) as (keyof typeof runs)[]) runs[key] = 0;
  caught.length = 0;
  slowStepGate = deferred();
  slowStepEntered = deferred();
}

forEachBackend('shutdown', (backend: TestBackend) => {
  afterEach(async () => {
    slowStepGate.resolve();
    await DBOS.shutdown();
    resetCounters();
  });

  test('a workflow sleeping at shutdown runs nothing more; after a relaunch step2 runs exactly once', async () => {
    const config = backend.freshConfig();
    await launch(config);
    const workflowID = `sleeper-${randomUUID()}`;
    const sleepStarted = Date.now();
    await DBOS.startWorkflow(sleeper, { workflowID })(2000);
    await waitForStep(workflowID, 'DBOS.sleep');
    await DBOS.shutdown();
    assert.equal(DBOS.isInitialized(), false);

    await delay(Math.max(0, sleepStarted + 2500 - Date.now()));
    assert.deepEqual([runs.step1, runs.step2], [1, 0], 'step2 ran after shutdown');
    const recorded = await observe(config, async () => ({
      status: (await DBOS.getWorkflowStatus(workflowID))?.status,
      steps: await stepNames(workflowID),
    }));
    assert.deepEqual(recorded, { status: 'PENDING', steps: ['shutdown.step1', 'DBOS.sleep'] });

    await launch(config);
    assert.equal(await DBOS.retrieveWorkflow(workflowID).getResult(), 'woke');
    assert.deepEqual([runs.step1, runs.step2], [1, 1]);
    assert.deepEqual(await stepNames(workflowID), ['shutdown.step1', 'DBOS.sleep', 'shutdown.step2']);
    assert.equal((await DBOS.getWorkflowStatus(workflowID))?.recoveryAttempts, 2);
  });

  test('a step running at shutdown is not recorded, even when it finishes afterwards; recovery runs it again', async () => {
    const config = backend.freshConfig();
    await launch(config);
    const workflowID = `in-flight-${randomUUID()}`;
    await DBOS.startWorkflow(inFlightStep, { workflowID })();
    await slowStepEntered.promise;
    await DBOS.shutdown();
    slowStepGate.resolve();
    await delay(100);
    assert.deepEqual([runs.slowStep, runs.step2], [1, 0]);
    const recorded = await observe(config, async () => ({
      status: (await DBOS.getWorkflowStatus(workflowID))?.status,
      steps: await stepNames(workflowID),
    }));
    assert.deepEqual(recorded, { status: 'PENDING', steps: ['shutdown.step1'] });

    await launch(config);
    assert.equal(await DBOS.retrieveWorkflow(workflowID).getResult(), 'slow-done');
    assert.deepEqual([runs.step1, runs.slowStep, runs.step2], [1, 2, 1]);
  });

  test('workflowCompletionTimeoutMS: a short workflow finishes within it, a long one is interrupted and stays PENDING', async () => {
    const config = backend.freshConfig();
    await launch(config);
    const shortID = `short-${randomUUID()}`;
    const longID = `long-${randomUUID()}`;
    await DBOS.startWorkflow(sleeper, { workflowID: shortID })(300);
    await DBOS.startWorkflow(sleeper, { workflowID: longID })(60_000);
    await waitForStep(longID, 'DBOS.sleep');
    const before = Date.now();
    await DBOS.shutdown({ workflowCompletionTimeoutMS: 2000 });
    const tookMs = Date.now() - before;
    // About the grace period: the long sleep (60 s) did not hold shutdown up.
    assert.ok(tookMs >= 1900 && tookMs < 30_000, `shutdown took ${tookMs} ms`);
    assert.deepEqual([runs.step1, runs.step2], [2, 1]);

    const statuses = await observe(config, async () => [
      (await DBOS.getWorkflowStatus(shortID))?.status,
      (await DBOS.getWorkflowStatus(longID))?.status,
      await stepNames(longID),
    ]);
    assert.deepEqual(statuses, ['SUCCESS', 'PENDING', ['shutdown.step1', 'DBOS.sleep']]);
  });

  test('shutdown returns as soon as the running workflows finish within workflowCompletionTimeoutMS', async () => {
    const config = backend.freshConfig();
    await launch(config);
    const workflowID = `quick-${randomUUID()}`;
    await DBOS.startWorkflow(sleeper, { workflowID })(200);
    const before = Date.now();
    await DBOS.shutdown({ workflowCompletionTimeoutMS: 60_000 });
    assert.ok(Date.now() - before < 30_000, 'shutdown waited for the whole grace period');
    assert.deepEqual([runs.step1, runs.step2], [1, 1]);
    const status = await observe(config, async () => (await DBOS.getWorkflowStatus(workflowID))?.status);
    assert.equal(status, 'SUCCESS');
  });

  test('recv and getEvent waiting at shutdown end, record nothing, and finish after a relaunch', async () => {
    const config = backend.freshConfig();
    await launch(config);
    const receiverID = `receiver-${randomUUID()}`;
    const waiterID = `event-waiter-${randomUUID()}`;
    const setterID = `event-setter-${randomUUID()}`;
    const swallowerID = `swallower-${randomUUID()}`;
    await DBOS.startWorkflow(receiver, { workflowID: receiverID })();
    await DBOS.startWorkflow(eventWaiter, { workflowID: waiterID })(setterID);
    await DBOS.startWorkflow(swallower, { workflowID: swallowerID })();
    await waitForStep(receiverID, 'DBOS.sleep'); // recv's timeout, recorded before it waits
    await waitForStep(waiterID, 'DBOS.sleep');
    await waitForStep(swallowerID, 'DBOS.sleep');
    await delay(50); // let both reach their wait
    await DBOS.shutdown();
    await delay(50);

    // The receiver's wait ended with the engine's interruption (the swallower caught one too).
    assert.equal(caught.length, 2);
    for (const error of caught) {
      assert.ok(error instanceof DBOSShutdownInterruptError);
      assert.equal(error.code, 'SHUTDOWN_INTERRUPTED');
    }
    const recorded = await observe(config, async () => ({
      receiver: [(await DBOS.getWorkflowStatus(receiverID))?.status, await stepNames(receiverID)],
      waiter: [(await DBOS.getWorkflowStatus(waiterID))?.status, await stepNames(waiterID)],
      swallower: [(await DBOS.getWorkflowStatus(swallowerID))?.status, await stepNames(swallowerID)],
    }));
    assert.deepEqual(recorded, {
      receiver: ['PENDING', ['DBOS.sleep']],
      waiter: ['PENDING', ['DBOS.sleep']],
      swallower: ['PENDING', ['DBOS.sleep']],
    });

    await launch(config);
    await DBOS.send(receiverID, 'hello', 'topic');
    await DBOS.startWorkflow(eventSetter, { workflowID: setterID })('go');
    assert.equal(await DBOS.retrieveWorkflow(receiverID).getResult(), 'hello');
    assert.equal(await DBOS.retrieveWorkflow(waiterID).getResult(), 'go');
    assert.deepEqual([runs.received, runs.gotEvent], [1, 1]);
    assert.deepEqual(await stepNames(receiverID), ['DBOS.recv', 'DBOS.sleep']);
  });

  test('a parent awaiting its child and a step waiting to retry end at shutdown without recording anything more', async () => {
    const config = backend.freshConfig();
    await launch(config);
    const parentID = `parent-${randomUUID()}`;
    const retrierID = `retrier-${randomUUID()}`;
    await DBOS.startWorkflow(parent, { workflowID: parentID })();
    await DBOS.startWorkflow(retrier, { workflowID: retrierID })();
    await waitForStep(`${parentID}-0`, 'DBOS.sleep');
    while (runs.flakyAttempts === 0) await delay(5);
    const before = Date.now();
    await DBOS.shutdown();
    assert.ok(Date.now() - before < 20_000, 'shutdown waited for a sleep or a retry delay');
    assert.equal(runs.flakyAttempts, 1);

    const recorded = await observe(config, async () => ({
      parent: [(await DBOS.getWorkflowStatus(parentID))?.status, await stepNames(parentID)],
      child: [(await DBOS.getWorkflowStatus(`${parentID}-0`))?.status, await stepNames(`${parentID}-0`)],
      retrier: [(await DBOS.getWorkflowStatus(retrierID))?.status, await stepNames(retrierID)],
    }));
    assert.deepEqual(recorded, {
      parent: ['PENDING', ['shutdown.sleeper']],
      child: ['PENDING', ['shutdown.step1', 'DBOS.sleep']],
      retrier: ['PENDING', ['shutdown.step1']],
    });
  });

  test('bad shutdown options are refused, naming the value, before anything stops', async () => {
    const config = backend.freshConfig();
    await launch(config);
    const bad: [unknown, string][] = [
      [{ workflowCompletionTimeoutMS: 'bogus' }, '"bogus"'],
      [{ workflowCompletionTimeoutMS: -1 }, '-1'],
      [{ workflowCompletionTimeoutMS: Number.NaN }, 'NaN'],
      [{ workflowCompletionTimeoutMS: Number.POSITIVE_INFINITY }, 'Infinity'],
      [{ workflowCompletionTimeoutMS: 2 ** 31 }, String(2 ** 31)],
      [{ deregister: 'yes' }, '"yes"'],
      ['soon', '"soon"'],
    ];
    for (const [options, named] of bad) {
      await assert.rejects(DBOS.shutdown(options as never), (error: unknown) => {
        assert.ok(error instanceof DBOSConfigurationError, String(error));
        assert.ok(error.message.includes(named), `${error.message} should name ${named}`);
        return true;
      });
      assert.equal(DBOS.isInitialized(), true);
    }
    const workflowID = `still-running-${randomUUID()}`;
    await DBOS.startWorkflow(sleeper, { workflowID })(1);
    assert.equal(await DBOS.retrieveWorkflow(workflowID).getResult(), 'woke');
    await DBOS.shutdown({ workflowCompletionTimeoutMS: 0, deregister: false });
    assert.equal(DBOS.isInitialized(), false);
  });
});
