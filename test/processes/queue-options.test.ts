/**
 * DBOS 5 queue options across worker processes sharing one system database:
 * `partitionWorkerConcurrency` holds per partition key in each process (so
 * several processes may each run one task of a key), `partitionRateLimit`
 * holds per key across all of them, and `listenQueues` decides which
 * processes dequeue a queue at all. Tasks log their start and end; the
 * database records each dequeue time. Bounds only, never exact timings.
 */
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { afterEach, test } from 'node:test';
import type { DBOSConfig } from '../../src/index.ts';
import { forEachBackend } from '../helpers/backends.ts';
import { freshLogPath, killAllChildren, removeLog, startChild } from './child-process.ts';
import { maxInWindow, maxOverlap, readTaskEvents, taskIntervals, QueueWorker } from './fixtures/queue-harness.ts';
import { optionQueueNames } from './fixtures/queue-option-names.ts';
import type { OptionsItem, OptionsRequest } from './fixtures/queue-options-worker.ts';

const testTimeout = { timeout: 60_000 };
const workerPath = join(import.meta.dirname, 'fixtures', 'queue-options-worker.ts');

interface Report {
  workflowID: string;
  status: { status: string; executorId?: string; queuePartitionKey?: string; dequeuedAt?: number } | null;
}

class OptionsWorker {
  private readonly worker: QueueWorker;
  constructor(role: string, config: DBOSConfig, log: string) {
    this.worker = new QueueWorker(startChild('work', [], { role, config: { ...config, executorID: role }, log, script: workerPath }));
  }
  ready = () => this.worker.ready();
  private request = <T>(request: OptionsRequest) => this.worker.request<T>(request as never);
  enqueue = (queueName: string, items: OptionsItem[]) => this.request<number>({ op: 'enqueue', queueName, items });
  awaitAll = (workflowIDs: string[]) => this.request<Report[]>({ op: 'await', workflowIDs });
  statuses = (workflowIDs: string[]) => this.request<Report[]>({ op: 'status', workflowIDs });
}

async function startWorkers(roles: readonly string[], config: (role: string) => DBOSConfig, log: string) {
  const workers = roles.map((role) => new OptionsWorker(role, config(role), log));
  await Promise.all(workers.map((worker) => worker.ready()));
  return workers;
}

function items(keys: readonly string[], perKey: number, ms: number): OptionsItem[] {
  return keys.flatMap((key) => Array.from({ length: perKey }, (_, i) => ({ workflowID: `${key}-${i}`, key, ms })));
}

forEachBackend('queues across processes: DBOS 5 options', (backend) => {
  let log = '';
  afterEach(async () => {
    await killAllChildren();
    removeLog(log);
  });

  test('partitionWorkerConcurrency 1: each process runs one task per key at a time, and several processes share a key', testTimeout, async (t) => {
    const config = backend.freshConfig();
    log = freshLogPath();
    const workers = await startWorkers(['w1', 'w2', 'w3'], () => config, log);
    const queued = items(['a', 'b'], 8, 80);
    await workers[0]!.enqueue(optionQueueNames.partitionWorkerOne, queued);
    const reports = await workers[1]!.awaitAll(queued.map((item) => item.workflowID));
    assert.ok(reports.every((r) => r.status?.status === 'SUCCESS'), JSON.stringify(reports));

    const intervals = taskIntervals(readTaskEvents(log));
    assert.equal(intervals.length, queued.length);
    const keyOf = (task: string) => task.split('-')[0]!;
    for (const role of ['w1', 'w2', 'w3']) {
      for (const key of ['a', 'b']) {
        const mine = intervals.filter((i) => i.role === role && keyOf(i.task) === key);
        assert.ok(maxOverlap(mine) <= 1, `${role} ran ${maxOverlap(mine)} tasks of key ${key} at once: ${JSON.stringify(mine)}`);
      }
    }
    const roles = new Set(intervals.map((i) => i.role));
    t.diagnostic(`per-key overlap across processes: a ${maxOverlap(intervals.filter((i) => keyOf(i.task) === 'a'))}, ` +
      `b ${maxOverlap(intervals.filter((i) => keyOf(i.task) === 'b'))}; ran in ${[...roles].join(', ')}`);
  });

  test('partitionRateLimit 2 per second: no 1 s window holds more than 2 dequeues of one key, across three processes', testTimeout, async (t) => {
    const config = backend.freshConfig();
    log = freshLogPath();
    const workers = await startWorkers(['w1', 'w2', 'w3'], () => config, log);
    const queued = items(['r', 's'], 5, 0);
    await Promise.all(
      workers.map((worker, w) => worker.enqueue(optionQueueNames.partitionRate, queued.filter((_, i) => i % 3 === w))),
    );
    const reports = await workers[2]!.awaitAll(queued.map((item) => item.workflowID));
    assert.ok(reports.every((r) => r.status?.status === 'SUCCESS' && typeof r.status.dequeuedAt === 'number'), JSON.stringify(reports));
    for (const key of ['r', 's']) {
      const times = reports.filter((r) => r.status?.queuePartitionKey === key).map((r) => r.status!.dequeuedAt!);
      assert.equal(times.length, 5);
      const most = maxInWindow(times, 1000);
      assert.ok(most <= 2, `key ${key}: at most 2 dequeues in any 1 s window, saw ${most}: ${JSON.stringify([...times].sort())}`);
    }
    const all = reports.map((r) => r.status!.dequeuedAt!);
    t.diagnostic(`busiest 1 s window across keys: ${maxInWindow(all, 1000)}; by ${JSON.stringify(reports.map((r) => r.status?.executorId))}`);
  });

  test('listenQueues: a process not listening to a queue never runs its tasks; one that listens does', testTimeout, async () => {
    const config = backend.freshConfig();
    log = freshLogPath();
    // w1 dequeues only queue A, w2 only the internal queue; nobody listens to B yet.
    const listening: Record<string, string[]> = { w1: [optionQueueNames.listenA], w2: [] };
    const [onlyA, none] = await startWorkers(['w1', 'w2'], (role) => ({ ...config, listenQueues: listening[role] }), log);
    const unkeyed = (prefix: string, count: number) => Array.from({ length: count }, (_, i) => ({ workflowID: `${prefix}-${i}`, ms: 20 }));
    const onA = unkeyed('a', 4);
    const onB = unkeyed('b', 3);
    await none!.enqueue(optionQueueNames.listenA, onA);
    await none!.enqueue(optionQueueNames.listenB, onB);
    const doneA = await none!.awaitAll(onA.map((item) => item.workflowID));
    assert.deepEqual(doneA.map((r) => [r.status?.status, r.status?.executorId]), onA.map(() => ['SUCCESS', 'w1']));

    await new Promise((resolve) => setTimeout(resolve, 500)); // ample time for any worker that would take B
    const waitingB = await onlyA!.statuses(onB.map((item) => item.workflowID));
    assert.ok(waitingB.every((r) => r.status?.status === 'ENQUEUED'), JSON.stringify(waitingB));

    const [listensToB] = await startWorkers(['w3'], () => ({ ...config, listenQueues: [optionQueueNames.listenB] }), log);
    const doneB = await listensToB!.awaitAll(onB.map((item) => item.workflowID));
    assert.deepEqual(doneB.map((r) => [r.status?.status, r.status?.executorId]), onB.map(() => ['SUCCESS', 'w3']));
  });
});
