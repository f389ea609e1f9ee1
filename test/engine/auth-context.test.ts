/**
 * The authenticated user, roles and assumed role: recorded on started
 * workflows (from the context or StartWorkflowParams), seen by the workflow
 * and its steps, inherited by child workflows, kept when a workflow is
 * dequeued, and restored after a SIGKILL when another process recovers it.
 * DBOS.runWithContext sets them (and the next ID, queue and timeout) for its
 * callback only, nested calls restoring the outer values; options durably
 * cannot honour are refused.
 */
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { afterEach, test } from 'node:test';
import { DBOS, DBOSConfigurationError, WorkflowQueue } from '../../src/index.ts';
import { forEachBackend } from '../helpers/backends.ts';
import { crashAndRelaunch, launch } from '../helpers/lifecycle.ts';
import { freshLogPath, killAllChildren, removeLog, startChild } from '../processes/child-process.ts';

const authScript = join(import.meta.dirname, '..', 'processes', 'fixtures', 'auth-worker.ts');
const authQueue = new WorkflowQueue('auth-context.queue');

const whoAmI = () => ({ user: DBOS.authenticatedUser, roles: DBOS.authenticatedRoles, role: DBOS.assumedRole });

const seenInStep = DBOS.registerStep(async () => whoAmI(), { name: 'authContext.seenInStep' });

const child = DBOS.registerWorkflow(async () => ({ inWorkflow: whoAmI(), inStep: await seenInStep() }), {
  name: 'authContext.child',
});

const parent = DBOS.registerWorkflow(async () => {
  const own = whoAmI();
  const fromChild = await child();
  return { own, fromChild };
}, { name: 'authContext.parent' });

/** Waits, outside any step, until the test lets it go (so a relaunch can recover it). */
let release: () => void = () => undefined;
let held = new Promise<void>((resolve) => (release = resolve));
const heldWorkflow = DBOS.registerWorkflow(async () => {
  await seenInStep();
  await held;
  return whoAmI();
}, { name: 'authContext.held' });

const alice = { authenticatedUser: 'alice', authenticatedRoles: ['admin', 'reader'], assumedRole: 'admin' };
const aliceSeen = { user: 'alice', roles: ['admin', 'reader'], role: 'admin' };

forEachBackend('auth context', (backend) => {
  let log = '';
  afterEach(async () => {
    release();
    await killAllChildren();
    if (log) removeLog(log);
    await DBOS.shutdown();
  });

  test('recorded on the workflow, seen in workflow code and steps, inherited by children', async () => {
    await launch(backend);
    const handle = await DBOS.runWithContext(alice, () => DBOS.startWorkflow(parent, { workflowID: 'auth-parent' })());
    const result = await handle.getResult();
    assert.deepEqual(result, { own: aliceSeen, fromChild: { inWorkflow: aliceSeen, inStep: aliceSeen } });
    for (const id of ['auth-parent', 'auth-parent-0']) {
      const status = await DBOS.getWorkflowStatus(id);
      assert.equal(status?.authenticatedUser, 'alice', id);
      assert.deepEqual(status?.authenticatedRoles, ['admin', 'reader'], id);
      assert.equal(status?.assumedRole, 'admin', id);
    }
  });

  test('StartWorkflowParams can name the user and roles; without any, nothing is recorded', async () => {
    await launch(backend);
    const named = await DBOS.runWithContext(alice, () =>
      DBOS.startWorkflow(child, { authenticatedUser: 'bob', authenticatedRoles: ['ops'] })(),
    );
    assert.deepEqual((await named.getResult()).inWorkflow, { user: 'bob', roles: ['ops'], role: 'admin' });
    const anonymous = await DBOS.startWorkflow(child)();
    assert.deepEqual((await anonymous.getResult()).inWorkflow, { user: '', roles: [], role: '' });
    assert.equal((await anonymous.getStatus())?.authenticatedUser, '');
    await assert.rejects(DBOS.startWorkflow(child, { authenticatedRoles: 'ops' as never })(), DBOSConfigurationError);
  });

  test('a queued workflow runs as the user who enqueued it', async () => {
    await launch(backend);
    const handle = await DBOS.withAuthedContext('carol', ['viewer'], () =>
      DBOS.startWorkflow(child, { queueName: authQueue.name })(),
    );
    assert.deepEqual((await handle.getResult()).inStep, { user: 'carol', roles: ['viewer'], role: '' });
  });

  test('restored when the workflow is recovered after a relaunch', async () => {
    const config = await launch(backend);
    held = new Promise<void>((resolve) => (release = resolve));
    await DBOS.runWithContext(alice, () => DBOS.startWorkflow(heldWorkflow, { workflowID: 'auth-held' })());
    await crashAndRelaunch(config);
    release();
    assert.deepEqual(await DBOS.retrieveWorkflow('auth-held').getResult(), aliceSeen);
  });

  test('restored after a SIGKILL, when another process recovers the workflow', { timeout: 60_000 }, async () => {
    const config = backend.freshConfig();
    log = freshLogPath();
    const first = startChild('start', ['auth-killed'], { role: 'first', config, log, script: authScript });
    await first.waitForLine('MARK blocked');
    assert.equal((await first.kill()).signal, 'SIGKILL');
    const recovering = startChild('recover', ['auth-killed'], { role: 'recover', config, log, script: authScript });
    const report = await recovering.result();
    assert.deepEqual(report.value, { before: aliceSeen, after: aliceSeen, inWorkflowCode: aliceSeen }, recovering.describe());
    assert.deepEqual(report.status, {
      status: 'SUCCESS',
      authenticatedUser: 'alice',
      authenticatedRoles: ['admin', 'reader'],
      assumedRole: 'admin',
      recoveryAttempts: 2,
    });
  });
});

