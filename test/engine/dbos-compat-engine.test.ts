/**
 * Engine behaviours that code written for DBOS 5.3 relies on (issue 18, part A): anonymous workflow
 * functions, wrapper names, the option forms and replay of waits inside workflows, timeouts (step retries
 * under a deadline, children cancelled by their timeout, invalid timeouts), dead-lettered and deleted
 * workflows seen by their running execution, and DBOS's wording of documented error messages.
 */
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { setTimeout as delay } from 'node:timers/promises';
import { afterEach, beforeEach, test } from 'node:test';
import {
  DBOS,
  DBOSAwaitedWorkflowCancelledError,
  DBOSAwaitedWorkflowExceededMaxRecoveryAttempts,
  DBOSConfigurationError,
  DBOSConflictingRegistrationError,
  DBOSError,
  DBOSInvalidWorkflowTransitionError,
  DBOSMaxRecoveryAttemptsExceededError,
  DBOSNonExistentWorkflowError,
  DBOSStepTimeoutError,
  DBOSWorkflowCancelledError,
} from '../../src/index.ts';
import { engineFor } from '../../src/runtime/runtime.ts';
import { deferred, type Deferred } from '../../src/support/deferred.ts';
import { forEachBackend } from '../helpers/backends.ts';
import { crashAndRelaunch, launch, stepOutcomes } from '../helpers/lifecycle.ts';
import { rawExecute } from '../helpers/raw-rows.ts';

// ---- anonymous functions and wrapper names ----
const anonymousStep = DBOS.registerStep(async (x: number) => x + 1);
const anonymousWorkflow = DBOS.registerWorkflow(async (x: number) => (await anonymousStep(x)) * 2);
const inlineSteps = DBOS.registerWorkflow(
  async () => [await DBOS.runStep(async () => 1), await DBOS.runStep(async function fetchTwo() { return 2; }), await DBOS.runStep(async () => 3, { name: 'three' })],
  { name: 'compat.inlineSteps' },
);
const namedStep = DBOS.registerStep(async () => 'step', { name: 'compat.namedStep' });
const namedWorkflow = DBOS.registerWorkflow(async () => namedStep(), { name: 'compat.namedWorkflow' });

// ---- waits ----
const recvWithOptions = DBOS.registerWorkflow(
  async (form: 'timeoutSeconds' | 'deadline') =>
    DBOS.recv<string>('topic', form === 'deadline' ? { deadlineEpochMS: Date.now() + 300 } : { timeoutSeconds: 0.3 }),
  { name: 'compat.recvWithOptions' },
);
const getEventWithOptions = DBOS.registerWorkflow(
  async (form: 'timeoutSeconds' | 'deadline') =>
    DBOS.getEvent<string>(`missing-${randomUUID()}`, 'key', form === 'deadline' ? { deadlineEpochMS: Date.now() + 300 } : { timeoutSeconds: 0.3 }),
  { name: 'compat.getEventWithOptions' },
);

let gate: Deferred<void> = deferred();
let reached: Deferred<void> = deferred();
const recvThenBlock = DBOS.registerWorkflow(
  async () => {
    const message = await DBOS.recv<string>('topic', 1);
    const value = await DBOS.getEvent<string>(`missing-${DBOS.workflowID}`, 'key', { timeoutSeconds: 1 });
    reached.resolve();
    await gate.promise;
    return [message, value];
  },
  { name: 'compat.recvThenBlock' },
);

const waitsForMessage = DBOS.registerWorkflow(
  async () => {
    reached.resolve();
    return DBOS.recv<string>('topic', { timeoutSeconds: 1 });
  },
  { name: 'compat.waitsForMessage' },
);

const awaitsNobody = DBOS.registerWorkflow(
  async (timeoutSeconds: number) => {
    reached.resolve();
    return DBOS.getResult(`nobody-${DBOS.workflowID}`, { timeoutSeconds });
  },
  { name: 'compat.awaitsNobody' },
);

// ---- timeouts ----
let attempts = 0;
const alwaysFails = DBOS.registerStep(
  async () => {
    attempts++;
    reached.resolve();
    throw new Error(`attempt ${attempts} failed`);
  },
  { name: 'compat.alwaysFails', retriesAllowed: true, intervalSeconds: 1, maxAttempts: 3, backoffRate: 1 },
);
const retryingWorkflow = DBOS.registerWorkflow(async () => alwaysFails(), { name: 'compat.retryingWorkflow' });

