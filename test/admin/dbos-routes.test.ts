/** DBOS's admin routes over real HTTP on loopback, with DBOS's shapes, on both backends. */
import assert from 'node:assert/strict';
import { afterEach, test } from 'node:test';
import { DBOS, WorkflowQueue } from '../../src/index.ts';
import { forEachBackend } from '../helpers/backends.ts';
import { launch } from '../helpers/lifecycle.ts';
import { adminUrl, freePort, gatedWorkflow, postJson, quickWorkflow, releaseAll, untilAtGate } from './admin-helpers.ts';

const adminQueue = new WorkflowQueue('admin-test-queue', { concurrency: 2, workerConcurrency: 1 });

async function launchWithAdmin(backend: Parameters<typeof launch>[0]): Promise<string> {
  await launch(backend, { runAdminServer: true, adminPort: await freePort() });
  return adminUrl();
}

forEachBackend('admin server: DBOS routes', (backend) => {
  afterEach(async () => {
    releaseAll();
    await DBOS.shutdown();
  });

  test('health, listing, one workflow and its steps in DBOS shapes', async () => {
    const base = await launchWithAdmin(backend);
    const health = await fetch(`${base}/dbos-healthz`);
    assert.equal(health.status, 200);
    assert.equal(await health.text(), 'healthy');

    const handle = await DBOS.startWorkflow(quickWorkflow, { workflowID: 'adm-quick-1' })('one');
    await handle.getResult();
    const listed = await postJson(`${base}/workflows`, { workflow_name: 'admin.quick', load_output: true });
    assert.equal(listed.status, 200);
    const rows = (await listed.json()) as Record<string, unknown>[];
    assert.equal(rows.length, 1);
    assert.equal(rows[0]!.WorkflowUUID, 'adm-quick-1');
    assert.equal(rows[0]!.Status, 'SUCCESS');
    assert.equal(typeof rows[0]!.CreatedAt, 'string');
    assert.equal(rows[0]!.Priority, '0');
    assert.match(String(rows[0]!.Output), /label: 'one'/);
    assert.equal(rows[0]!.Input, undefined, 'inputs are not loaded unless load_input is set');

    const one = await fetch(`${base}/workflows/adm-quick-1`);
    assert.equal(one.status, 200);
    assert.equal(((await one.json()) as Record<string, unknown>).WorkflowName, 'admin.quick');

    const steps = await fetch(`${base}/workflows/adm-quick-1/steps`);
    const stepRows = (await steps.json()) as Record<string, unknown>[];
    assert.deepEqual(stepRows.map((s) => [s.function_id, s.function_name]), [[0, 'admin.gateStep'], [1, 'admin.gateStep']]);
    assert.equal(stepRows[0]!.output, "'step one-1'");
    assert.equal(typeof stepRows[0]!.started_at_epoch_ms, 'string');

    const missing = await fetch(`${base}/workflows/no-such-workflow`);
    assert.equal(missing.status, 404);
    assert.match(((await missing.json()) as { error: string }).error, /no-such-workflow not found/);
    assert.equal((await fetch(`${base}/workflows/no-such-workflow/steps`)).status, 404);
  });

  test('cancel, resume, fork and restart', async () => {
    const base = await launchWithAdmin(backend);
    const running = await DBOS.startWorkflow(gatedWorkflow, { workflowID: 'adm-gated-1' })('g');
    await untilAtGate(running.workflowID);
    const cancel = await postJson(`${base}/workflows/adm-gated-1/cancel`, {});
    assert.equal(cancel.status, 204);
    assert.equal((await running.getStatus())?.status, 'CANCELLED');
    assert.equal((await postJson(`${base}/workflows/adm-gated-1/resume`, {})).status, 204);
    assert.notEqual((await DBOS.getWorkflowStatus('adm-gated-1'))?.status, 'CANCELLED');
    releaseAll();

    const done = await DBOS.startWorkflow(quickWorkflow, { workflowID: 'adm-quick-2' })('two');
    await done.getResult();
    const fork = await postJson(`${base}/workflows/adm-quick-2/fork`, { start_step: 1, new_workflow_id: 'adm-fork-1' });
    assert.equal(fork.status, 200);
    assert.deepEqual(await fork.json(), { workflow_id: 'adm-fork-1' });
    assert.deepEqual(await DBOS.retrieveWorkflow('adm-fork-1').getResult(), { label: 'two', at: new Date(0) });
    assert.equal((await DBOS.getWorkflowStatus('adm-fork-1'))?.forkedFrom, 'adm-quick-2');

    const restart = await postJson(`${base}/workflows/adm-quick-2/restart`, {});
    const restarted = ((await restart.json()) as { workflow_id: string }).workflow_id;
    assert.notEqual(restarted, 'adm-quick-2');
    await DBOS.retrieveWorkflow(restarted).getResult();

    const noStep = await postJson(`${base}/workflows/adm-quick-2/fork`, {});
    assert.equal(noStep.status, 400);
    assert.match(((await noStep.json()) as { error: string }).error, /start_step/);
    assert.equal((await postJson(`${base}/workflows/not-there/cancel`, {})).status, 404);
  });

  test('queues: metadata and queued workflows', async () => {
    const base = await launchWithAdmin(backend);
    const metadata = (await (await fetch(`${base}/dbos-workflow-queues-metadata`)).json()) as Record<string, unknown>[];
    const names = metadata.map((q) => q.name);
    assert.ok(names.includes('_dbos_internal_queue'));
    const mine = metadata.find((q) => q.name === adminQueue.name);
    assert.equal(mine?.workerConcurrency, 1);

    const first = await DBOS.startWorkflow(gatedWorkflow, { workflowID: 'adm-q-1', queueName: adminQueue.name })('q1');
    await DBOS.startWorkflow(gatedWorkflow, { workflowID: 'adm-q-2', queueName: adminQueue.name })('q2');
    await untilAtGate(first.workflowID);
    const queued = (await (await postJson(`${base}/queues`, { queue_name: adminQueue.name })).json()) as Record<string, unknown>[];
    assert.deepEqual(queued.map((w) => [w.WorkflowUUID, w.Status]).sort(), [['adm-q-1', 'PENDING'], ['adm-q-2', 'ENQUEUED']]);
  });

  test('recovery, garbage collection, global timeout and deactivate', async () => {
    const base = await launchWithAdmin(backend);
    const recovered = await postJson(`${base}/dbos-workflow-recovery`, ['some-dead-executor']);
    assert.equal(recovered.status, 200);
    assert.deepEqual(await recovered.json(), []);
    assert.equal((await postJson(`${base}/dbos-workflow-recovery`, { not: 'an array' })).status, 400);

    const old = await DBOS.startWorkflow(quickWorkflow, { workflowID: 'adm-gc-1' })('gc');
    await old.getResult();
    assert.equal((await postJson(`${base}/dbos-garbage-collect`, { cutoff_epoch_timestamp_ms: Date.now() + 1000 })).status, 204);
    assert.equal(await DBOS.getWorkflowStatus('adm-gc-1'), null);

    const stuck = await DBOS.startWorkflow(gatedWorkflow, { workflowID: 'adm-timeout-1' })('t');
    await untilAtGate(stuck.workflowID);
    assert.equal((await postJson(`${base}/dbos-global-timeout`, { cutoff_epoch_timestamp_ms: Date.now() })).status, 204);
    assert.equal((await stuck.getStatus())?.status, 'CANCELLED');
    assert.equal((await postJson(`${base}/dbos-global-timeout`, {})).status, 400);

    const deactivated = await fetch(`${base}/deactivate`);
    assert.equal(deactivated.status, 200);
    assert.equal(await deactivated.text(), 'Deactivated');
  });
});