forEachBackend('DBOS.runWithContext', (backend) => {
  afterEach(() => DBOS.shutdown());

  test('nested calls see their own values and restore the outer ones', async () => {
    await launch(backend);
    const seen: unknown[] = [];
    await DBOS.runWithContext({ authenticatedUser: 'outer', authenticatedRoles: ['a'], assumedRole: 'a' }, async () => {
      seen.push(whoAmI());
      await DBOS.runWithContext({ authenticatedUser: 'inner' }, async () => {
        seen.push(whoAmI());
      });
      seen.push(whoAmI());
    });
    seen.push(whoAmI());
    assert.deepEqual(seen, [
      { user: 'outer', roles: ['a'], role: 'a' },
      { user: 'inner', roles: ['a'], role: 'a' },
      { user: 'outer', roles: ['a'], role: 'a' },
      { user: '', roles: [], role: '' },
    ]);
  });

  test('assigns the next workflow ID (once), the queue and the timeout of started workflows', async () => {
    await launch(backend);
    const [first, second] = await DBOS.runWithContext(
      { idAssignedForNextWorkflow: 'ctx-id', queueAssignedForWorkflows: authQueue.name, workflowTimeoutMS: 60_000 },
      async () => [await DBOS.startWorkflow(child)(), await DBOS.startWorkflow(child)()],
    );
    assert.equal(first!.workflowID, 'ctx-id');
    assert.notEqual(second!.workflowID, 'ctx-id');
    await first!.getResult();
    const status = await first!.getStatus();
    assert.equal(status?.queueName, authQueue.name);
    assert.equal(status?.timeoutMS, 60_000);
  });

  test('refuses options durably does not honour, unknown options and bad values', async () => {
    await launch(backend);
    const run = (options: object) => DBOS.runWithContext(options as never, async () => 'ran');
    await assert.rejects(run({ serializationType: 'portable' }), /serializationType.*not supported/);
    await assert.rejects(run({ logger: { info() {} } }), /logger must have debug, info, warn and error methods/);
    await assert.rejects(run({ authenticatedUsr: 'typo' }), /unknown option "authenticatedUsr"/);
    await assert.rejects(run({ authenticatedRoles: 'admin' }), DBOSConfigurationError);
    await assert.rejects(run({ workflowTimeoutMS: -5 }), DBOSConfigurationError);
    assert.equal(await run({ serializationType: undefined, authenticatedUser: 'x' }), 'ran');
  });
});
