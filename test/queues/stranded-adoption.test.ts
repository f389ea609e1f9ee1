/**
 * One adoption pass (queues/stranded-adoption.ts), run by hand in a launched
 * v2 process: a never-started workflow enqueued for v1 replays trivially and is
 * adopted and run; a workflow this code does not register is refused with a
 * warning once, and not replayed again by later passes; the restamp is
 * conditional, so a live process of the old version keeps its workflows.
 */
import assert from 'node:assert/strict';
import { afterEach, test } from 'node:test';
import { DBOS, DBOSClient, WorkflowQueue, type DBOSConfig } from '../../src/index.ts';
import { internalQueueName } from '../../src/engine/recovery.ts';
import { StrandedAdoption } from '../../src/queues/stranded-adoption.ts';
import { engineFor } from '../../src/runtime/runtime.ts';
import { resolveConfig } from '../../src/runtime/resolve-config.ts';
import { forEachBackend } from '../helpers/backends.ts';
import { capturingLogger, rawQuery, type CapturingLogger } from '../helpers/system-database-targets.ts';

const queue = new WorkflowQueue('stranded-adoption.queue');
DBOS.registerWorkflow(async (text: string) => `echo ${text}`, { name: 'stranded-adoption.echo' });

forEachBackend('adopting stranded workflows', (backend) => {
  let client: DBOSClient | undefined;
  afterEach(async () => {
    await DBOS.shutdown();
    await client?.destroy();
    client = undefined;
  });

  /** v2 launched (no adoption loop: the test runs passes itself), and a client to enqueue for v1. */
  async function launchV2(): Promise<{ config: DBOSConfig; logger: CapturingLogger }> {
    const config = backend.freshConfig();
    const logger = capturingLogger();
    DBOS.setConfig({ ...config, applicationVersion: 'v2', logger });
    await DBOS.launch();
    client = await DBOSClient.create({ systemDatabaseUrl: config.systemDatabaseUrl!, systemDatabaseSchemaName: config.systemDatabaseSchemaName });
    return { config, logger };
  }

  test('a compatible workflow is adopted and runs; an unregistered one is refused once, with the reason', async () => {
    const { logger } = await launchV2();
    await client!.enqueue({ workflowName: 'stranded-adoption.echo', queueName: queue.name, workflowID: 'compatible', appVersion: 'v1' }, 'hi');
    await client!.enqueue({ workflowName: 'stranded-adoption.gone', queueName: queue.name, workflowID: 'unknown', appVersion: 'v1' });
    assert.deepEqual((await DBOS.listWorkflows({ stranded: true })).map((w) => w.workflowID).sort(), ['compatible', 'unknown']);

    const adoption = new StrandedAdoption(engineFor('test'), 60_000);
    const reports = await adoption.adoptOnce();
    assert.deepEqual(
      reports.map((r) => [r.workflowID, r.fromVersion, r.adopted]),
      [['compatible', 'v1', true], ['unknown', 'v1', false]],
    );
    assert.match(reports[1]!.reason!, /Workflow "stranded-adoption\.gone" is not registered by this code/);
    assert.equal(await DBOS.retrieveWorkflow('compatible').getResult(), 'echo hi');
    const adopted = await DBOS.getWorkflowStatus('compatible');
    assert.deepEqual([adopted?.status, adopted?.applicationVersion], ['SUCCESS', 'v2']);

    assert.deepEqual(await adoption.adoptOnce(), [], 'a refused workflow is not replayed again');
    const refusals = logger.lines.filter((line) => line.level === 'warn' && line.message.includes('did not adopt it'));
    assert.equal(refusals.length, 1);
    assert.match(refusals[0]!.message, /^Workflow unknown \(stranded-adoption\.gone\) is stranded under application version v1, which no live process runs/);
    assert.deepEqual((await DBOS.listWorkflows({ stranded: true })).map((w) => [w.workflowID, w.applicationVersion]), [['unknown', 'v1']]);
  });

  test('the restamp applies only while the workflow is still stranded under its old version', async () => {
    const { config } = await launchV2();
    await client!.enqueue({ workflowName: 'stranded-adoption.echo', queueName: queue.name, workflowID: 'contested', appVersion: 'v1' }, 'x');
    const { systemDatabase } = engineFor('test');
    const now = Date.now();
    const adoption = { workflowID: 'contested', toVersion: 'v2', fallbackQueue: internalQueueName, liveSinceEpochMs: now - 60_000, now };
    await rawQuery(resolveConfig(config).target, 'INSERT INTO durably_executors (executor_id, application_version, heartbeat_at, started_at) VALUES ($1, $2, $3, $3)', [
      'back-v1',
      'v1',
      now,
    ]);
    assert.equal(await systemDatabase.adoptStrandedWorkflow({ ...adoption, fromVersion: 'v1' }), false, 'a v1 process is back');
    await rawQuery(resolveConfig(config).target, 'DELETE FROM durably_executors WHERE executor_id = $1', ['back-v1']);
    assert.equal(await systemDatabase.adoptStrandedWorkflow({ ...adoption, fromVersion: 'v0' }), false, 'not the version it was verified under');
    assert.equal(await systemDatabase.adoptStrandedWorkflow({ ...adoption, fromVersion: 'v1' }), true);
    assert.equal(await systemDatabase.adoptStrandedWorkflow({ ...adoption, fromVersion: 'v1' }), false, 'adopted already');
    assert.equal(await DBOS.retrieveWorkflow('contested').getResult(), 'echo x');
  });
});
