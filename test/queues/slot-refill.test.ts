/**
 * A freed slot of a limited queue is refilled at once, not at the next poll
 * (issue 17): when a task of the queue ends in this process, its dequeuer
 * claims the next one right away. The queues here poll only every 60 s, so
 * a backlog can drain within the guard below only through those hand-overs.
 * The guard is no timing assertion: it is far above any drain time and far
 * below one poll, so it tells the two paths apart.
 */
import assert from 'node:assert/strict';
import { afterEach, test } from 'node:test';
import { setTimeout as delay } from 'node:timers/promises';
import { DBOS, WorkflowQueue, type WorkflowHandle } from '../../src/index.ts';
import { forEachBackend } from '../helpers/backends.ts';
import { launch } from '../helpers/lifecycle.ts';

const pollMs = 60_000;
/** Well under one poll, well over any drain: finishing before it means no poll was needed. */
const guardMs = 30_000;

const singleQueue = new WorkflowQueue('slot-refill.single', { concurrency: 1, minPollingIntervalMs: pollMs });
const threeQueue = new WorkflowQueue('slot-refill.three', { concurrency: 3, minPollingIntervalMs: pollMs });

type Event = { kind: 'start' | 'end'; queue: string };
const events: Event[] = [];

const task = DBOS.registerWorkflow(
  async (queue: string, i: number, ms: number) => {
    events.push({ kind: 'start', queue });
    await delay(ms);
    events.push({ kind: 'end', queue });
    return i;
  },
  { name: 'slot-refill.task' },
);

function maxOverlap(queue: string): number {
  let running = 0;
  let max = 0;
  for (const event of events.filter((e) => e.queue === queue)) {
    running += event.kind === 'start' ? 1 : -1;
    max = Math.max(max, running);
  }
  return max;
}

/** Enqueue all first (the enqueues' own wake-ups start the first tasks only), then wait for every result. */
async function drain(queue: WorkflowQueue, tasks: number, ms: number): Promise<number[]> {
  const handles: WorkflowHandle<number>[] = [];
  for (let i = 0; i < tasks; i++) handles.push(await DBOS.startWorkflow(task, { queueName: queue.name })(queue.name, i, ms));
  const stopGuard = new AbortController();
  const guard = delay(guardMs, 'poll' as const, { signal: stopGuard.signal }).catch(() => 'stopped' as const);
  const results = await Promise.race([Promise.all(handles.map((h) => h.getResult())), guard]);
  stopGuard.abort(); // its timer would keep the test process alive
  assert.notEqual(results, 'poll', `the queue did not drain within ${guardMs} ms: slots were refilled only by its ${pollMs} ms poll`);
  return results as number[];
}

forEachBackend('queues: a freed slot is refilled without a poll', (backend) => {
  afterEach(async () => {
    events.length = 0;
    await DBOS.shutdown();
  });

  test('concurrency 1 with a 60 s poll drains 20 tasks, one at a time, each started when the last ended', async () => {
    await launch(backend);
    const results = await drain(singleQueue, 20, 0);
    assert.deepEqual(results, Array.from({ length: 20 }, (_, i) => i));
    assert.equal(maxOverlap(singleQueue.name), 1);
  });

  test('concurrency 3 with a 60 s poll drains 30 tasks, never more than 3 at once', async () => {
    await launch(backend);
    const results = await drain(threeQueue, 30, 5);
    assert.equal(results.length, 30);
    assert.equal(maxOverlap(threeQueue.name), 3);
  });
});
