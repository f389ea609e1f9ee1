/**
 * Settings of database-backed queues changed at runtime (DBOS's setX / getX
 * on a registered queue): stored, validated, read back by any handle, applied
 * by the dequeuer at once; queues declared in code keep fixed settings. And
 * registerQueue's onConflict 'update_if_latest_version', which lets only a
 * process of the latest application version redefine a queue.
 */
import assert from 'node:assert/strict';
import { afterEach, test } from 'node:test';
import { DBOS, DBOSConfigurationError, DBOSQueueNotFoundError, WorkflowQueue } from '../../src/index.ts';
import { forEachBackend } from '../helpers/backends.ts';
import { crashAndRelaunch, launch } from '../helpers/lifecycle.ts';
import { overlap, runOverlapTasks } from './fixtures/overlap-task.ts';

const inCode = new WorkflowQueue('settings-in-code', { concurrency: 3, workerConcurrency: 2 });


forEachBackend('queue settings at runtime', (backend) => {
  afterEach(() => DBOS.shutdown());

  test('setX changes a registered queue; getX and any other handle read the stored value', async () => {
    await launch(backend);
    const queue = await DBOS.registerQueue('tunable', { concurrency: 4 });
    await queue.setConcurrency(2);
    await queue.setWorkerConcurrency(1);
    await queue.setRateLimit({ limitPerPeriod: 10, periodSec: 2 });
    await queue.setPartitionConcurrency(2);
    await queue.setMinPollingIntervalMs(250);
    assert.equal(queue.concurrency, 2, 'the handle remembers what it set');

    const other = (await DBOS.retrieveQueue('tunable'))!;
    assert.equal(await other.getConcurrency(), 2);
    assert.equal(await other.getGlobalConcurrency(), 2);
    assert.equal(await other.getWorkerConcurrency(), 1);
    assert.deepEqual(await other.getRateLimit(), { limitPerPeriod: 10, periodSec: 2 });
    assert.equal(await other.getPartitionConcurrency(), 2);
    assert.equal(await other.getMinPollingIntervalMs(), 250);

    // undefined removes a limit; a change through one handle is seen by the other's getters.
    await other.setGlobalConcurrency(undefined);
    await other.setRateLimit(undefined);
    assert.equal(await queue.getConcurrency(), undefined);
    assert.equal(queue.concurrency, undefined, 'a getter refreshes the handle');
    assert.equal(await queue.getRateLimit(), undefined);
    assert.equal(await queue.getWorkerConcurrency(), 1, 'other settings are kept');
  });

  test('a lowered concurrency applies to the next dequeues of this process', async () => {
    await launch(backend);
    const queue = await DBOS.registerQueue('narrowed', { concurrency: 5 });
    await queue.setConcurrency(1);
    await runOverlapTasks('narrowed', 4, 50);
    assert.equal(overlap.max, 1);
  });

  test('invalid settings are refused and change nothing; a deleted queue cannot be set', async () => {
    await launch(backend);
    const queue = await DBOS.registerQueue('strict', { concurrency: 2 });
    await assert.rejects(queue.setWorkerConcurrency(3), DBOSConfigurationError, 'workerConcurrency above concurrency');
    await assert.rejects(queue.setConcurrency(0), DBOSConfigurationError);
    await assert.rejects(queue.setRateLimit({ limitPerPeriod: 1, periodSec: -1 }), DBOSConfigurationError);
    assert.equal(await queue.getConcurrency(), 2);
    assert.equal(await queue.getWorkerConcurrency(), undefined);

    await DBOS.deleteQueue('strict');
    await assert.rejects(queue.setConcurrency(1), DBOSQueueNotFoundError);
    await assert.rejects(queue.getConcurrency(), DBOSQueueNotFoundError);
    assert.equal(await DBOS.retrieveQueue('strict'), null, 'a set does not bring a deleted queue back');
  });

  test('a queue declared in code reports its settings but cannot change them', async () => {
    await launch(backend);
    assert.equal(await inCode.getConcurrency(), 3);
    assert.equal(await inCode.getWorkerConcurrency(), 2);
    await assert.rejects(inCode.setConcurrency(1), (error: Error) => {
      assert.ok(error instanceof DBOSConfigurationError);
      assert.match(error.message, /declared in code/);
      return true;
    });
    assert.equal(inCode.concurrency, 3);
  });

  test("onConflict 'update_if_latest_version': only a process of the latest version redefines a queue", async () => {
    const config = await launch(backend, { applicationVersion: 'v1' });
    await DBOS.registerQueue('rolling', { concurrency: 1 });

    await crashAndRelaunch({ ...config, applicationVersion: 'v2' });
    const fromLatest = await DBOS.registerQueue('rolling', { concurrency: 2, onConflict: 'update_if_latest_version' });
    assert.equal(fromLatest.concurrency, 2, 'v2 is the latest version: it redefines the queue');

    await crashAndRelaunch({ ...config, applicationVersion: 'v1' });
    const fromOld = await DBOS.registerQueue('rolling', { concurrency: 5, onConflict: 'update_if_latest_version' });
    assert.equal(fromOld.concurrency, 2, 'v1 is older: the stored definition stays');
    assert.equal(await (await DBOS.retrieveQueue('rolling'))!.getConcurrency(), 2);
    const byDefault = await DBOS.registerQueue('rolling', { concurrency: 7 });
    assert.equal(byDefault.concurrency, 2, "DBOS's default onConflict is update_if_latest_version: v1 keeps the stored definition");
    const forced = await DBOS.registerQueue('rolling', { concurrency: 7, onConflict: 'always_update' });
    assert.equal(forced.concurrency, 7, 'always_update overwrites from any version');
    await DBOS.registerQueue('rolling', { concurrency: 2, onConflict: 'always_update' });

    await DBOS.setLatestApplicationVersion('v1');
    const promoted = await DBOS.registerQueue('rolling', { concurrency: 5, onConflict: 'update_if_latest_version' });
    assert.equal(promoted.concurrency, 5, 'once promoted, v1 redefines it');
  });
});
