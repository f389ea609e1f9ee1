/**
 * Flow control held across three worker processes sharing one system
 * database: the global concurrency cap, the per-process cap, the rate limit
 * and priority order. Tasks log their start and end (epoch ms, worker); the
 * test computes from those records how many ran at once, and reads the
 * dequeue times the database recorded for the rate limit. Bounds only, never
 * exact timings: the machine may be slow and noisy.
 */
import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import { afterEach, test } from 'node:test';
import { forEachBackend } from '../helpers/backends.ts';
import { freshLogPath, killAllChildren, removeLog } from './child-process.ts';
import {
  allReady,
  countByTask,
  maxInWindow,
  maxOverlap,
  readTaskEvents,
  startQueueWorkers,
  taskIntervals,
  waitUntil,
  type QueueWorker,
  type WorkflowReport,
} from './fixtures/queue-harness.ts';
import { queueNames } from './fixtures/queue-names.ts';

const testTimeout = { timeout: 60_000 };
const roles = ['w1', 'w2', 'w3'];

/** `count` task IDs, split round-robin over the workers that enqueue them. */
function spread(prefix: string, count: number, workers: readonly QueueWorker[]): string[][] {
  const byWorker: string[][] = workers.map(() => []);
  for (let i = 0; i < count; i++) byWorker[i % workers.length]!.push(`${prefix}-${i}`);
  return byWorker;
}

/** Every worker enqueues its share of timed tasks at the same instant. */
async function enqueueTimed(workers: readonly QueueWorker[], queueName: string, idsByWorker: string[][], ms: number) {
  const startAt = Date.now() + 200;
  const outcomes = await Promise.all(
    workers.map((worker, w) =>
      worker.enqueue(queueName, 'timedTask', idsByWorker[w]!.map((id) => ({ workflowID: id, args: [id, ms] })), {
        atEpochMs: startAt,
        parallel: true,
      }),
    ),
  );
  assert.ok(outcomes.flat().every((outcome) => outcome.ok), JSON.stringify(outcomes));
}

function assertAllSucceeded(reports: readonly WorkflowReport[], count: number): void {
  assert.equal(reports.length, count);
  for (const report of reports) {
    assert.equal(report.status?.status, 'SUCCESS', JSON.stringify(report));
    assert.equal(report.result?.ok, true, JSON.stringify(report));
  }
}

function perRole<T>(items: readonly T[], roleOf: (item: T) => string): Record<string, T[]> {
  const grouped: Record<string, T[]> = {};
  for (const item of items) (grouped[roleOf(item)] ??= []).push(item);
  return grouped;
}

