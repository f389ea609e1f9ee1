/**
 * The shared idle poll of a process's queues: one read asks which of many
 * empty queues have work (an ENQUEUED workflow, or a DELAYED one due), and
 * only those queues' loops are woken.
 */
import assert from 'node:assert/strict';
import { afterEach, test } from 'node:test';
import type { Engine } from '../../src/engine/engine.ts';
import { IdleQueuePoll } from '../../src/queues/idle-queue-poll.ts';
import { PollingNotifier } from '../../src/system-database/polling-notifier.ts';
import { queueChannel } from '../../src/system-database/system-database.ts';
import { forEachBackend } from '../helpers/backends.ts';
import { freshTarget, newWorkflow, OpenedDatabases, settlesWithin } from '../helpers/system-database-targets.ts';

forEachBackend('findQueuesWithWork', (backend) => {
  const opened = new OpenedDatabases();
  afterEach(() => opened.cleanup());

  test('names the queues with ENQUEUED or due DELAYED work, in one read for many queues', async () => {
    const db = await opened.open(freshTarget(backend.name));
    const now = Date.now();
    await db.insertWorkflowOrGetExisting(newWorkflow({ status: 'ENQUEUED', queueName: 'enqueued' }));
    await db.insertWorkflowOrGetExisting(newWorkflow({ status: 'DELAYED', queueName: 'due', delayUntilEpochMs: now - 1 }));
    await db.insertWorkflowOrGetExisting(newWorkflow({ status: 'DELAYED', queueName: 'later', delayUntilEpochMs: now + 60_000 }));
    await db.insertWorkflowOrGetExisting(newWorkflow({ status: 'PENDING', queueName: 'running' }));
    const idle = Array.from({ length: 1000 }, (_, i) => `idle-${i}`);
    const found = await db.findQueuesWithWork(['enqueued', 'due', 'later', 'running', ...idle], now);
    assert.deepEqual([...found].sort(), ['due', 'enqueued']);
    assert.deepEqual(await db.findQueuesWithWork(['later'], now + 60_000), ['later'], 'due by the time asked about');
    assert.deepEqual(await db.findQueuesWithWork([], now), []);
  });
});

test('IdleQueuePoll: one read for every idle queue, and only the queues with work are woken', async () => {
  const notifier = new PollingNotifier(1, 1);
  const asked: string[][] = [];
  const engine = {
    systemDatabase: {
      notifier,
      findQueuesWithWork: async (names: readonly string[]) => {
        asked.push([...names]);
        return names.filter((name) => name === 'busy');
      },
    },
  } as unknown as Engine;
  const poll = new IdleQueuePoll(engine);
  try {
    const busy = notifier.wait(queueChannel, 'busy', Number.POSITIVE_INFINITY);
    const quiet = notifier.wait(queueChannel, 'quiet', Number.POSITIVE_INFINITY);
    const leaveBusy = poll.join('busy', 5);
    const leaveQuiet = poll.join('quiet', 5);
    assert.equal(await settlesWithin(busy.promise, 10_000), true, 'the queue with work is woken');
    assert.deepEqual(asked[0]?.sort(), ['busy', 'quiet'], 'one read asked about both');
    assert.equal(await settlesWithin(quiet.promise, 50), false, 'the empty queue sleeps on');
    leaveBusy();
    leaveQuiet();
    quiet.cancel();
    const polls = asked.length;
    await new Promise((resolve) => setTimeout(resolve, 50));
    assert.ok(asked.length <= polls + 1, 'no queue left: the poll stops');
  } finally {
    poll.stop();
    await notifier.close();
  }
});
