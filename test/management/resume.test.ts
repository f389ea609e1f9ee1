/**
 * DBOS.resumeWorkflow: a CANCELLED (or MAX_RECOVERY_ATTEMPTS_EXCEEDED)
 * workflow runs again from its last completed step, its recovery count reset;
 * an ENQUEUED one starts at once, whatever its queue's limits; a finished one
 * is left exactly as it was.
 */
import assert from 'node:assert/strict';
import { afterEach, test } from 'node:test';
import { DBOS, DBOSAwaitedWorkflowCancelledError, DBOSWorkflowCancelledError, WorkflowQueue } from '../../src/index.ts';
import { forEachBackend } from '../helpers/backends.ts';
import { crashAndRelaunch, launch } from '../helpers/lifecycle.ts';

const queue = new WorkflowQueue('resume-one-at-a-time', { concurrency: 1 });

/** Body entries (replays included) and step executions, in order. */
const ran: string[] = [];
const count = (event: string) => ran.filter((e) => e === event).length;

/**
 * The gate that bodies wait at, outside any step. Each launch is a new epoch:
 * a body left behind by a shutdown waits forever, so only the current
 * launch's executions run steps.
 */
let epoch = 0;
let openGate: () => void = () => undefined;
let gate = Promise.resolve();
function closeGate(): void {
  gate = new Promise((resolve) => (openGate = resolve));
}
/** Bodies that reached the gate: the steps before it are recorded (each step returned after its checkpoint). */
const atGateNow: string[] = [];
async function atGate(entered: number, label?: string): Promise<void> {
  if (label !== undefined) atGateNow.push(label);
  await gate;
  if (entered !== epoch) await new Promise<never>(() => undefined);
}

const step = DBOS.registerStep(async (name: string) => {
  ran.push(name);
  return name;
}, { name: 'resume.step' });

/** Steps a and b, the gate, step c. */
const threeSteps = DBOS.registerWorkflow(async (label: string) => {
  const entered = epoch;
  ran.push(`body:${label}`);
  const a = await step(`${label}:a`);
  const b = await step(`${label}:b`);
  await atGate(entered, label);
  const c = await step(`${label}:c`);
  return [a, b, c].join(' ');
}, { name: 'resume.threeSteps', maxRecoveryAttempts: 1 });

/**
 * Step b of the first execution cancels and resumes its own workflow, and returns only once the resumed
 * execution has entered the body (having loaded the recorded outcomes): its outcome is a late write of a
 * cancelled execution, committed after the resumed one looked and before the resumed one's own b, every time.
 */
const lateStep = DBOS.registerStep(async (name: string) => {
  ran.push(name);
  const run = count(name);
  if (name === 'late:b' && run === 1) {
    await DBOS.cancelWorkflow('late');
    await DBOS.resumeWorkflow('late');
    await until('the resumed execution entered the body', () => count('body:late') === 2);
  }
  if (name === 'late:b' && run === 2) {
    // The resumed execution's b: its outcome comes second, after the cancelled execution's.
    await until('the first b is recorded', async () => (await DBOS.listWorkflowSteps('late'))?.some((s) => s.functionID === 1) === true);
  }
  return name;
}, { name: 'resume.lateStep' });

const lateWriter = DBOS.registerWorkflow(async () => {
  ran.push('body:late');
  const a = await lateStep('late:a');
  const b = await lateStep('late:b');
  const c = await lateStep('late:c');
  return [a, b, c].join(' ');
}, { name: 'resume.lateWriter' });

const failing = DBOS.registerWorkflow(async (label: string) => {
  ran.push(`body:${label}`);
  await step(`${label}:a`);
  throw new Error(`${label} failed`);
}, { name: 'resume.failing' });

const pause = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

async function until(what: string, condition: () => boolean | Promise<boolean>): Promise<void> {
  const deadline = Date.now() + 15_000;
  while (!(await condition())) {
    if (Date.now() > deadline) assert.fail(`timed out waiting until ${what}`);
    await pause(5);
  }
}

const statusOf = async (workflowID: string) => (await DBOS.getWorkflowStatus(workflowID))?.status;