forEachBackend('queues across processes: flow control', (backend) => {
  let log = '';
  afterEach(async () => {
    await killAllChildren();
    removeLog(log);
  });

  test('concurrency 2: three workers never run more than 2 tasks at once, and all 18 finish', testTimeout, async (t) => {
    const config = backend.freshConfig();
    log = freshLogPath();
    const workers = startQueueWorkers(roles, config, log);
    await allReady(workers);

    const idsByWorker = spread('global', 18, workers);
    await enqueueTimed(workers, queueNames.globalTwo, idsByWorker, 50);
    const reports = await workers[0]!.awaitAll(idsByWorker.flat());

    assertAllSucceeded(reports, 18);
    const intervals = taskIntervals(readTaskEvents(log));
    assert.equal(intervals.length, 18);
    const overlap = maxOverlap(intervals);
    assert.ok(overlap <= 2, `at most 2 tasks at once across processes, saw ${overlap}: ${JSON.stringify(intervals)}`);
    const byRole = perRole(intervals, (i) => i.role);
    t.diagnostic(`max overlap ${overlap}; tasks per worker ${JSON.stringify(Object.fromEntries(Object.entries(byRole).map(([r, l]) => [r, l.length])))}`);
  });

  test('concurrency 2 with workerConcurrency 1: the global cap binds across processes (at most 2 at once, one per worker)', testTimeout, async (t) => {
    const config = backend.freshConfig();
    log = freshLogPath();
    const workers = startQueueWorkers(roles, config, log);
    await allReady(workers);

    const idsByWorker = spread('global-per-worker', 18, workers);
    await enqueueTimed(workers, queueNames.globalTwoPerWorkerOne, idsByWorker, 50);
    const reports = await workers[0]!.awaitAll(idsByWorker.flat());

    assertAllSucceeded(reports, 18);
    const intervals = taskIntervals(readTaskEvents(log));
    assert.equal(intervals.length, 18);
    const overlap = maxOverlap(intervals);
    assert.ok(overlap <= 2, `at most 2 tasks at once across processes, saw ${overlap}: ${JSON.stringify(intervals)}`);
    const byRole = perRole(intervals, (i) => i.role);
    for (const [role, mine] of Object.entries(byRole)) {
      assert.ok(maxOverlap(mine) <= 1, `worker ${role} ran ${maxOverlap(mine)} tasks at once: ${JSON.stringify(mine)}`);
    }
    // One worker can hold only one slot, so the second slot went to another process: the cap was shared.
    assert.ok(Object.keys(byRole).length >= 2, `tasks ran in ${JSON.stringify(Object.keys(byRole))}`);
    t.diagnostic(`max overlap ${overlap}; tasks per worker ${JSON.stringify(Object.fromEntries(Object.entries(byRole).map(([r, l]) => [r, l.length])))}`);
  });

  test('workerConcurrency 1: each of three workers runs one task at a time, so at most 3 at once', testTimeout, async (t) => {
    const config = backend.freshConfig();
    log = freshLogPath();
    const workers = startQueueWorkers(roles, config, log);
    await allReady(workers);

    const idsByWorker = spread('per-worker', 15, workers);
    await enqueueTimed(workers, queueNames.perWorkerOne, idsByWorker, 50);
    const reports = await workers[1]!.awaitAll(idsByWorker.flat());

    assertAllSucceeded(reports, 15);
    const intervals = taskIntervals(readTaskEvents(log));
    assert.equal(intervals.length, 15);
    const overlap = maxOverlap(intervals);
    assert.ok(overlap <= 3, `at most 3 tasks at once (one per worker), saw ${overlap}`);
    const byRole = perRole(intervals, (i) => i.role);
    for (const [role, mine] of Object.entries(byRole)) {
      assert.ok(maxOverlap(mine) <= 1, `worker ${role} ran ${maxOverlap(mine)} tasks at once: ${JSON.stringify(mine)}`);
    }
    for (const report of reports) {
      const ranIn = intervals.find((i) => i.task === report.workflowID)?.role;
      assert.equal(report.status?.executorId, ranIn, `${report.workflowID} is recorded on the executor that ran it`);
    }
    t.diagnostic(`max overlap ${overlap}; tasks per worker ${JSON.stringify(Object.fromEntries(Object.entries(byRole).map(([r, l]) => [r, l.length])))}`);
  });

  test('rate limit 4 per second across three workers: no 1 s window holds more than 4 dequeues', testTimeout, async (t) => {
    const config = backend.freshConfig();
    log = freshLogPath();
    const workers = startQueueWorkers(roles, config, log);
    await allReady(workers);

    const idsByWorker = spread('rate', 12, workers);
    const startAt = Date.now() + 200;
    const outcomes = await Promise.all(
      workers.map((worker, w) =>
        worker.enqueue(queueNames.rateLimited, 'noopTask', idsByWorker[w]!.map((id) => ({ workflowID: id, args: [id] })), {
          atEpochMs: startAt,
          parallel: true,
        }),
      ),
    );
    assert.ok(outcomes.flat().every((outcome) => outcome.ok), JSON.stringify(outcomes));
    const reports = await workers[2]!.awaitAll(idsByWorker.flat());

    assertAllSucceeded(reports, 12);
    const runs = countByTask(readTaskEvents(log), 'run');
    for (const report of reports) assert.equal(runs.get(report.workflowID), 1, `${report.workflowID} ran once`);
    // The database's own record of each start, stamped by whichever process dequeued it.
    const dequeuedAt = reports.map((report) => report.status?.dequeuedAt);
    assert.ok(dequeuedAt.every((at) => typeof at === 'number'), JSON.stringify(reports));
    const times = dequeuedAt as number[];
    const most = maxInWindow(times, 1000);
    assert.ok(most <= 4, `at most 4 dequeues in any 1 s window, saw ${most}: ${JSON.stringify([...times].sort())}`);
    const first = Math.min(...times);
    t.diagnostic(`dequeue offsets (ms): ${JSON.stringify(times.map((at) => at - first).sort((a, b) => a - b))}`);
    t.diagnostic(`dequeued by: ${JSON.stringify(perRoleCounts(reports))}`);
  });

  test('priority with one slot in total: tasks enqueued behind a blocker start lowest priority first, with three workers competing', testTimeout, async () => {
    const config = backend.freshConfig();
    log = freshLogPath();
    const gate = `${log}.gate`;
    const workers = startQueueWorkers(roles, config, log);
    await allReady(workers);

    // The blocker takes the only slot and holds it until the gate opens.
    const [blocked] = await workers[0]!.enqueue(queueNames.priority, 'gatedTask', [{ workflowID: 'blocker', args: ['blocker', gate] }]);
    assert.ok(blocked?.ok, JSON.stringify(blocked));
    await waitUntil(() => countByTask(readTaskEvents(log), 'start').get('blocker') === 1, 20_000, () => 'the blocker to start');

    // Enqueued while the slot is taken, from all three workers, in an order unlike their priorities.
    const priorities = [5, 2, 8, 1, 7, 3, 6, 4, 9];
    const items = priorities.map((priority) => ({ workflowID: `prio-${priority}`, args: [`prio-${priority}`, 20], priority }));
    const outcomes = await Promise.all(
      workers.map((worker, w) => worker.enqueue(queueNames.priority, 'timedTask', items.filter((_, i) => i % 3 === w))),
    );
    assert.ok(outcomes.flat().every((outcome) => outcome.ok), JSON.stringify(outcomes));
    const waiting = await workers[1]!.statuses(items.map((item) => item.workflowID));
    assert.ok(waiting.every((report) => report.status?.status === 'ENQUEUED'), `none started behind the blocker: ${JSON.stringify(waiting)}`);

    writeFileSync(gate, 'open');
    const reports = await workers[2]!.awaitAll(['blocker', ...items.map((item) => item.workflowID)]);
    assertAllSucceeded(reports, priorities.length + 1);

    const events = readTaskEvents(log);
    const intervals = taskIntervals(events);
    assert.ok(maxOverlap(intervals) <= 1, 'one slot: never two at once');
    const startOrder = events.filter((e) => e.event === 'start').map((e) => e.task);
    const expected = ['blocker', ...[...priorities].sort((a, b) => a - b).map((priority) => `prio-${priority}`)];
    assert.deepEqual(startOrder, expected);
    // The database's dequeue times agree with the order the tasks ran in.
    const dequeuedAt = new Map(reports.map((report) => [report.workflowID, report.status?.dequeuedAt ?? Number.NaN]));
    for (let i = 1; i < expected.length; i++) {
      assert.ok(dequeuedAt.get(expected[i - 1]!)! <= dequeuedAt.get(expected[i]!)!, `${expected[i - 1]} dequeued before ${expected[i]}`);
    }
  });
});

function perRoleCounts(reports: readonly WorkflowReport[]): Record<string, number> {
  const counts: Record<string, number> = {};
  for (const report of reports) {
    const role = report.status?.executorId ?? '?';
    counts[role] = (counts[role] ?? 0) + 1;
  }
  return counts;
}
