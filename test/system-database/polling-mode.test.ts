/**
 * `useListenNotify: false` (no LISTEN/NOTIFY: waits poll) with
 * `systemDatabasePollingConcurrency`: a workflow, recv (of a message sent in
 * this process, and of one written by "another process", straight into the
 * table), getEvent, and a queue all still work, and the waits' reads never
 * exceed the bound.
 */
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { afterEach, test } from 'node:test';
import { DBOS, WorkflowQueue } from '../../src/index.ts';
import { resolveConfig } from '../../src/runtime/resolve-config.ts';
import { engineFor } from '../../src/runtime/runtime.ts';
import { deferred } from '../../src/support/deferred.ts';
import { PollingNotifier } from '../../src/system-database/polling-notifier.ts';
import { forEachBackend } from '../helpers/backends.ts';
import { rawQuery } from '../helpers/system-database-targets.ts';

const queue = new WorkflowQueue('polling-mode-queue', { concurrency: 2 });
const double = DBOS.registerWorkflow(async (x: number) => x * 2, { name: 'polling-mode.double' });
const receiveTwo = DBOS.registerWorkflow(
  async () => {
    const first = await DBOS.recv<string>('greeting', 30);
    const second = await DBOS.recv<string>('greeting', 30);
    return [first, second];
  },
  { name: 'polling-mode.receiveTwo' },
);
let release = deferred<void>();
const publishLater = DBOS.registerWorkflow(
  async () => {
    await release.promise;
    await DBOS.setEvent('ready', 'yes');
  },
  { name: 'polling-mode.publishLater' },
);

forEachBackend('polling mode (useListenNotify: false)', (backend) => {
  afterEach(async () => {
    release.resolve();
    await DBOS.shutdown();
    release = deferred<void>();
  });

  test('a workflow, recv from this and another process, a queue: all work without LISTEN/NOTIFY', async () => {
    const config = backend.freshConfig({ useListenNotify: false, systemDatabasePollingConcurrency: 2 });
    DBOS.setConfig(config);
    await DBOS.launch();
    if (backend.name === 'postgres') assert.ok(engineFor('test').systemDatabase.notifier instanceof PollingNotifier);
    assert.equal(await (await DBOS.startWorkflow(double)(21)).getResult(), 42);

    const receiver = await DBOS.startWorkflow(receiveTwo, { workflowID: `pm-${randomUUID()}` })();
    await DBOS.send(receiver.workflowID, 'from here', 'greeting');
    // Written by another process: nothing in this one announces it, so only polling finds it.
    await rawQuery(
      resolveConfig(config).target,
      `INSERT INTO notifications (message_uuid, destination_uuid, topic, message, serialization, created_at_epoch_ms, consumed)
       VALUES ($1, $2, 'greeting', '"from elsewhere"', 'js_superjson', $3, FALSE)`,
      // Later than the first message even within one millisecond: recv takes messages oldest first.
      [randomUUID(), receiver.workflowID, Date.now() + 5],
    );
    assert.deepEqual(await receiver.getResult(), ['from here', 'from elsewhere']);

    const queued = [];
    for (let i = 0; i < 5; i++) queued.push(await DBOS.startWorkflow(double, { queueName: queue.name })(i));
    assert.deepEqual(await Promise.all(queued.map((handle) => handle.getResult())), [0, 2, 4, 6, 8]);
  });

  test('systemDatabasePollingConcurrency bounds concurrent wait reads', async () => {
    DBOS.setConfig(backend.freshConfig({ useListenNotify: false, systemDatabasePollingConcurrency: 2 }));
    await DBOS.launch();
    const publisher = await DBOS.startWorkflow(publishLater, { workflowID: `pm-${randomUUID()}` })();
    const waiters = Array.from({ length: 12 }, () => DBOS.getEvent<string>(publisher.workflowID, 'ready', 30));
    await new Promise((resolve) => setTimeout(resolve, 300));
    release.resolve();
    assert.deepEqual(await Promise.all(waiters), Array(12).fill('yes'));
    const limiter = engineFor('test').systemDatabase.pollingReads;
    assert.equal(limiter.limit, 2);
    assert.ok(limiter.peakConcurrency >= 1 && limiter.peakConcurrency <= 2, `peak ${limiter.peakConcurrency}`);
  });
});
