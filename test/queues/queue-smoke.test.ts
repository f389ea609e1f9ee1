import assert from 'node:assert/strict';
import { afterEach, test } from 'node:test';
import { DBOS, WorkflowQueue } from '../../src/index.ts';
import { forEachBackend } from '../helpers/backends.ts';

const queue = new WorkflowQueue('smoke-queue', { concurrency: 3 });
let running = 0;
let maxRunning = 0;

const task = DBOS.registerWorkflow(async (i: number) => {
  running++;
  maxRunning = Math.max(maxRunning, running);
  await DBOS.sleep(20);
  running--;
  return i * 2;
}, { name: 'task' });

const fanOut = DBOS.registerWorkflow(async (n: number) => {
  const handles = [];
  for (let i = 0; i < n; i++) handles.push(await DBOS.startWorkflow(task, { queueName: queue.name })(i));
  return Promise.all(handles.map((h) => h.getResult()));
}, { name: 'fanOut' });

forEachBackend('queue smoke', (backend) => {
  afterEach(() => DBOS.shutdown());

  test('ten tasks enqueued from a workflow run concurrently within the limit and all finish', async () => {
    DBOS.setConfig(backend.freshConfig());
    await DBOS.launch();
    maxRunning = 0;
    const results = await fanOut(10);
    assert.deepEqual(results, [0, 2, 4, 6, 8, 10, 12, 14, 16, 18]);
    assert.ok(maxRunning <= 3, `at most 3 at once, saw ${maxRunning}`);
    assert.ok(maxRunning >= 2, `ran concurrently, saw ${maxRunning}`);
  });
});
