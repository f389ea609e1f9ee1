/**
 * Queue semantics, partitions (issue 3): on a `partitionQueue`, flow-control
 * limits apply per partition key, so with `concurrency: 1` tasks of different
 * keys run side by side while tasks of one key never overlap. A partitioned
 * queue needs a key on every enqueue; any other queue refuses one. Overlap is
 * computed from the ordered start/end record each task leaves in memory.
 */
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { afterEach, beforeEach, test } from 'node:test';
import { setTimeout as delay } from 'node:timers/promises';
import { DBOS, DBOSConfigurationError, WorkflowQueue } from '../../src/index.ts';
import { forEachBackend } from '../helpers/backends.ts';
import { launch } from '../helpers/lifecycle.ts';

const partitioned = new WorkflowQueue('semantics-partitions.per-key', { partitionQueue: true, concurrency: 1 });
const partitionCapped = new WorkflowQueue('semantics-partitions.capped', { concurrency: 2, partitionConcurrency: 1 });
const partitionRated = new WorkflowQueue('semantics-partitions.rated', {
  partitionQueue: true,
  rateLimit: { limitPerPeriod: 2, periodSec: 0.5 },
});
const plain = new WorkflowQueue('semantics-partitions.plain', { concurrency: 1 });

type Event = { kind: 'start' | 'end'; queue: string; key: string; task: string };
const events: Event[] = [];

const task = DBOS.registerWorkflow(async (queue: string, key: string, label: string, ms: number) => {
  events.push({ kind: 'start', queue, key, task: label });
  await delay(ms);
  events.push({ kind: 'end', queue, key, task: label });
  return label;
}, { name: 'semantics-partitions.task' });

/** Most tasks running at once among the events that `keep` selects. */
function maxOverlap(keep: (event: Event) => boolean): number {
  let running = 0;
  let max = 0;
  for (const event of events.filter(keep)) {
    running += event.kind === 'start' ? 1 : -1;
    max = Math.max(max, running);
  }
  return max;
}

async function enqueueAcrossKeys(queue: WorkflowQueue, keys: string[], perKey: number, ms: number) {
  const handles = [];
  for (let i = 0; i < perKey; i++) {
    for (const key of keys) {
      handles.push(
        await DBOS.startWorkflow(task, { queueName: queue.name, enqueueOptions: { queuePartitionKey: key } })(
          queue.name,
          key,
          `${key}${i}`,
          ms,
        ),
      );
    }
  }
  return handles;
}

async function expectConfigurationError(start: () => Promise<unknown>, workflowID: string, pattern: RegExp): Promise<void> {
  await assert.rejects(start(), (error: unknown) => {
    assert.ok(error instanceof DBOSConfigurationError, `expected DBOSConfigurationError, got ${String(error)}`);
    assert.match(error.message, pattern);
    return true;
  });
  assert.equal(await DBOS.getWorkflowStatus(workflowID), null, 'the refused enqueue wrote no row');
}

forEachBackend('queue semantics: partitions', (backend) => {
  beforeEach(() => {
    events.length = 0;
  });
  afterEach(() => DBOS.shutdown());

  test('partitionQueue with concurrency 1: one task per key at a time, different keys side by side', async () => {
    await launch(backend);
    const keys = ['a', 'b', 'c'];
    const handles = await enqueueAcrossKeys(partitioned, keys, 3, 40);
    const results = await Promise.all(handles.map((h) => h.getResult()));
    assert.deepEqual(results, ['a0', 'b0', 'c0', 'a1', 'b1', 'c1', 'a2', 'b2', 'c2']);
    for (const key of keys) {
      const inKey = maxOverlap((e) => e.queue === partitioned.name && e.key === key);
      assert.equal(inKey, 1, `partition ${key} ran ${inKey} at once`);
      const order = events.filter((e) => e.key === key && e.kind === 'start').map((e) => e.task);
      assert.deepEqual(order, [`${key}0`, `${key}1`, `${key}2`], `partition ${key} is first in, first out`);
    }
    const across = maxOverlap((e) => e.queue === partitioned.name);
    assert.ok(across >= 2, `different partitions ran concurrently (max ${across} at once)`);
    assert.ok(across <= 3, `no more than one per partition (max ${across} at once)`);
    for (const handle of handles) {
      const status = await handle.getStatus();
      assert.equal(status?.status, 'SUCCESS');
      assert.equal(status?.queuePartitionKey, (status?.input as string[])[1]);
    }
  });

  test('partitionConcurrency 1 under concurrency 2: one task per key, two in all', async () => {
    await launch(backend);
    const keys = ['x', 'y', 'z'];
    const handles = await enqueueAcrossKeys(partitionCapped, keys, 2, 40);
    await Promise.all(handles.map((h) => h.getResult()));
    for (const key of keys) {
      assert.equal(maxOverlap((e) => e.queue === partitionCapped.name && e.key === key), 1, `partition ${key}`);
    }
    const across = maxOverlap((e) => e.queue === partitionCapped.name);
    assert.equal(across, 2, `two partitions at once under the queue's concurrency 2 (saw ${across})`);
  });

  test('partitionQueue with a rate limit: the limit holds per key, not across keys', async () => {
    await launch(backend);
    const handles = await enqueueAcrossKeys(partitionRated, ['r', 's'], 4, 0);
    await Promise.all(handles.map((h) => h.getResult()));
    const starts: { key: string; at: number }[] = [];
    for (const handle of handles) {
      const status = await handle.getStatus();
      starts.push({ key: status!.queuePartitionKey!, at: status!.dequeuedAt! });
    }
    const inWindow = (from: number, key?: string) =>
      starts.filter((s) => (key === undefined || s.key === key) && s.at >= from && s.at < from + 500).length;
    for (const { key, at } of starts) {
      assert.ok(inWindow(at, key) <= 2, `partition ${key}: ${inWindow(at, key)} starts in [${at}, ${at + 500})`);
    }
    const busiest = Math.max(...starts.map(({ at }) => inWindow(at)));
    assert.ok(busiest > 2, `the keys have separate budgets (at most ${busiest} starts in any window across keys)`);
  });

  test('a partitioned queue refuses an enqueue without a partition key, and writes nothing', async () => {
    await launch(backend);
    for (const queue of [partitioned, partitionCapped]) {
      for (const enqueueOptions of [undefined, {}, { queuePartitionKey: '' }]) {
        const workflowID = `no-key-${randomUUID()}`;
        await expectConfigurationError(
          () => DBOS.startWorkflow(task, { workflowID, queueName: queue.name, enqueueOptions })(queue.name, '', 'x', 0),
          workflowID,
          /partition/i,
        );
      }
    }
  });

  test('a queue that is not partitioned refuses a partition key, and writes nothing', async () => {
    await launch(backend);
    const workflowID = `stray-key-${randomUUID()}`;
    await expectConfigurationError(
      () =>
        DBOS.startWorkflow(task, { workflowID, queueName: plain.name, enqueueOptions: { queuePartitionKey: 'k' } })(
          plain.name,
          'k',
          'x',
          0,
        ),
      workflowID,
      /partition/i,
    );
  });
});