const sleepyChild = DBOS.registerWorkflow(async () => {
  await DBOS.sleep(2_000);
  return 'woke';
}, { name: 'compat.sleepyChild' });
const awaitsTimedOutChild = DBOS.registerWorkflow(
  async () => {
    const child = await DBOS.startWorkflow(sleepyChild, { workflowID: `${DBOS.workflowID}-child`, timeoutMS: 200 })();
    return child.getResult();
  },
  { name: 'compat.awaitsTimedOutChild' },
);

const slowStep = DBOS.registerStep(async () => delay(1_000), { name: 'compat.slowStep', timeoutMS: 200 });
const slowStepWorkflow = DBOS.registerWorkflow(async () => slowStep(), { name: 'compat.slowStepWorkflow' });

// ---- dead letters and lost rows ----
const blockThenStep = DBOS.registerWorkflow(
  async () => {
    reached.resolve();
    await gate.promise;
    return namedStep();
  },
  { name: 'compat.blockThenStep' },
);

// ---- error messages ----
const recvInStep = DBOS.registerStep(async () => DBOS.recv('topic', 0), { name: 'compat.recvInStep' });
const callsRecvInStep = DBOS.registerWorkflow(async () => recvInStep(), { name: 'compat.callsRecvInStep' });
const sendsToNobody = DBOS.registerWorkflow(async (destination: string) => DBOS.send(destination, 'hello'), {
  name: 'compat.sendsToNobody',
});

async function elapsedMs(work: () => Promise<unknown>): Promise<number> {
  const startedAt = Date.now();
  await work();
  return Date.now() - startedAt;
}

