/**
 * DBOSClient.renameApplication (DBOS 5.3): an application's queues,
 * schedules, versions and workflows become another name's, in batches for the
 * history; unowned rows only with adoptUnclaimedRows; counts by table.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { DBOS, DBOSClient, DBOSConfigurationError, type DBOSConfig } from '../../src/index.ts';
import { forEachBackend } from '../helpers/backends.ts';

const step = DBOS.registerStep(async (n: number) => n + 1, { name: 'rename.step' });
const twoSteps = DBOS.registerWorkflow(async (n: number) => step(await step(n)), { name: 'rename.twoSteps' });

/** Never fires in a test run (February 30th). */
const never = '0 0 30 2 *';

function clientFor(config: DBOSConfig, applicationName: string | undefined): Promise<DBOSClient> {
  return DBOSClient.create({ systemDatabaseUrl: config.systemDatabaseUrl!, systemDatabaseSchemaName: config.systemDatabaseSchemaName, applicationName });
}

async function enqueueCancelled(client: DBOSClient, workflowID: string): Promise<void> {
  await client.enqueue({ queueName: 'nobody-dequeues', workflowName: 'rename.elsewhere', workflowID });
  await client.cancelWorkflow(workflowID);
}

forEachBackend('DBOSClient.renameApplication', (backend) => {
  test('moves one application to a new name in batches, adopts unowned rows only when asked, and counts by table', async () => {
    const config = backend.freshConfig({ name: 'old-app' });
    DBOS.setConfig(config);
    await DBOS.launch(); // registers old-app's version; two finished workflows of 2 steps each
    await DBOS.startWorkflow(twoSteps)(1).then((h) => h.getResult());
    await DBOS.startWorkflow(twoSteps)(2).then((h) => h.getResult());
    await DBOS.shutdown();

    const oldClient = await clientFor(config, 'old-app');
    const unowned = await clientFor(config, undefined);
    const newClient = await clientFor(config, 'new-app');
    try {
      await oldClient.registerQueue('old-queue', { concurrency: 2 });
      await oldClient.createSchedule({ scheduleName: 'old-schedule', workflowName: 'rename.elsewhere', schedule: never });
      for (const id of ['in-flight-1', 'in-flight-2', 'in-flight-3']) {
        await oldClient.enqueue({ queueName: 'nobody-dequeues', workflowName: 'rename.elsewhere', workflowID: id });
      }
      await enqueueCancelled(oldClient, 'old-cancelled');
      await enqueueCancelled(unowned, 'unowned-cancelled');

      await assert.rejects(oldClient.renameApplication(undefined, 'new-app'), (error: unknown) =>
        error instanceof DBOSConfigurationError && /adoptUnclaimedRows/.test(error.message));
      await assert.rejects(oldClient.renameApplication('old-app', 'new-app', { batchSize: 0 }), /batchSize/);

      assert.deepEqual(await oldClient.renameApplication('old-app', 'new-app', { batchSize: 2 }), {
        queues: 1, schedules: 1, versions: 1, workflows: 6, steps: 0,
      });
      const ids = async (client: DBOSClient) => (await client.listWorkflows({})).map((w) => w.workflowID).sort();
      assert.deepEqual(await ids(oldClient), ['unowned-cancelled'], 'old-app owns nothing any more');
      assert.equal((await ids(newClient)).length, 7);
      assert.equal((await newClient.getSchedule('old-schedule'))?.applicationName, 'new-app');
      assert.deepEqual((await newClient.listQueues('new-app')).map((q) => q.name), ['old-queue']);
      assert.deepEqual((await newClient.listApplicationVersions()).map((v) => v.applicationName), ['new-app']);
      assert.equal((await newClient.getWorkflow('in-flight-1'))?.applicationName, 'new-app');

      // durably's step rows are unowned: adopted with the unowned workflow, in one transaction.
      assert.deepEqual(await newClient.renameApplication(undefined, 'new-app', { adoptUnclaimedRows: true, batchSize: null }), {
        queues: 0, schedules: 0, versions: 0, workflows: 1, steps: 4,
      });
      assert.equal((await newClient.getWorkflow('unowned-cancelled'))?.applicationName, 'new-app');
      // Renaming to the current name would move nothing: refused, as in DBOS.
      await assert.rejects(newClient.renameApplication('new-app', 'new-app', { batchSize: 1 }), /Application 'new-app' already holds that name/);
    } finally {
      await Promise.all([oldClient.destroy(), unowned.destroy(), newClient.destroy()]);
    }
  });
});
