/**
 * Queue semantics, durability (issue 3): enqueueing from a workflow is a
 * recorded operation, so a replayed parent gets a handle to the same child
 * and never enqueues twice; a queued workflow interrupted by a crash goes
 * back to its queue at relaunch and resumes from its last completed step,
 * under the queue's limits. The "crash" is a shutdown under a workflow
 * blocked on a gate that never opens (see test/engine/replay.test.ts).
 */
import assert from 'node:assert/strict';
import { afterEach, beforeEach, test } from 'node:test';
import { DBOS, WorkflowQueue } from '../../src/index.ts';
import { deferred, type Deferred } from '../../src/support/deferred.ts';
import { forEachBackend } from '../helpers/backends.ts';
import { crashAndRelaunch, launch, stepOutcomes } from '../helpers/lifecycle.ts';

const childQueue = new WorkflowQueue('semantics-recovery.children');
const parentQueue = new WorkflowQueue('semantics-recovery.parents');
const serialQueue = new WorkflowQueue('semantics-recovery.serial', { concurrency: 1 });

// Each execution waits on the gate current when it gets there. Gates of crashed executions never open.
let gate: Deferred<void> = deferred();
let reached: Deferred<void> = deferred();
async function blockHere(): Promise<void> {
  reached.resolve();
  await gate.promise;
}
function openGateForNextExecution(): void {
  gate = deferred();
  gate.resolve();
}

const counts = { child: 0, parent: 0, before: 0, after: 0 };
const seenChildIDs: string[] = [];
type Event = { kind: 'start' | 'end'; label: string };
const events: Event[] = [];

const child = DBOS.registerWorkflow(async (x: number) => {
  counts.child++;
  return x * 10;
}, { name: 'semantics-recovery.child' });

const parent = DBOS.registerWorkflow(async (x: number) => {
  counts.parent++;
  const handle = await DBOS.startWorkflow(child, { queueName: childQueue.name })(x);
  seenChildIDs.push(handle.workflowID);
  await blockHere();
  return { childID: handle.workflowID, result: await handle.getResult() };
}, { name: 'semantics-recovery.parent' });

const stepBefore = DBOS.registerStep(async (label: string) => {
  counts.before++;
  return `${label}:before`;
}, { name: 'semantics-recovery.stepBefore' });
const stepAfter = DBOS.registerStep(async (label: string) => {
  counts.after++;
  return `${label}:after`;
}, { name: 'semantics-recovery.stepAfter' });

/** Runs on the serial queue: a step, the gate, a step; records when it runs. */
const interruptible = DBOS.registerWorkflow(async (label: string) => {
  events.push({ kind: 'start', label });
  const first = await stepBefore(label);
  if (label === 'victim') await blockHere();
  const second = await stepAfter(label);
  events.push({ kind: 'end', label });
  return [first, second];
}, { name: 'semantics-recovery.interruptible' });

forEachBackend('queue semantics: durability across a crash', (backend) => {
  beforeEach(() => {
    gate = deferred();
    reached = deferred();
    for (const key of Object.keys(counts) as (keyof typeof counts)[]) counts[key] = 0;
    seenChildIDs.length = 0;
    events.length = 0;
  });
  afterEach(() => DBOS.shutdown());

  test('a replayed parent gets a handle to the same enqueued child, which ran once', async () => {
    const config = await launch(backend);
    const workflowID = `parent-${Date.now()}`;
    await DBOS.startWorkflow(parent, { workflowID })(4);
    await reached.promise;
    const [childID] = seenChildIDs;
    assert.equal(await DBOS.retrieveWorkflow(childID!).getResult(), 40, 'the child ran before the crash');
    assert.equal((await DBOS.getWorkflowStatus(childID!))?.queueName, childQueue.name);

    openGateForNextExecution(); // for the recovered execution; the crashed one keeps waiting on its gate
    await crashAndRelaunch(config);
    const outcome = await DBOS.retrieveWorkflow<{ childID: string; result: number }>(workflowID).getResult();
    assert.deepEqual(outcome, { childID, result: 40 });
    assert.deepEqual(seenChildIDs, [childID, childID], 'the replay returned the recorded child ID');
    assert.equal(counts.parent, 2, 'the parent ran before the crash and again in recovery');
    assert.equal(counts.child, 1, 'the child was enqueued and ran once');
    const enqueues = (await stepOutcomes(workflowID)).filter((o) => o.functionName === 'semantics-recovery.child');
    assert.deepEqual(enqueues.map((o) => [o.functionID, o.childWorkflowID]), [[0, childID]], 'one recorded enqueue');
  });

  test('a queued parent interrupted by a crash replays its enqueue from its queue', async () => {
    const config = await launch(backend);
    const workflowID = `queued-parent-${Date.now()}`;
    await DBOS.startWorkflow(parent, { workflowID, queueName: parentQueue.name })(7);
    await reached.promise;
    const [childID] = seenChildIDs;
    await DBOS.retrieveWorkflow(childID!).getResult();

    openGateForNextExecution(); // for the recovered execution; the crashed one keeps waiting on its gate
    await crashAndRelaunch(config);
    const outcome = await DBOS.retrieveWorkflow<{ childID: string; result: number }>(workflowID).getResult();
    assert.deepEqual(outcome, { childID, result: 70 });
    assert.equal(counts.child, 1, 'the child ran once');
    const status = await DBOS.getWorkflowStatus(workflowID);
    assert.equal(status?.queueName, parentQueue.name);
    assert.equal(status?.status, 'SUCCESS');
  });

  test('a queued workflow running at a crash goes back to its queue and resumes after its last step', async () => {
    const config = await launch(backend);
    const victim = await DBOS.startWorkflow(interruptible, { queueName: serialQueue.name })('victim');
    await reached.promise;
    const waiting = await DBOS.startWorkflow(interruptible, { queueName: serialQueue.name })('waiting');
    const before = await victim.getStatus();
    assert.equal(before?.status, 'PENDING');
    assert.equal((await waiting.getStatus())?.status, 'ENQUEUED', 'the queue is full');
    assert.equal(counts.before, 1);

    openGateForNextExecution(); // for the recovered execution; the crashed one keeps waiting on its gate
    await crashAndRelaunch(config);
    assert.deepEqual(await DBOS.retrieveWorkflow(victim.workflowID).getResult(), ['victim:before', 'victim:after']);
    assert.deepEqual(await DBOS.retrieveWorkflow(waiting.workflowID).getResult(), ['waiting:before', 'waiting:after']);
    assert.equal(counts.before, 2, 'victim:before ran once (not again in recovery), waiting:before once');
    assert.equal(counts.after, 2);

    const after = await DBOS.getWorkflowStatus(victim.workflowID);
    assert.equal(after?.status, 'SUCCESS');
    assert.equal(after?.queueName, serialQueue.name, 'it stayed on its queue');
    assert.ok(after!.dequeuedAt! > before!.dequeuedAt!, 'it was dequeued again after the relaunch');
    assert.equal(after?.recoveryAttempts, 2, 'dequeued twice');
    // After the crash the serial queue still ran one at a time: the recovered victim first (FIFO), then the other.
    const resumed = events.slice(1); // after the crashed execution's start
    assert.deepEqual(resumed.map((e) => `${e.kind}:${e.label}`), ['start:victim', 'end:victim', 'start:waiting', 'end:waiting']);
  });
});
