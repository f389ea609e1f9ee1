/**
 * DBOS 5's queue options (issue 9, bug 5): `globalConcurrency` (old name
 * `concurrency`, kept as an alias; both at once is an error),
 * `partitionWorkerConcurrency` and `partitionRateLimit`, accepted by
 * `new WorkflowQueue`, `DBOS.registerQueue` and the setX/getX methods, with
 * DBOS's validation rules; an unknown option (a typo) is refused by name. And
 * the two new limits at work in one process: per partition key, on each key
 * separately.
 */
import assert from 'node:assert/strict';
import { afterEach, beforeEach, test } from 'node:test';
import { setTimeout as delay } from 'node:timers/promises';
import { DBOS, DBOSConfigurationError, WorkflowQueue, type QueueParameters } from '../../src/index.ts';
import { forEachBackend } from '../helpers/backends.ts';
import { launch } from '../helpers/lifecycle.ts';

const globalAlias = new WorkflowQueue('options.global', { globalConcurrency: 2, workerConcurrency: 1 });
const partitionWorker = new WorkflowQueue('options.partition-worker', { workerConcurrency: 3, partitionWorkerConcurrency: 1 });
const partitionRated = new WorkflowQueue('options.partition-rate', { partitionRateLimit: { limitPerPeriod: 2, periodSec: 0.5 } });

type Event = { kind: 'start' | 'end'; queue: string; key: string };
const events: Event[] = [];

const task = DBOS.registerWorkflow(async (queue: string, key: string, ms: number) => {
  events.push({ kind: 'start', queue, key });
  await delay(ms);
  events.push({ kind: 'end', queue, key });
  return key;
}, { name: 'options.task' });

function maxOverlap(keep: (event: Event) => boolean): number {
  let running = 0;
  let max = 0;
  for (const event of events.filter(keep)) {
    running += event.kind === 'start' ? 1 : -1;
    max = Math.max(max, running);
  }
  return max;
}

async function runAcrossKeys(queue: WorkflowQueue, keys: readonly string[], perKey: number, ms: number) {
  const handles = [];
  for (let i = 0; i < perKey; i++) {
    for (const key of keys) {
      handles.push(await DBOS.startWorkflow(task, { queueName: queue.name, enqueueOptions: { queuePartitionKey: key } })(queue.name, key, ms));
    }
  }
  await Promise.all(handles.map((h) => h.getResult()));
  return handles;
}

function refused(params: unknown, pattern: RegExp, name = 'options.refused'): void {
  assert.throws(() => new WorkflowQueue(name, params as QueueParameters), (error: unknown) => {
    assert.ok(error instanceof DBOSConfigurationError, `expected DBOSConfigurationError, got ${String(error)}`);
    assert.match(error.message, pattern);
    return true;
  });
}

test('globalConcurrency is the queue-wide limit; concurrency stays its alias; both at once are refused', () => {
  assert.equal(globalAlias.concurrency, 2);
  assert.equal(globalAlias.parameters.concurrency, 2);
  assert.equal(new WorkflowQueue('options.old-name', { concurrency: 3 }).concurrency, 3);
  refused({ globalConcurrency: 2, concurrency: 2 }, /globalConcurrency \(2\) or its old name concurrency \(2\), not both/);
});

test('an unknown option is refused by name, with the option it is probably a typo of', () => {
  refused({ concurency: 2 }, /new WorkflowQueue\("options.refused"\): unknown option "concurency"\. Did you mean "concurrency"\?/);
  refused({ partitionWorkerConcurency: 1 }, /Did you mean "partitionWorkerConcurrency"\?/);
  refused({ maxRetries: 3 }, /unknown option "maxRetries"\. Known options: globalConcurrency/);
  refused(5, /queue options must be an object, got 5/);
  // A refused queue is not declared: its name is still free.
  assert.equal(new WorkflowQueue('options.refused', { globalConcurrency: 1 }).concurrency, 1);
});

test("DBOS's rules for the partition limits", () => {
  const cases: [unknown, RegExp][] = [
    [{ partitionConcurrency: 2, partitionWorkerConcurrency: 3 }, /partitionWorkerConcurrency \(3\) cannot exceed partitionConcurrency \(2\)/],
    [{ workerConcurrency: 1, partitionWorkerConcurrency: 2 }, /partitionWorkerConcurrency \(2\) cannot exceed workerConcurrency \(1\)/],
    [{ globalConcurrency: 1, partitionWorkerConcurrency: 2 }, /partitionWorkerConcurrency \(2\) cannot exceed concurrency \(1\)/],
    [{ globalConcurrency: 1, partitionConcurrency: 2 }, /partitionConcurrency \(2\) cannot exceed concurrency \(1\)/],
    [{ partitionWorkerConcurrency: 0 }, /partitionWorkerConcurrency must be an integer >= 1, got 0/],
    [{ partitionRateLimit: { limitPerPeriod: 2 } }, /partitionRateLimit\.periodSec must be a positive number/],
    [{ partitionRateLimit: { periodSec: 1 } }, /partitionRateLimit needs both limitPerPeriod and periodSec/],
    [{ partitionQueue: true, partitionWorkerConcurrency: 1 }, /partitionQueue .* or the partition limits/],
    [{ partitionQueue: true, partitionRateLimit: { limitPerPeriod: 1, periodSec: 1 } }, /partitionQueue .* or the partition limits/],
    [{ partitionQueue: true, globalConcurrency: 2 }, /cannot be combined with globalConcurrency/],
  ];
  for (const [params, pattern] of cases) refused(params, pattern);
  const fine = new WorkflowQueue('options.partition-fine', {
    globalConcurrency: 4,
    workerConcurrency: 2,
    partitionConcurrency: 2,
    partitionWorkerConcurrency: 1,
    partitionRateLimit: { limitPerPeriod: 5, periodSec: 1 },
  });
  assert.equal(fine.partitioned, true, 'any partition limit partitions the queue');
  assert.equal(new WorkflowQueue('options.partition-rate-only', { partitionRateLimit: { limitPerPeriod: 1, periodSec: 1 } }).partitioned, true);
});

