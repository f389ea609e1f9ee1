/**
 * DBOS.listWorkflows: each filter (workflowIDs, workflowName, status,
 * startTime/endTime, applicationVersion, queueName) alone and combined,
 * oldest first unless sortDesc, paged by limit/offset, with inputs and
 * outputs left out on request. DBOS.listWorkflowSteps: every recorded
 * operation with its ordinal, name, output or error, child workflow ID and
 * times; undefined for an unknown workflow.
 */
import assert from 'node:assert/strict';
import { afterEach, test } from 'node:test';
import { DBOS, DBOSConfigurationError, WorkflowQueue, type GetWorkflowsInput, type WorkflowStatus } from '../../src/index.ts';
import { forEachBackend } from '../helpers/backends.ts';
import { crashAndRelaunch, launch } from '../helpers/lifecycle.ts';

const queue = new WorkflowQueue('listing-queue');

const echo = DBOS.registerWorkflow(async (label: string) => `out:${label}`, { name: 'list.echo' });
const fails = DBOS.registerWorkflow(async (label: string) => {
  throw new Error(`failed:${label}`);
}, { name: 'list.fails' });

const okStep = DBOS.registerStep(async (n: number) => ({ n, doubled: 2 * n }), { name: 'list.okStep' });
const badStep = DBOS.registerStep(async () => {
  throw new Error('step broke');
}, { name: 'list.badStep' });

/** Function IDs: 0 okStep, 1 badStep (caught), 2 start of a child, 3 DBOS.getResult of it, 4 DBOS.sleep. */
const withSteps = DBOS.registerWorkflow(async () => {
  const first = await okStep(21);
  let caught = '';
  try {
    await badStep();
  } catch (error) {
    caught = (error as Error).message;
  }
  const child = await DBOS.startWorkflow(echo)('child');
  const childResult = await child.getResult();
  await DBOS.sleep(5);
  return { first, caught, childResult };
}, { name: 'list.withSteps' });

const pause = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));
const ids = (statuses: readonly WorkflowStatus[]) => statuses.map((s) => s.workflowID);
const iso = (epochMs: number) => new Date(epochMs).toISOString();

