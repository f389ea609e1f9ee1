/**
 * Workflow timeouts: `DBOS.startWorkflow(fn, { timeoutMS })` and
 * `DBOS.withWorkflowTimeout(ms, callback)` record a deadline
 * (status.deadlineEpochMS); at the deadline the workflow is CANCELLED and
 * stops at its next step. A child inherits its parent's deadline (the same
 * deadlineEpochMS) and is cancelled with it; `timeoutMS: null` detaches it.
 */
import assert from 'node:assert/strict';
import { afterEach, beforeEach, test } from 'node:test';
import { DBOS, DBOSWorkflowCancelledError, WorkflowQueue, type WorkflowStatus } from '../../src/index.ts';
import { forEachBackend } from '../helpers/backends.ts';
import { launch } from '../helpers/lifecycle.ts';
import { executions, loopWorkflow, parentWorkflow, stepsOf, type ParentPlan } from '../processes/fixtures/control-workflows.ts';

const queue = new WorkflowQueue('timeouts-queue');

/** Room for a noisy machine between a deadline and the last step that may start before it is noticed. */
const slackMs = 3000;
const pause = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

/** The steps of `label`: contiguous from 0, far fewer than `planned`, none started long after `deadline`. */
async function assertStoppedAtDeadline(label: string, planned: number, deadline: number): Promise<number[]> {
  const steps = stepsOf(executions, label);
  await pause(300);
  assert.deepEqual(stepsOf(executions, label), steps, `${label} went on after it was cancelled`);
  assert.deepEqual(steps, steps.map((_, index) => index));
  assert.ok(steps.length >= 1 && steps.length < planned, `${label} ran ${steps.length} of ${planned} steps`);
  const lastStart = Math.max(...executions.filter((e) => e.event.startsWith(`${label}:step-`)).map((e) => e.at));
  assert.ok(lastStart <= deadline + slackMs, `${label} started a step ${lastStart - deadline} ms after its deadline`);
  return steps;
}

function assertDeadline(status: WorkflowStatus | null, before: number, after: number, timeoutMs: number): number {
  const deadline = status?.deadlineEpochMS;
  assert.ok(deadline !== undefined, 'a deadline is recorded');
  assert.ok(deadline >= before + timeoutMs && deadline <= after + timeoutMs, `deadline ${deadline} not ${timeoutMs} ms after the start`);
  return deadline;
}