forEachBackend('queue options of DBOS 5', (backend) => {
  beforeEach(() => {
    events.length = 0;
  });
  afterEach(() => DBOS.shutdown());

  test('registerQueue takes the DBOS 5 names; the row keeps them; setX/getX change and read them', async () => {
    await launch(backend);
    const queue = await DBOS.registerQueue('dbos5', {
      globalConcurrency: 4,
      workerConcurrency: 3,
      partitionConcurrency: 3,
      partitionWorkerConcurrency: 2,
      partitionRateLimit: { limitPerPeriod: 6, periodSec: 1.5 },
    });
    assert.equal(queue.concurrency, 4);
    const other = (await DBOS.retrieveQueue('dbos5'))!;
    assert.equal(await other.getGlobalConcurrency(), 4);
    assert.equal(await other.getPartitionWorkerConcurrency(), 2);
    assert.deepEqual(await other.getPartitionRateLimit(), { limitPerPeriod: 6, periodSec: 1.5 });

    await other.setPartitionWorkerConcurrency(1);
    await other.setPartitionRateLimit({ limitPerPeriod: 2, periodSec: 3 });
    assert.equal(await queue.getPartitionWorkerConcurrency(), 1);
    assert.deepEqual(await queue.getPartitionRateLimit(), { limitPerPeriod: 2, periodSec: 3 });
    assert.equal(queue.partitionWorkerConcurrency, 1, 'a getter refreshes the handle');

    await assert.rejects(queue.setPartitionWorkerConcurrency(4), /partitionWorkerConcurrency \(4\) cannot exceed/);
    await assert.rejects(queue.setPartitionRateLimit({ limitPerPeriod: -1, periodSec: 1 }), DBOSConfigurationError);
    await queue.setPartitionRateLimit(undefined);
    assert.equal(await other.getPartitionRateLimit(), undefined);
    assert.equal(await other.getPartitionWorkerConcurrency(), 1, 'other settings are kept');
  });

  test('registerQueue refuses both names of the global limit, and typos, before writing anything', async () => {
    await launch(backend);
    await assert.rejects(DBOS.registerQueue('both', { globalConcurrency: 2, concurrency: 2 }), /not both/);
    await assert.rejects(
      DBOS.registerQueue('typo', { partitionRateLimits: { limitPerPeriod: 1, periodSec: 1 } } as never),
      /DBOS.registerQueue\("typo"\): unknown option "partitionRateLimits"\. Did you mean "partitionRateLimit"\?/,
    );
    await assert.rejects(DBOS.registerQueue('legacy-mix', { partitionQueue: true, globalConcurrency: 2 }), DBOSConfigurationError);
    assert.deepEqual(await DBOS.listQueues(), []);
  });

  test('partitionWorkerConcurrency 1 under workerConcurrency 3: one task per key at a time here, keys side by side', async () => {
    await launch(backend);
    const keys = ['a', 'b', 'c', 'd'];
    await runAcrossKeys(partitionWorker, keys, 3, 30);
    for (const key of keys) {
      const inKey = maxOverlap((e) => e.key === key);
      assert.equal(inKey, 1, `partition ${key} ran ${inKey} at once`);
    }
    const across = maxOverlap(() => true);
    assert.ok(across >= 2, `different partitions ran concurrently (max ${across} at once)`);
    assert.ok(across <= 3, `the queue's workerConcurrency 3 holds across partitions (max ${across} at once)`);
  });

  test('partitionRateLimit 2 per 0.5 s: the limit holds per key, not across keys', async () => {
    await launch(backend);
    const handles = await runAcrossKeys(partitionRated, ['r', 's'], 4, 0);
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

  test('globalConcurrency 2 with workerConcurrency 1 in one process: one at a time here', async () => {
    await launch(backend);
    const handles = [];
    for (let i = 0; i < 3; i++) handles.push(await DBOS.startWorkflow(task, { queueName: globalAlias.name })(globalAlias.name, `g${i}`, 20));
    await Promise.all(handles.map((h) => h.getResult()));
    assert.equal(maxOverlap((e) => e.queue === globalAlias.name), 1);
  });
});
