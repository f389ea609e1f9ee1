/**
 * durably/testing's helpers: launchTestDBOS on a fresh temporary SQLite
 * database (or the backend's, given in config), restartDBOS as a crash and a
 * deterministic recovery of the workflow that was running, resetDBOS between
 * tests, temporarySystemDatabase's file removed.
 */
import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { dirname } from 'node:path';
import { test } from 'node:test';
import { DBOS } from '../../src/index.ts';
import { deferred } from '../../src/support/deferred.ts';
import { launchTestDBOS, resetDBOS, restartDBOS, temporarySystemDatabase } from '../../src/testing.ts';
import { forEachBackend } from '../helpers/backends.ts';

let executions = 0;
let firstExecutionBlocked = deferred<void>();
const ship = DBOS.registerStep(async (order: string) => `shipped-${order}`, { name: 'testHelpers.ship' });
const pack = DBOS.registerStep(async (order: string) => `packed-${order}`, { name: 'testHelpers.pack' });
const fulfil = DBOS.registerWorkflow(async (order: string) => {
  executions++;
  const packed = await pack(order);
  if (executions === 1) {
    firstExecutionBlocked.resolve();
    await new Promise(() => undefined); // the first execution hangs here until the "crash"
  }
  return [packed, await ship(order)];
}, { name: 'testHelpers.fulfil' });

forEachBackend('durably/testing helpers', (backend) => {
  test('restartDBOS: the running workflow stops, and the relaunch recovers it to its end', async () => {
    executions = 0;
    firstExecutionBlocked = deferred<void>();
    const given = backend.name === 'sqlite' ? {} : backend.freshConfig();
    const launched = await launchTestDBOS(given);
    try {
      const handle = await DBOS.startWorkflow(fulfil, { workflowID: `fulfil-${backend.name}` })('o-1');
      await firstExecutionBlocked.promise;
      const recovered = await restartDBOS(launched.config);
      assert.deepEqual(recovered.map((h) => h.workflowID), [handle.workflowID]);
      assert.deepEqual(await recovered[0]!.getResult(), ['packed-o-1', 'shipped-o-1']);
      assert.equal(executions, 2);
    } finally {
      await launched.close();
    }
    assert.equal(DBOS.isInitialized(), false);
    if (backend.name === 'sqlite') assert.equal(existsSync(launched.config.systemDatabaseUrl!), false, 'its temporary file is removed');
  });
});

test('temporarySystemDatabase and resetDBOS', async () => {
  const database = temporarySystemDatabase();
  DBOS.setConfig({ name: 'helpers', systemDatabaseUrl: database.url, logLevel: 'warn' });
  await DBOS.launch();
  assert.equal(existsSync(database.url), true);
  await resetDBOS();
  assert.equal(DBOS.isInitialized(), false);
  database.remove();
  assert.equal(existsSync(dirname(database.url)), false);
});