forEachBackend('DBOS compatibility: engine', (backend) => {
  beforeEach(() => {
    gate = deferred();
    reached = deferred();
    attempts = 0;
  });
  afterEach(async () => {
    gate.resolve();
    await DBOS.shutdown();
  });

  test('an anonymous workflow and step register under the name "", as in DBOS', async () => {
    assert.equal(anonymousWorkflow.name, '');
    assert.equal(anonymousStep.name, '');
    await launch(backend);
    const workflowID = randomUUID();
    assert.equal(await DBOS.startWorkflow(anonymousWorkflow, { workflowID })(1).then((h) => h.getResult()), 4);
    const status = await DBOS.getWorkflowStatus(workflowID);
    assert.equal(status?.workflowName, '');
    assert.deepEqual((await stepOutcomes(workflowID)).map((o) => o.functionName), ['']);
  });

  test('DBOS.runStep names its step after the function, \'\' for an anonymous one, as in DBOS', async () => {
    await launch(backend);
    const handle = await DBOS.startWorkflow(inlineSteps)();
    assert.deepEqual(await handle.getResult(), [1, 2, 3]);
    assert.deepEqual((await stepOutcomes(handle.workflowID)).map((o) => o.functionName), ['', 'fetchTwo', 'three']);
  });

  test("a history from an earlier durably, whose anonymous runStep was recorded as 'runStep', still replays", async () => {
    const config = await launch(backend);
    const original = await DBOS.startWorkflow(inlineSteps)();
    await original.getResult();
    await rawExecute(config, "UPDATE {schema}operation_outputs SET function_name = 'runStep' WHERE workflow_uuid = ? AND function_name = ''", [original.workflowID]);
    const forked = await DBOS.forkWorkflow(original.workflowID, 1); // replays the renamed step, runs the rest
    assert.deepEqual(await forked.getResult(), [1, 2, 3]);
  });

  test('a second anonymous workflow is a conflicting registration, as in DBOS', () => {
    assert.throws(() => DBOS.registerWorkflow(async () => 'other'), DBOSConflictingRegistrationError);
  });

  test('wrappers carry the registered name', () => {
    assert.equal(namedWorkflow.name, 'compat.namedWorkflow');
    assert.equal(namedStep.name, 'compat.namedStep');
  });

  for (const form of ['timeoutSeconds', 'deadline'] as const) {
    test(`recv and getEvent with the ${form} option form return on time`, async () => {
      await launch(backend);
      assert.ok((await elapsedMs(async () => assert.equal(await recvWithOptions(form), null))) < 2_000);
      assert.ok((await elapsedMs(async () => assert.equal(await getEventWithOptions(form), null))) < 2_000);
      const outside = await elapsedMs(async () =>
        assert.equal(await DBOS.getEvent(randomUUID(), 'key', form === 'deadline' ? { deadlineEpochMS: Date.now() + 300 } : { timeoutSeconds: 0.3 }), null),
      );
      assert.ok(outside < 2_000, `getEvent outside a workflow took ${outside} ms`);
    });
  }

  test('a replayed recv and getEvent whose timeouts were recorded return at once', async () => {
    const config = await launch(backend);
    const workflowID = randomUUID();
    await DBOS.startWorkflow(recvThenBlock, { workflowID })();
    await reached.promise;
    reached = deferred();
    await crashAndRelaunch(config);
    const replayed = await elapsedMs(() => reached.promise);
    assert.ok(replayed < 800, `the replay waited ${replayed} ms`);
    gate.resolve();
    assert.deepEqual(await DBOS.retrieveWorkflow(workflowID).getResult(), [null, null]);
  });

  test('a recv interrupted mid-wait returns at once on recovery when its recorded deadline has passed', async () => {
    const config = await launch(backend);
    const workflowID = randomUUID();
    await DBOS.startWorkflow(waitsForMessage, { workflowID })();
    await reached.promise;
    await DBOS.shutdown();
    await delay(1_200);
    const recovered = await elapsedMs(async () => {
      DBOS.setConfig(config);
      await DBOS.launch();
      assert.equal(await DBOS.retrieveWorkflow(workflowID).getResult(), null);
    });
    assert.ok(recovered < 900, `the recovered recv waited ${recovered} ms`);
  });

  test('DBOS.getResult with a timeout in a workflow records its deadline first, as DBOS does', async () => {
    const config = await launch(backend);
    const handle = await DBOS.startWorkflow(awaitsNobody)(0.2);
    assert.equal(await handle.getResult(), null);
    const outcomes = await stepOutcomes(handle.workflowID);
    assert.deepEqual(outcomes.map((o) => [o.functionID, o.functionName]), [[0, 'DBOS.sleep'], [1, 'DBOS.getResult']]);

    // Interrupted mid-wait, it waits on recovery only what remains of the recorded deadline.
    reached = deferred();
    const interrupted = await DBOS.startWorkflow(awaitsNobody)(1);
    await reached.promise;
    await DBOS.shutdown();
    await delay(1_200);
    const recovered = await elapsedMs(async () => {
      DBOS.setConfig(config);
      await DBOS.launch();
      assert.equal(await DBOS.retrieveWorkflow(interrupted.workflowID).getResult(), null);
    });
    assert.ok(recovered < 900, `the recovered getResult waited ${recovered} ms`);
  });

  test('a workflow deadline falling between step attempts stops the retries', async () => {
    await launch(backend);
    const handle = await DBOS.startWorkflow(retryingWorkflow, { timeoutMS: 300 })();
    await assert.rejects(handle.getResult(), DBOSWorkflowCancelledError);
    assert.equal(attempts, 1);
    assert.equal((await handle.getStatus())?.status, 'CANCELLED');
    // The cancellation is not the step's outcome: a resume runs the step again.
    assert.deepEqual(await stepOutcomes(handle.workflowID), []);
  });

  test('a cancellation between step attempts stops the retries', async () => {
    await launch(backend);
    const handle = await DBOS.startWorkflow(retryingWorkflow)();
    await reached.promise;
    await DBOS.cancelWorkflow(handle.workflowID);
    await assert.rejects(handle.getResult(), DBOSWorkflowCancelledError);
    assert.equal(attempts, 1);
    // A retrieved handle and DBOS.getResult are awaiters, here as in another process (DBOS's retrieved handles).
    await assert.rejects(DBOS.retrieveWorkflow(handle.workflowID).getResult(), DBOSAwaitedWorkflowCancelledError);
    await assert.rejects(DBOS.getResult(handle.workflowID), DBOSAwaitedWorkflowCancelledError);
    // The start's own handle, asked again once the execution here is over (the row answers now), as DBOS's
    // invoked handles: the workflow's own error.
    while (engineFor('test').running.has(handle.workflowID)) await delay(5);
    await assert.rejects(handle.getResult(), DBOSWorkflowCancelledError);
  });

  test('awaiting a child cancelled by its timeout raises DBOSAwaitedWorkflowCancelledError', async () => {
    await launch(backend);
    const workflowID = randomUUID();
    const expected = { name: 'DBOSAwaitedWorkflowCancelledError', message: `Awaited ${workflowID}-child was cancelled` };
    const check = (error: unknown) => {
      assert.ok(error instanceof DBOSAwaitedWorkflowCancelledError, String(error));
      assert.ok(error.message.includes(expected.message), error.message);
      return true;
    };
    await assert.rejects(DBOS.startWorkflow(awaitsTimedOutChild, { workflowID })().then((h) => h.getResult()), check);
    await assert.rejects(DBOS.retrieveWorkflow(workflowID).getResult(), check);
    assert.equal((await DBOS.getWorkflowStatus(`${workflowID}-child`))?.status, 'CANCELLED');
  });

  test('a step timeoutMS <= 0 is refused at registration, in DBOS words', () => {
    for (const timeoutMS of [0, -5]) {
      assert.throws(
        () => DBOS.registerStep(async () => 1, { name: `compat.badTimeout${timeoutMS}`, timeoutMS }),
        (error: unknown) =>
          error instanceof DBOSError &&
          error.message.includes(`Invalid timeoutMS (${timeoutMS}) in configuration of step compat.badTimeout${timeoutMS}: must be a positive number`),
      );
    }
  });

  test('a workflow timeoutMS <= 0 is refused at the start (durably: DBOS reads 0 as none, < 0 as passed)', async () => {
    await launch(backend);
    for (const timeoutMS of [0, -5]) {
      await assert.rejects(DBOS.startWorkflow(namedWorkflow, { timeoutMS })(), DBOSConfigurationError);
      await assert.rejects(DBOS.withWorkflowTimeout(timeoutMS, () => namedWorkflow()), DBOSConfigurationError);
    }
  });

  test('a step attempt past its timeout fails with DBOS\'s message', async () => {
    await launch(backend);
    await assert.rejects(slowStepWorkflow(), (error: unknown) => {
      assert.ok(error instanceof DBOSStepTimeoutError);
      assert.ok(error.message.includes('Step compat.slowStep timed out after 200ms'), error.message);
      return true;
    });
  });

  test('a running workflow dead-lettered under it raises DBOSMaxRecoveryAttemptsExceededError to its handle', async () => {
    await launch(backend);
    const handle = await DBOS.startWorkflow(blockThenStep)();
    await reached.promise;
    assert.ok(await engineFor('test').systemDatabase.markRecoveryAttemptsExceeded(handle.workflowID, Date.now()));
    gate.resolve();
    await assert.rejects(handle.getResult(), DBOSMaxRecoveryAttemptsExceededError);
    await assert.rejects(DBOS.retrieveWorkflow(handle.workflowID).getResult(), (error: unknown) => {
      assert.ok(error instanceof DBOSAwaitedWorkflowExceededMaxRecoveryAttempts);
      assert.ok(error.message.includes(`Awaited ${handle.workflowID} exceeded its maximum recovery attempts`), error.message);
      return true;
    });
  });

  test('a running workflow whose status row is deleted fails fast with DBOSNonExistentWorkflowError', async () => {
    await launch(backend);
    const handle = await DBOS.startWorkflow(blockThenStep)();
    await reached.promise;
    await DBOS.deleteWorkflow(handle.workflowID);
    gate.resolve();
    const failedIn = await elapsedMs(() => assert.rejects(handle.getResult(), DBOSNonExistentWorkflowError));
    assert.ok(failedIn < 5_000, `failed after ${failedIn} ms`);
  });

  test('documented error messages use DBOS\'s wording', async () => {
    await launch(backend);
    const nobody = `nobody-${randomUUID()}`;
    const sentToNobody = (error: unknown) => {
      assert.ok(error instanceof DBOSNonExistentWorkflowError, String(error));
      assert.ok(error.message.includes(`Sent to non-existent destination workflow UUID: ${nobody}`), error.message);
      return true;
    };
    await assert.rejects(DBOS.send(nobody, 'hello'), sentToNobody);
    await assert.rejects(sendsToNobody(nobody), sentToNobody);
    await assert.rejects(DBOS.waitFirst([]), /handles must not be empty/);
    const finished = await DBOS.startWorkflow(namedWorkflow)();
    await finished.getResult();
    await assert.rejects(async () => {
      for await (const _ of DBOS.readStream(finished.workflowID, 'key', { offset: -1 })) break;
    }, /offset must be a non-negative integer/);
    await assert.rejects(DBOS.writeStream('key', 1), (error: unknown) => {
      assert.ok(error instanceof DBOSInvalidWorkflowTransitionError);
      assert.ok(error.message.includes('Invalid call to `DBOS.writeStream` outside of a workflow or step'), error.message);
      return true;
    });
    await assert.rejects(DBOS.closeStream('key'), /Invalid call to `DBOS.closeStream` outside of a workflow or step/);
    await assert.rejects(DBOS.recv('topic', 0), /Attempt to call `DBOS.recv` outside of a workflow/);
    await assert.rejects(DBOS.setEvent('key', 1), /Attempt to call `DBOS.setEvent` outside of a workflow/);
    await assert.rejects(callsRecvInStep(), (error: unknown) => {
      assert.ok(error instanceof DBOSInvalidWorkflowTransitionError);
      assert.ok(error.message.includes('Invalid call to `DBOS.recv` inside a `step` or `transaction`'), error.message);
      return true;
    });
  });
});