forEachBackend('workflow timeouts', (backend) => {
  beforeEach(() => {
    executions.length = 0;
  });
  afterEach(() => DBOS.shutdown());

  test('startWorkflow with timeoutMS: deadline recorded; CANCELLED at it; stops at its next step', async () => {
    await launch(backend);
    const before = Date.now();
    const handle = await DBOS.startWorkflow(loopWorkflow, { workflowID: 'to-start', timeoutMS: 600 })('to-start', 1000, 20);
    const after = Date.now();
    const started = await handle.getStatus();
    assert.equal(started?.timeoutMS, 600);
    const deadline = assertDeadline(started, before, after, 600);

    await assert.rejects(handle.getResult(), DBOSWorkflowCancelledError);
    const status = await handle.getStatus();
    assert.equal(status?.status, 'CANCELLED');
    assert.equal(status?.deadlineEpochMS, deadline);
    // Not before the deadline (a Node timer may fire a few ms early: libuv counts from its cached loop time).
    assert.ok(status?.completedAt !== undefined && status.completedAt >= deadline - 50,
      `cancelled ${deadline - (status?.completedAt ?? 0)} ms before the deadline`);
    const steps = await assertStoppedAtDeadline('to-start', 1000, deadline);
    assert.deepEqual((await DBOS.listWorkflowSteps('to-start'))?.map((s) => s.output), steps);
  });

  test('withWorkflowTimeout sets the deadline of the workflows started in its callback', async () => {
    await launch(backend);
    const before = Date.now();
    const handle = await DBOS.withWorkflowTimeout(600, () =>
      DBOS.startWorkflow(loopWorkflow, { workflowID: 'to-with' })('to-with', 1000, 20));
    // Called directly (not started): its rejection is awaited below, so handle it from the start.
    const direct = assert.rejects(DBOS.withWorkflowTimeout(600, () => loopWorkflow('to-direct', 1000, 20)), DBOSWorkflowCancelledError);
    const after = Date.now();
    const deadline = assertDeadline(await handle.getStatus(), before, after, 600);

    await assert.rejects(handle.getResult(), DBOSWorkflowCancelledError);
    await direct;
    assert.equal((await handle.getStatus())?.status, 'CANCELLED');
    await assertStoppedAtDeadline('to-with', 1000, deadline);
    const others = (await DBOS.listWorkflows({ status: 'CANCELLED' })).filter((w) => w.workflowID !== 'to-with');
    assert.equal(others.length, 1, 'the directly called workflow was cancelled too');
    // A direct call records its deadline as it inserts its row, after `after`.
    await assertStoppedAtDeadline('to-direct', 1000, assertDeadline(others[0]!, before, others[0]!.createdAt, 600));
    // Outside the callback, no timeout applies.
    const free = await DBOS.startWorkflow(loopWorkflow)('to-free', 1, 0);
    assert.equal((await free.getStatus())?.deadlineEpochMS, undefined);
    assert.equal(await free.getResult(), 'to-free:done:0');
  });

  test('a child inherits its parent\'s deadline and is cancelled with it', async () => {
    await launch(backend);
    const plan: ParentPlan = { label: 'to-parent', childSteps: 1000, childPauseMs: 20, parentSteps: 1000, parentPauseMs: 20 };
    const before = Date.now();
    const handle = await DBOS.startWorkflow(parentWorkflow, { workflowID: 'to-parent', timeoutMS: 800 })(plan);
    const after = Date.now();
    const deadline = assertDeadline(await handle.getStatus(), before, after, 800);
    const child = DBOS.retrieveWorkflow('to-parent-0');
    while (stepsOf(executions, 'to-parent-child').length === 0) await pause(5);
    assert.equal((await child.getStatus())?.deadlineEpochMS, deadline, 'the same deadline');
    assert.equal((await child.getStatus())?.parentWorkflowID, 'to-parent');

    await assert.rejects(handle.getResult(), DBOSWorkflowCancelledError);
    await assert.rejects(child.getResult(), (error: Error) => error.constructor.name.endsWith('WorkflowCancelledError'));
    assert.equal((await handle.getStatus())?.status, 'CANCELLED');
    assert.equal((await child.getStatus())?.status, 'CANCELLED');
    await assertStoppedAtDeadline('to-parent', 1000, deadline);
    await assertStoppedAtDeadline('to-parent-child', 1000, deadline);
  });

  test('timeoutMS: null detaches a child from its parent\'s deadline', async () => {
    await launch(backend);
    // The child needs well over the parent's 400 ms: 25 steps, 40 ms apart.
    const plan: ParentPlan = {
      label: 'to-detach', childSteps: 25, childPauseMs: 40, parentSteps: 1000, parentPauseMs: 20, detachChild: true,
    };
    const handle = await DBOS.startWorkflow(parentWorkflow, { workflowID: 'to-detach', timeoutMS: 400 })(plan);
    const deadline = (await handle.getStatus())?.deadlineEpochMS;
    assert.ok(deadline !== undefined);
    await assert.rejects(handle.getResult(), DBOSWorkflowCancelledError);

    const child = DBOS.retrieveWorkflow('to-detach-0');
    assert.equal((await child.getStatus())?.deadlineEpochMS, undefined, 'no deadline');
    assert.equal(await child.getResult(), 'to-detach-child:done:300');
    assert.equal((await child.getStatus())?.status, 'SUCCESS');
    assert.equal(stepsOf(executions, 'to-detach-child').length, 25);
    await assertStoppedAtDeadline('to-detach', 1000, deadline);

    // withWorkflowTimeout(null) inside a timeout detaches too.
    const inner = await DBOS.withWorkflowTimeout(500, () =>
      DBOS.withWorkflowTimeout(null, () => DBOS.startWorkflow(loopWorkflow)('to-null', 1, 0)));
    assert.equal((await inner.getStatus())?.deadlineEpochMS, undefined);
    assert.equal(await inner.getResult(), 'to-null:done:0');
  });

  test('a queued workflow\'s timeout counts from its dequeue', async () => {
    await launch(backend);
    const handle = await DBOS.startWorkflow(loopWorkflow, { queueName: queue.name, timeoutMS: 500 })('to-queued', 1000, 20);
    await assert.rejects(handle.getResult(), (error: Error) => error.constructor.name.endsWith('WorkflowCancelledError'));
    const status = await handle.getStatus();
    assert.equal(status?.status, 'CANCELLED');
    assert.equal(status?.timeoutMS, 500);
    assert.ok(status?.deadlineEpochMS !== undefined && status.deadlineEpochMS >= status.createdAt + 500);
    await assertStoppedAtDeadline('to-queued', 1000, status.deadlineEpochMS);
  });
});