forEachBackend('listing workflows and their steps', (backend) => {
  afterEach(() => DBOS.shutdown());

  test('listWorkflows: each filter, combined filters, order, paging and what is loaded', async () => {
    const config = await launch(backend, { applicationVersion: 'v1' });
    await (await DBOS.startWorkflow(echo, { workflowID: 'a1' })('a1')).getResult();
    await pause(5);
    await assert.rejects((await DBOS.startWorkflow(fails, { workflowID: 'a2' })('a2')).getResult(), /failed:a2/);
    await pause(5);
    await crashAndRelaunch({ ...config, applicationVersion: 'v2' });
    await (await DBOS.startWorkflow(echo, { workflowID: 'b1', queueName: queue.name })('b1')).getResult();
    await pause(5);
    await (await DBOS.startWorkflow(echo, { workflowID: 'b2' })('b2')).getResult();
    const list = (input: GetWorkflowsInput) => DBOS.listWorkflows(input).then(ids);

    const all = await DBOS.listWorkflows();
    assert.deepEqual(ids(all), ['a1', 'a2', 'b1', 'b2'], 'oldest first');
    const created = Object.fromEntries(all.map((w) => [w.workflowID, w.createdAt]));
    assert.ok(created.a1! < created.a2! && created.a2! < created.b1! && created.b1! < created.b2!);

    assert.deepEqual(await list({ workflowIDs: ['b2', 'a1'] }), ['a1', 'b2']);
    assert.deepEqual(await list({ workflowIDs: ['missing'] }), []);
    assert.deepEqual(await list({ workflowName: 'list.echo' }), ['a1', 'b1', 'b2']);
    assert.deepEqual(await list({ workflowName: ['list.fails', 'list.echo'] }), ['a1', 'a2', 'b1', 'b2']);
    assert.deepEqual(await list({ status: 'ERROR' }), ['a2']);
    assert.deepEqual(await list({ status: ['SUCCESS'] }), ['a1', 'b1', 'b2']);
    assert.deepEqual(await list({ status: 'PENDING' }), []);
    assert.deepEqual(await list({ startTime: iso(created.a2!) }), ['a2', 'b1', 'b2'], 'startTime is inclusive');
    assert.deepEqual(await list({ endTime: iso(created.b1!) }), ['a1', 'a2', 'b1'], 'endTime is inclusive');
    assert.deepEqual(await list({ startTime: iso(created.a2!), endTime: iso(created.b1!) }), ['a2', 'b1']);
    assert.deepEqual(await list({ startTime: iso(created.b2! + 1) }), []);
    assert.deepEqual(await list({ applicationVersion: 'v1' }), ['a1', 'a2']);
    assert.deepEqual(await list({ applicationVersion: ['v2'] }), ['b1', 'b2']);
    assert.deepEqual(await list({ queueName: queue.name }), ['b1']);
    assert.deepEqual(await list({ workflowName: 'list.echo', applicationVersion: 'v1' }), ['a1']);
    assert.deepEqual(await list({ workflowName: 'list.echo', status: 'ERROR' }), []);

    assert.deepEqual(await list({ sortDesc: true }), ['b2', 'b1', 'a2', 'a1']);
    assert.deepEqual(await list({ limit: 2 }), ['a1', 'a2']);
    assert.deepEqual(await list({ limit: 2, offset: 2 }), ['b1', 'b2']);
    assert.deepEqual(await list({ limit: 3, offset: 3 }), ['b2']);
    assert.deepEqual(await list({ offset: 1 }), ['a2', 'b1', 'b2']);
    assert.deepEqual(await list({ offset: 4 }), []);
    assert.deepEqual(await list({ limit: 0 }), []);
    assert.deepEqual(await list({ sortDesc: true, limit: 1 }), ['b2']);
    assert.deepEqual(await list({ sortDesc: true, limit: 2, offset: 1 }), ['b1', 'a2']);
    assert.deepEqual(await list({ workflowName: 'list.echo', sortDesc: true, limit: 2 }), ['b2', 'b1']);

    const [a1, a2] = all;
    assert.deepEqual([a1!.input, a1!.output, a1!.error], [['a1'], 'out:a1', undefined]);
    assert.ok(a2!.error instanceof Error && a2!.error.message === 'failed:a2');
    assert.deepEqual([a2!.status, a2!.applicationVersion, all[2]!.applicationVersion], ['ERROR', 'v1', 'v2']);
    const noInput = await DBOS.listWorkflows({ workflowIDs: ['a1', 'a2'], loadInput: false });
    assert.deepEqual(noInput.map((w) => [w.input, w.output]), [[undefined, 'out:a1'], [undefined, undefined]]);
    assert.ok(noInput[1]!.error instanceof Error);
    const noOutput = await DBOS.listWorkflows({ workflowIDs: ['a1', 'a2'], loadOutput: false });
    assert.deepEqual(noOutput.map((w) => [w.input, w.output, w.error]), [[['a1'], undefined, undefined], [['a2'], undefined, undefined]]);
    const neither = await DBOS.listWorkflows({ workflowIDs: ['b1'], loadInput: false, loadOutput: false });
    assert.deepEqual([neither[0]!.input, neither[0]!.output, neither[0]!.status], [undefined, undefined, 'SUCCESS']);
  });

  test('listWorkflows rejects unknown filters and malformed values', async () => {
    await launch(backend);
    await assert.rejects(DBOS.listWorkflows({ colour: 'red' } as GetWorkflowsInput), DBOSConfigurationError);
    await assert.rejects(DBOS.listWorkflows({ startTime: 'yesterday' }), DBOSConfigurationError);
    await assert.rejects(DBOS.listWorkflows({ limit: -1 }), DBOSConfigurationError);
  });

  test('listWorkflowSteps: ordinal, name, output or error, child workflow ID and times of each step', async () => {
    await launch(backend);
    const before = Date.now();
    const handle = await DBOS.startWorkflow(withSteps, { workflowID: 'stepped' })();
    assert.deepEqual(await handle.getResult(), { first: { n: 21, doubled: 42 }, caught: 'step broke', childResult: 'out:child' });
    const after = Date.now();

    const steps = await DBOS.listWorkflowSteps('stepped');
    assert.ok(steps);
    assert.deepEqual(steps.map((s) => [s.functionID, s.name]), [
      [0, 'list.okStep'], [1, 'list.badStep'], [2, 'list.echo'], [3, 'DBOS.getResult'], [4, 'DBOS.sleep'],
    ]);
    assert.deepEqual([steps[0]!.output, steps[0]!.error, steps[0]!.childWorkflowID], [{ n: 21, doubled: 42 }, null, null]);
    assert.equal(steps[1]!.output, null);
    assert.ok(steps[1]!.error instanceof Error, 'the error is an Error again');
    assert.equal(steps[1]!.error.message, 'step broke');
    assert.deepEqual([steps[2]!.childWorkflowID, steps[2]!.error], ['stepped-2', null]);
    assert.deepEqual([steps[3]!.childWorkflowID, steps[3]!.output], ['stepped-2', 'out:child']);
    for (const step of steps) {
      const { startedAtEpochMs: started, completedAtEpochMs: completed } = step;
      assert.ok(started !== undefined && completed !== undefined, `step ${step.functionID} has times`);
      assert.ok(before <= started && started <= completed && completed <= after + 10, `step ${step.functionID}: ${started}..${completed}`);
    }
    assert.ok(steps[4]!.completedAtEpochMs! >= steps[4]!.startedAtEpochMs! + 5, 'the sleep records its wake-up time');

    assert.deepEqual(await DBOS.listWorkflowSteps('stepped-2'), [], 'a workflow without steps');
    assert.equal(await DBOS.listWorkflowSteps('no-such-workflow'), undefined);
  });
});
