/**
 * recv and getEvent timeouts inside workflows are durable: the deadline is
 * recorded as a 'DBOS.sleep' operation at the function ID after the recv's (or
 * getEvent's) own, before waiting. A workflow "crashed" (in-process shutdown)
 * half a second into a 2 s timeout and relaunched reuses that row and so waits
 * only what remains. Assertions are on the recorded rows, not on wall-clock
 * time (beyond: it did not give up before the recorded deadline).
 */
import assert from 'node:assert/strict';
import { afterEach, test } from 'node:test';
import { setTimeout as delay } from 'node:timers/promises';
import { DBOS, DBOSConfigurationError } from '../../src/index.ts';
import { forEachBackend } from '../helpers/backends.ts';
import { crashAndRelaunch, launch, stepOutcomes } from '../helpers/lifecycle.ts';
import { recordedOutput, waitForRecorded } from './fixtures/comm-support.ts';

let executions = { recv: 0, getEvent: 0 };

const recvTwoSeconds = DBOS.registerWorkflow(async () => {
  executions.recv++;
  const first = await DBOS.recv<string>('nothing-comes', 2);
  return { first };
}, { name: 'timeouts.recvTwoSeconds' });

const getEventTwoSeconds = DBOS.registerWorkflow(async (publisherID: string) => {
  executions.getEvent++;
  return { value: await DBOS.getEvent<string>(publisherID, 'never-set', 2) };
}, { name: 'timeouts.getEventTwoSeconds' });

/** Exists (so getEvent has a real workflow to watch) and never sets the key. */
const silentPublisher = DBOS.registerWorkflow(async () => 'silent', { name: 'timeouts.silentPublisher' });

/** A recv whose message arrives after the relaunch, within the recorded deadline. */
const recvLate = DBOS.registerWorkflow(async () => DBOS.recv<string>('late', 30), { name: 'timeouts.recvLate' });

forEachBackend('durable recv and getEvent timeouts', (backend) => {
  afterEach(() => DBOS.shutdown());

  async function halfASecondIntoTheWait(workflowID: string) {
    // The deadline is recorded (function ID 1) before the wait starts; the operation itself (0) only at its end.
    const deadlineRow = await waitForRecorded(workflowID, 1, 'DBOS.sleep');
    await delay(500);
    return deadlineRow;
  }

  function assertDeadlineReused(
    before: Awaited<ReturnType<typeof waitForRecorded>>,
    after: Awaited<ReturnType<typeof stepOutcomes>>,
    operation: string,
  ) {
    assert.deepEqual(after.map((s) => [s.functionID, s.functionName]), [[0, operation], [1, 'DBOS.sleep']]);
    const [done, deadline] = after;
    // The same deadline row: not rewritten, not recorded again after the relaunch.
    assert.deepEqual(deadline, before);
    const recordedDeadline = recordedOutput(deadline) as number;
    assert.equal(recordedDeadline - deadline!.startedAtEpochMs, 2000, 'the deadline is the start plus the 2 s timeout');
    assert.equal(recordedOutput(done), null, `${operation} recorded its timeout as null`);
    assert.ok(done!.completedAtEpochMs >= recordedDeadline, `${operation} gave up before the recorded deadline`);
  }

  test('a recv timeout survives a crash: the relaunched workflow reuses the recorded deadline', { timeout: 30_000 }, async () => {
    const config = await launch(backend);
    executions = { recv: 0, getEvent: 0 };
    const handle = await DBOS.startWorkflow(recvTwoSeconds)();
    const before = await halfASecondIntoTheWait(handle.workflowID);
    assert.equal((await stepOutcomes(handle.workflowID)).length, 1, 'the recv itself is not recorded until it ends');

    await crashAndRelaunch(config);
    assert.deepEqual(await DBOS.retrieveWorkflow(handle.workflowID).getResult(), { first: null });
    assert.equal(executions.recv, 2, 'the relaunch resumed the workflow');
    assertDeadlineReused(before, await stepOutcomes(handle.workflowID), 'DBOS.recv');
  });

  test('a getEvent timeout inside a workflow survives a crash the same way', { timeout: 30_000 }, async () => {
    const config = await launch(backend);
    executions = { recv: 0, getEvent: 0 };
    const publisher = await DBOS.startWorkflow(silentPublisher)();
    await publisher.getResult();
    const handle = await DBOS.startWorkflow(getEventTwoSeconds)(publisher.workflowID);
    const before = await halfASecondIntoTheWait(handle.workflowID);

    await crashAndRelaunch(config);
    assert.deepEqual(await DBOS.retrieveWorkflow(handle.workflowID).getResult(), { value: null });
    assert.equal(executions.getEvent, 2, 'the relaunch resumed the workflow');
    assertDeadlineReused(before, await stepOutcomes(handle.workflowID), 'DBOS.getEvent');
  });

  test('a message sent after the relaunch, before the recorded deadline, is received', { timeout: 30_000 }, async () => {
    const config = await launch(backend);
    const handle = await DBOS.startWorkflow(recvLate)();
    const before = await waitForRecorded(handle.workflowID, 1, 'DBOS.sleep');
    await crashAndRelaunch(config);
    await DBOS.send(handle.workflowID, 'finally', 'late');
    assert.equal(await DBOS.retrieveWorkflow(handle.workflowID).getResult(), 'finally');
    const steps = await stepOutcomes(handle.workflowID);
    assert.deepEqual(steps.map((s) => [s.functionID, s.functionName]), [[0, 'DBOS.recv'], [1, 'DBOS.sleep']]);
    assert.deepEqual(steps[1], before);
    assert.equal(recordedOutput(steps[0]), 'finally');
  });

  test('a getEvent with timeout 0 returns null at once; a negative timeout is refused', async () => {
    await launch(backend);
    await assert.rejects(DBOS.getEvent('anything', 'k', -1), DBOSConfigurationError);
    assert.equal(await DBOS.getEvent('anything', 'k', 0), null);
  });
});
