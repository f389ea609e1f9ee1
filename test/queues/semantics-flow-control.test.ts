/**
 * Queue semantics, flow control (issue 3): `concurrency` and
 * `workerConcurrency` cap the tasks running at once, `rateLimit` caps the
 * starts per period. Each task records its start and end in memory, in the
 * order they happen; the tests compute the largest overlap from that record
 * and check rate limits on the recorded dequeue times (`dequeuedAt`), never
 * on the test's own elapsed time.
 */
import assert from 'node:assert/strict';
import { afterEach, beforeEach, test } from 'node:test';
import { setTimeout as delay } from 'node:timers/promises';
import { DBOS, WorkflowQueue, type WorkflowHandle } from '../../src/index.ts';
import { forEachBackend } from '../helpers/backends.ts';
import { launch } from '../helpers/lifecycle.ts';

const globalQueue = new WorkflowQueue('semantics-flow.global', { concurrency: 2 });
const workerQueue = new WorkflowQueue('semantics-flow.worker', { workerConcurrency: 2 });
const bothQueue = new WorkflowQueue('semantics-flow.both', { concurrency: 3, workerConcurrency: 1 });
const rateQueue = new WorkflowQueue('semantics-flow.rate', { rateLimit: { limitPerPeriod: 3, periodSec: 0.5 } });

type Event = { kind: 'start' | 'end'; queue: string; task: number };
const events: Event[] = [];

const task = DBOS.registerWorkflow(async (queue: string, i: number, ms: number) => {
  events.push({ kind: 'start', queue, task: i });
  await delay(ms);
  events.push({ kind: 'end', queue, task: i });
  return i;
}, { name: 'semantics-flow.task' });

/** Most tasks of `queue` running at once, from the ordered start/end record. */
function maxOverlap(queue: string): number {
  let running = 0;
  let max = 0;
  for (const event of events.filter((e) => e.queue === queue)) {
    running += event.kind === 'start' ? 1 : -1;
    max = Math.max(max, running);
  }
  return max;
}

function startedTasks(queue: string): number[] {
  return events.filter((e) => e.queue === queue && e.kind === 'start').map((e) => e.task);
}

async function enqueueTasks(queue: WorkflowQueue, n: number, ms: number): Promise<WorkflowHandle<number>[]> {
  const handles: WorkflowHandle<number>[] = [];
  for (let i = 0; i < n; i++) handles.push(await DBOS.startWorkflow(task, { queueName: queue.name })(queue.name, i, ms));
  return handles;
}

forEachBackend('queue semantics: flow control', (backend) => {
  beforeEach(() => {
    events.length = 0;
  });
  afterEach(() => DBOS.shutdown());

  test('concurrency: 2 never lets more than two tasks overlap, and every task finishes', async () => {
    await launch(backend);
    const handles = await enqueueTasks(globalQueue, 8, 30);
    const results = await Promise.all(handles.map((h) => h.getResult()));
    assert.deepEqual(results, [0, 1, 2, 3, 4, 5, 6, 7]);
    assert.ok(maxOverlap(globalQueue.name) <= 2, `at most 2 at once, saw ${maxOverlap(globalQueue.name)}`);
    assert.equal(maxOverlap(globalQueue.name), 2, 'the queue used its two slots');
    assert.deepEqual([...startedTasks(globalQueue.name)].sort((a, b) => a - b), [0, 1, 2, 3, 4, 5, 6, 7], 'each task ran once');
    for (const handle of handles) assert.equal((await handle.getStatus())?.status, 'SUCCESS');
  });

  test('workerConcurrency: 2 caps the tasks this process runs at once', async () => {
    await launch(backend);
    const handles = await enqueueTasks(workerQueue, 8, 30);
    assert.deepEqual(await Promise.all(handles.map((h) => h.getResult())), [0, 1, 2, 3, 4, 5, 6, 7]);
    assert.ok(maxOverlap(workerQueue.name) <= 2, `at most 2 at once, saw ${maxOverlap(workerQueue.name)}`);
    assert.equal(maxOverlap(workerQueue.name), 2, 'the worker used its two slots');
    assert.equal(startedTasks(workerQueue.name).length, 8, 'each task ran once');
  });

  test('the smaller of concurrency and workerConcurrency wins in one process', async () => {
    await launch(backend);
    const handles = await enqueueTasks(bothQueue, 5, 20);
    assert.deepEqual(await Promise.all(handles.map((h) => h.getResult())), [0, 1, 2, 3, 4]);
    assert.equal(maxOverlap(bothQueue.name), 1, 'workerConcurrency 1 serialises this process');
    assert.deepEqual(startedTasks(bothQueue.name), [0, 1, 2, 3, 4], 'first in, first out');
  });

  test('rateLimit 3 per 0.5 s: no half-second window holds more than three starts', async () => {
    await launch(backend);
    const handles = await enqueueTasks(rateQueue, 9, 0);
    assert.deepEqual(await Promise.all(handles.map((h) => h.getResult())), [0, 1, 2, 3, 4, 5, 6, 7, 8]);
    const starts: number[] = [];
    for (const handle of handles) {
      const status = await handle.getStatus();
      assert.equal(status?.status, 'SUCCESS');
      assert.equal(typeof status?.dequeuedAt, 'number', `${handle.workflowID} has a dequeue time`);
      starts.push(status!.dequeuedAt!);
    }
    starts.sort((a, b) => a - b);
    for (const [i, start] of starts.entries()) {
      const inWindow = starts.filter((s) => s >= start && s < start + 500).length;
      assert.ok(inWindow <= 3, `${inWindow} starts in [${start}, ${start + 500}) (start ${i}); all: ${starts.join(', ')}`);
    }
    // Nine starts at three per period span at least two full periods.
    assert.ok(starts[8]! - starts[0]! >= 1000, `starts spread over ${starts[8]! - starts[0]!} ms`);
  });
});
