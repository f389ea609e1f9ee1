/**
 * Queues shared by three worker processes (one system database, each process
 * with its own executorID): every enqueued task runs exactly once, and a
 * deduplication ID admits exactly one of the workflows that several processes
 * enqueue under it at the same instant. What ran where is read from the log
 * the task bodies append to; outcomes and statuses from the database.
 */
import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import { afterEach, test } from 'node:test';
import { forEachBackend } from '../helpers/backends.ts';
import { freshLogPath, killAllChildren, removeLog } from './child-process.ts';
import { allReady, countByTask, readTaskEvents, startQueueWorkers } from './fixtures/queue-harness.ts';
import { queueNames } from './fixtures/queue-names.ts';

const testTimeout = { timeout: 60_000 };
const roles = ['w1', 'w2', 'w3'];

forEachBackend('queues across processes: exactly once', (backend) => {
  let log = '';
  afterEach(async () => {
    await killAllChildren();
    removeLog(log);
  });

  test('60 tasks enqueued from three processes on an unlimited queue each run exactly once', testTimeout, async (t) => {
    const config = backend.freshConfig();
    log = freshLogPath();
    const workers = startQueueWorkers(roles, config, log);
    await allReady(workers);

    // Each worker enqueues 20, at the same instant, so all three dequeue (and contend) from the start.
    const startAt = Date.now() + 200;
    const idsByWorker = workers.map((_, w) => Array.from({ length: 20 }, (_, i) => `noop-${w}-${i}`));
    const enqueued = await Promise.all(
      workers.map((worker, w) =>
        worker.enqueue(queueNames.unlimited, 'noopTask', idsByWorker[w]!.map((id) => ({ workflowID: id, args: [id] })), {
          atEpochMs: startAt,
          parallel: true,
        }),
      ),
    );
    assert.ok(enqueued.flat().every((outcome) => outcome.ok), JSON.stringify(enqueued));

    const ids = idsByWorker.flat();
    const reports = await workers[0]!.awaitAll(ids);
    const events = readTaskEvents(log);
    const runs = countByTask(events, 'run');
    const ranIn = new Map(events.filter((e) => e.event === 'run').map((e) => [e.task, e.role]));
    for (const report of reports) {
      assert.equal(report.status?.status, 'SUCCESS', JSON.stringify(report));
      assert.equal(runs.get(report.workflowID), 1, `${report.workflowID} ran ${runs.get(report.workflowID) ?? 0} times`);
      assert.deepEqual(report.result, { ok: true, value: { task: report.workflowID, executorID: ranIn.get(report.workflowID) } });
      assert.equal(report.status?.executorId, ranIn.get(report.workflowID));
      assert.equal(report.status?.recoveryAttempts, 1);
    }
    assert.equal(events.length, 60, 'no other execution was logged');
    const perWorker = Object.fromEntries(roles.map((role) => [role, events.filter((e) => e.role === role).length]));
    t.diagnostic(`tasks run per worker: ${JSON.stringify(perWorker)}`);
  });

  test('one deduplication ID enqueued by three processes at once: exactly one is admitted, the others get DBOSQueueDuplicatedError', testTimeout, async () => {
    const config = backend.freshConfig();
    log = freshLogPath();
    const gate = `${log}.gate`;
    const workers = startQueueWorkers(roles, config, log);
    await allReady(workers);

    const dedupIDs = ['order-1', 'order-2', 'order-3', 'order-4', 'order-5'];
    const startAt = Date.now() + 300;
    const outcomes = await Promise.all(
      workers.map((worker) =>
        worker.enqueue(
          queueNames.dedup,
          'gatedTask',
          dedupIDs.map((dedupID) => {
            const workflowID = `dedup-${worker.role}-${dedupID}`;
            return { workflowID, args: [workflowID, gate], deduplicationID: dedupID };
          }),
          { atEpochMs: startAt, parallel: true },
        ),
      ),
    );

    const winners: string[] = [];
    const losers: string[] = [];
    for (const [index, dedupID] of dedupIDs.entries()) {
      const tries = outcomes.map((byWorker) => byWorker[index]!);
      const admitted = tries.filter((outcome) => outcome.ok);
      assert.equal(admitted.length, 1, `deduplication ID ${dedupID}: ${JSON.stringify(tries)}`);
      winners.push(admitted[0]!.workflowID);
      for (const refused of tries.filter((outcome) => !outcome.ok)) {
        assert.equal(refused.error?.name, 'DBOSQueueDuplicatedError', JSON.stringify(refused));
        assert.equal(refused.error?.code, 'QUEUE_DEDUPLICATED');
        assert.match(refused.error?.message ?? '', new RegExp(dedupID));
        losers.push(refused.workflowID);
      }
    }
    // The refused workflows were never written; the admitted ones hold their IDs while they wait.
    const refusedStatuses = await workers[1]!.statuses(losers);
    assert.ok(refusedStatuses.every((report) => report.status === null), JSON.stringify(refusedStatuses));
    const held = await workers[2]!.statuses(winners);
    for (const report of held) assert.ok(['ENQUEUED', 'PENDING'].includes(report.status?.status ?? ''), JSON.stringify(report));

    writeFileSync(gate, 'open');
    const finished = await workers[0]!.awaitAll(winners);
    for (const report of finished) {
      assert.equal(report.status?.status, 'SUCCESS', JSON.stringify(report));
      assert.equal(report.result?.ok, true);
    }
    const events = readTaskEvents(log);
    assert.deepEqual([...countByTask(events, 'start').entries()].sort(), winners.map((id) => [id, 1]).sort());
    assert.deepEqual([...countByTask(events, 'end').entries()].sort(), winners.map((id) => [id, 1]).sort());

    // Once the holders have ended, the IDs are free again, from any process.
    const again = await workers[1]!.enqueue(
      queueNames.dedup,
      'gatedTask',
      dedupIDs.map((dedupID) => ({ workflowID: `dedup-again-${dedupID}`, args: [`dedup-again-${dedupID}`, gate], deduplicationID: dedupID })),
    );
    assert.ok(again.every((outcome) => outcome.ok), JSON.stringify(again));
    const reports = await workers[2]!.awaitAll(again.map((outcome) => outcome.workflowID));
    assert.ok(reports.every((report) => report.status?.status === 'SUCCESS'), JSON.stringify(reports));
  });
});
