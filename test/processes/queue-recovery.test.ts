/**
 * Recovery of a killed worker's queued tasks by the processes still alive,
 * with no restart of the killed one: worker A claims every task and blocks in
 * step 2 of each; A is SIGKILLed; workers B and C (each with its own
 * executorID, heartbeating every 200 ms) find A silent for longer than
 * executorTimeoutMs, put its tasks back on their queue and finish them from
 * their last recorded step. Counts come from the log the steps append to.
 */
import assert from 'node:assert/strict';
import { afterEach, test } from 'node:test';
import { forEachBackend } from '../helpers/backends.ts';
import { freshLogPath, killAllChildren, removeLog } from './child-process.ts';
import { allReady, countByTask, readTaskEvents, startQueueWorkers, waitUntil } from './fixtures/queue-harness.ts';
import { queueNames } from './fixtures/queue-names.ts';

const testTimeout = { timeout: 60_000 };

forEachBackend('queues across processes: recovery of a killed worker', (backend) => {
  let log = '';
  afterEach(async () => {
    await killAllChildren();
    removeLog(log);
  });

  test('tasks of a SIGKILLed worker are taken over by the live workers: step 1 never again, every task SUCCESS once', testTimeout, async (t) => {
    const config = backend.freshConfig({ heartbeatIntervalMs: 200, executorTimeoutMs: 1500 });
    log = freshLogPath();
    const taskIDs = Array.from({ length: 6 }, (_, i) => `recover-${i}`);

    // A alone: it enqueues and claims every task, and each blocks in step 2 (step 1 recorded).
    const [workerA] = startQueueWorkers(['A'], config, log, () => ({ DURABLY_TEST_BLOCK_STEP2: '1' }));
    await workerA!.ready();
    const enqueued = await workerA!.enqueue(queueNames.recovery, 'threeStepTask', taskIDs.map((id) => ({ workflowID: id, args: [id] })));
    assert.ok(enqueued.every((outcome) => outcome.ok), JSON.stringify(enqueued));
    const step2InA = () => readTaskEvents(log).filter((e) => e.event === 'step2' && e.role === 'A').length;
    await waitUntil(() => step2InA() === taskIDs.length, 20_000, () => `all tasks in step 2 of A: ${JSON.stringify(readTaskEvents(log))}`);

    // B and C are live workers before A dies; then A is killed with its tasks PENDING.
    const survivors = startQueueWorkers(['B', 'C'], config, log);
    await allReady(survivors);
    const claimedByA = await survivors[0]!.statuses(taskIDs);
    assert.ok(claimedByA.every((report) => report.status?.status === 'PENDING' && report.status.executorId === 'A'), JSON.stringify(claimedByA));
    const killedAt = Date.now();
    const killed = await workerA!.child.kill();
    assert.equal(killed.signal, 'SIGKILL', workerA!.child.describe());

    const reports = await survivors[1]!.awaitAll(taskIDs);
    const events = readTaskEvents(log);
    const takenOverAt = Math.min(...events.filter((e) => e.role !== 'A').map((e) => e.at));
    t.diagnostic(`first step in a survivor ${takenOverAt - killedAt} ms after the kill`);
    for (const report of reports) {
      const id = report.workflowID;
      const ranIn = report.status?.executorId ?? '';
      assert.equal(report.status?.status, 'SUCCESS', JSON.stringify(report));
      assert.ok(['B', 'C'].includes(ranIn), `${id} finished on ${ranIn}`);
      assert.deepEqual(report.result, {
        ok: true,
        value: { task: id, steps: [`one:${id}`, `two:${id}`, `three:${id}`], executorID: ranIn },
      });
      // Dequeued once by A, once more by the survivor.
      assert.equal(report.status?.recoveryAttempts, 2, JSON.stringify(report));
      const mine = events.filter((e) => e.task === id);
      assert.deepEqual(mine.filter((e) => e.event === 'step1').map((e) => e.role), ['A'], `${id}: step 1 ran once, in A`);
      assert.deepEqual(mine.filter((e) => e.event === 'step2').map((e) => e.role), ['A', ranIn], `${id}: step 2 ran in A, then again in ${ranIn}`);
      assert.deepEqual(mine.filter((e) => e.event === 'step3').map((e) => e.role), [ranIn], `${id}: step 3 ran once`);
      assert.deepEqual(mine.filter((e) => e.event === 'end').map((e) => e.role), [ranIn], `${id}: finished once`);
      // Taken over only once A was dead: a live executor's work is never taken.
      const resumedAt = mine.find((e) => e.event === 'step2' && e.role !== 'A')!.at;
      assert.ok(resumedAt >= killedAt, `${id} resumed at ${resumedAt}, before A was killed at ${killedAt}`);
    }
    assert.equal(countByTask(events, 'end').size, taskIDs.length);
    t.diagnostic(`finished by: ${JSON.stringify(reports.map((report) => report.status?.executorId))}`);
  });

  test('the slots a killed worker held on a concurrency-limited queue are freed by the takeover, and the queue drains', testTimeout, async () => {
    const config = backend.freshConfig({ heartbeatIntervalMs: 200, executorTimeoutMs: 1500 });
    log = freshLogPath();
    const taskIDs = Array.from({ length: 6 }, (_, i) => `limited-${i}`);

    // A takes both slots of the concurrency-2 queue and blocks in step 2; the other four wait behind them.
    const [workerA] = startQueueWorkers(['A'], config, log, () => ({ DURABLY_TEST_BLOCK_STEP2: '1' }));
    await workerA!.ready();
    const enqueued = await workerA!.enqueue(queueNames.recoveryLimited, 'threeStepTask', taskIDs.map((id) => ({ workflowID: id, args: [id] })));
    assert.ok(enqueued.every((outcome) => outcome.ok), JSON.stringify(enqueued));
    await waitUntil(
      () => readTaskEvents(log).filter((e) => e.event === 'step2').length === 2,
      20_000,
      () => `two tasks in step 2 of A: ${JSON.stringify(readTaskEvents(log))}`,
    );
    const survivors = startQueueWorkers(['B', 'C'], config, log);
    await allReady(survivors);
    const before = await survivors[0]!.statuses(taskIDs);
    const heldByA = before.filter((report) => report.status?.status === 'PENDING').map((report) => report.workflowID);
    assert.equal(heldByA.length, 2, `A holds the two slots: ${JSON.stringify(before)}`);
    assert.equal(before.filter((report) => report.status?.status === 'ENQUEUED').length, 4, JSON.stringify(before));
    await workerA!.child.kill();

    const reports = await survivors[1]!.awaitAll(taskIDs);
    for (const report of reports) {
      assert.equal(report.status?.status, 'SUCCESS', JSON.stringify(report));
      assert.ok(['B', 'C'].includes(report.status?.executorId ?? ''), JSON.stringify(report));
      assert.equal(report.status?.recoveryAttempts, heldByA.includes(report.workflowID) ? 2 : 1, JSON.stringify(report));
    }
    const events = readTaskEvents(log);
    for (const id of taskIDs) {
      const step1 = events.filter((e) => e.task === id && e.event === 'step1').map((e) => e.role);
      assert.equal(step1.length, 1, `${id}: step 1 ran once (${JSON.stringify(step1)})`);
      assert.equal(step1[0] === 'A', heldByA.includes(id), `${id}: step 1 ran in A exactly when A had claimed it`);
      assert.equal(countByTask(events, 'end').get(id), 1, `${id} finished once`);
    }
  });
});