forEachBackend('resuming workflows', (backend) => {
  afterEach(async () => {
    epoch++;
    openGate();
    await DBOS.shutdown();
  });

  test('after a cancel, resume continues from the last completed step with its recovery count reset', async () => {
    ran.length = 0;
    closeGate();
    epoch++;
    const config = await launch(backend);
    await DBOS.startWorkflow(threeSteps, { workflowID: 'r1' })('r1');
    await until('step b ran', () => count('r1:b') === 1);
    // One crash and recovery: the status now counts two attempts.
    epoch++;
    await crashAndRelaunch(config);
    await until('the recovered body replayed to the gate', () => count('body:r1') === 2);
    assert.equal((await DBOS.getWorkflowStatus('r1'))?.recoveryAttempts, 2);

    await DBOS.cancelWorkflow('r1');
    openGate();
    await assert.rejects(DBOS.retrieveWorkflow('r1').getResult(), DBOSAwaitedWorkflowCancelledError); // as DBOS's retrieved handles
    assert.equal(await statusOf('r1'), 'CANCELLED');
    assert.deepEqual([count('r1:a'), count('r1:b'), count('r1:c')], [1, 1, 0], 'stopped before step c');

    const handle = await DBOS.resumeWorkflow<string>('r1');
    assert.equal(handle.workflowID, 'r1');
    assert.equal(await handle.getResult(), 'r1:a r1:b r1:c');
    assert.deepEqual([count('r1:a'), count('r1:b'), count('r1:c')], [1, 1, 1], 'steps a and b were replayed, not run again');
    assert.equal(count('body:r1'), 3);
    const status = await DBOS.getWorkflowStatus('r1');
    assert.equal(status?.status, 'SUCCESS');
    assert.equal(status?.recoveryAttempts, 1, 'resume resets the recovery count (its own start counts one)');
    const steps = await DBOS.listWorkflowSteps('r1');
    assert.deepEqual(steps?.map((s) => [s.functionID, s.output]), [[0, 'r1:a'], [1, 'r1:b'], [2, 'r1:c']]);
  });

  test('a workflow past its recovery attempts resumes from its last completed step', async () => {
    ran.length = 0;
    closeGate();
    epoch++;
    const config = await launch(backend);
    await DBOS.startWorkflow(threeSteps, { workflowID: 'r2' })('r2');
    await until('step b ran', () => count('r2:b') === 1);
    epoch++;
    await crashAndRelaunch(config);
    await until('recovered once', () => count('body:r2') === 2);
    epoch++;
    await crashAndRelaunch(config);
    await until('given up', async () => (await statusOf('r2')) === 'MAX_RECOVERY_ATTEMPTS_EXCEEDED');
    assert.equal(count('body:r2'), 2, 'the third launch did not run it');

    openGate();
    const handle = await DBOS.resumeWorkflow<string>('r2');
    assert.equal(await handle.getResult(), 'r2:a r2:b r2:c');
    assert.deepEqual([count('r2:a'), count('r2:b'), count('r2:c')], [1, 1, 1]);
    const status = await DBOS.getWorkflowStatus('r2');
    assert.equal(status?.status, 'SUCCESS');
    assert.equal(status?.recoveryAttempts, 1);
  });

  test('resuming an ENQUEUED workflow starts it at once, though its queue is full', async () => {
    ran.length = 0;
    closeGate();
    epoch++;
    await launch(backend);
    // The holder takes the queue's only slot and keeps it until the gate opens.
    await DBOS.startWorkflow(threeSteps, { queueName: queue.name, workflowID: 'holder' })('holder');
    await until('the holder runs', async () => count('holder:b') === 1);
    const waiting = await DBOS.startWorkflow(failing, { queueName: queue.name, workflowID: 'waiting' })('waiting');
    await pause(300);
    assert.equal(await statusOf('waiting'), 'ENQUEUED', 'the queue is full');

    const [handle] = await DBOS.resumeWorkflows(['waiting']);
    await assert.rejects(handle!.getResult(), /waiting failed/);
    assert.equal(await statusOf('waiting'), 'ERROR');
    assert.equal(await statusOf('holder'), 'PENDING', 'it ran while the holder still had the slot');
    assert.equal(count('body:waiting'), 1);
    assert.equal(count('waiting:a'), 1);
    await assert.rejects(waiting.getResult(), /waiting failed/);
    openGate();
    assert.equal(await DBOS.retrieveWorkflow('holder').getResult(), 'holder:a holder:b holder:c');
  });

  test('resuming a finished workflow changes nothing', async () => {
    ran.length = 0;
    gate = Promise.resolve();
    epoch++;
    await launch(backend);
    assert.equal(await (await DBOS.startWorkflow(threeSteps, { workflowID: 'ok' })('ok')).getResult(), 'ok:a ok:b ok:c');
    await assert.rejects((await DBOS.startWorkflow(failing, { workflowID: 'bad' })('bad')).getResult(), /bad failed/);
    const before = [await DBOS.getWorkflowStatus('ok'), await DBOS.getWorkflowStatus('bad')];
    const ranBefore = [...ran];

    const handles = await DBOS.resumeWorkflows(['ok', 'bad']);
    assert.deepEqual(handles.map((h) => h.workflowID), ['ok', 'bad']);
    assert.equal(await handles[0]!.getResult(), 'ok:a ok:b ok:c');
    await assert.rejects(handles[1]!.getResult(), /bad failed/);
    await pause(300);
    assert.deepEqual([await DBOS.getWorkflowStatus('ok'), await DBOS.getWorkflowStatus('bad')], before);
    assert.deepEqual(ran, ranBefore, 'nothing ran again');
  });

  test('a resumed workflow can be cancelled again', async () => {
    ran.length = 0;
    closeGate();
    epoch++;
    await launch(backend);
    await DBOS.startWorkflow(threeSteps, { workflowID: 'twice' })('twice');
    await until('step b ran', () => count('twice:b') === 1);
    await DBOS.cancelWorkflow('twice');
    openGate();
    await assert.rejects(DBOS.retrieveWorkflow('twice').getResult(), DBOSAwaitedWorkflowCancelledError);

    closeGate();
    const resumed = await DBOS.resumeWorkflow<string>('twice');
    await until('the resumed body waits at the gate', () => count('body:twice') === 2);
    assert.equal(await statusOf('twice'), 'PENDING');
    await DBOS.cancelWorkflow('twice');
    openGate();
    await assert.rejects(resumed.getResult(), (error: Error) =>
      error instanceof DBOSWorkflowCancelledError || error instanceof DBOSAwaitedWorkflowCancelledError);
    assert.equal(await statusOf('twice'), 'CANCELLED');
    assert.deepEqual([count('twice:a'), count('twice:b'), count('twice:c')], [1, 1, 0]);
  });

  // Regressions: the queue runner must start the resumed execution, not adopt the cancelled one still in
  // engine.running; and the cancellation watcher's 1 s check, if its read straddled the cancel and the resume,
  // must mark only the execution it read about, not the resumed one (which would then wait forever).
  test('resumed while its cancelled execution is still blocked here, the workflow finishes', async () => {
    ran.length = 0;
    atGateNow.length = 0;
    closeGate();
    epoch++;
    await launch(backend);
    await DBOS.startWorkflow(threeSteps, { workflowID: 'quick' })('quick');
    // Not just "b ran": b's checkpoint must be committed, or the resumed execution rightly runs b again.
    await until('the body reached the gate, b recorded', () => atGateNow.includes('quick'));
    await DBOS.cancelWorkflow('quick');
    // The cancelled body still waits at the gate when the resume comes.
    const resumed = await DBOS.resumeWorkflow<string>('quick');
    openGate();
    const gaveUp = new Promise((resolve) => setTimeout(() => resolve('no result within 10 s'), 10_000).unref());
    const result = await Promise.race([resumed.getResult().catch((error: Error) => error), gaveUp]);
    const status = await DBOS.getWorkflowStatus('quick');
    assert.equal(result, 'quick:a quick:b quick:c', `status ${status?.status}, error ${JSON.stringify(status?.error)}`);
    assert.equal(status?.status, 'SUCCESS');
    assert.deepEqual([count('quick:a'), count('quick:b'), count('quick:c')], [1, 1, 1]);
  });

  test("a cancelled execution's late step outcome does not strand the resumed execution (it starts over and replays it)", async () => {
    ran.length = 0;
    await launch(backend);
    await DBOS.startWorkflow(lateWriter, { workflowID: 'late' })();
    const gaveUp = new Promise((resolve) => setTimeout(() => resolve('no result within 10 s'), 10_000).unref());
    const result = await Promise.race([DBOS.retrieveWorkflow('late').getResult(), gaveUp]);
    assert.equal(result, 'late:a late:b late:c');
    assert.equal(await statusOf('late'), 'SUCCESS');
    // b ran in both executions (the first one's outcome is the one recorded); a and c once each.
    assert.deepEqual([count('late:a'), count('late:b'), count('late:c')], [1, 2, 1]);
  });
});
