/**
 * Config `listenQueues`: this process dequeues only from the queues named
 * (by name or WorkflowQueue), plus the internal queue; it can still enqueue
 * on any queue. A name unknown at launch is no error: a queue registered
 * under it later is dequeued. The value is validated at launch.
 */
import assert from 'node:assert/strict';
import { afterEach, test } from 'node:test';
import { DBOS, DBOSConfigurationError, WorkflowQueue } from '../../src/index.ts';
import { resolveConfig } from '../../src/runtime/resolve-config.ts';
import { forEachBackend } from '../helpers/backends.ts';
import { crashAndRelaunch, launch } from '../helpers/lifecycle.ts';

const listened = new WorkflowQueue('listen.listened');
const ignored = new WorkflowQueue('listen.ignored');

const task = DBOS.registerWorkflow(async (label: string) => `${label}@${DBOS.executorID}`, { name: 'listen.task' });

const pause = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

async function statusOf(workflowID: string): Promise<string | undefined> {
  return (await DBOS.getWorkflowStatus(workflowID))?.status;
}

test('listenQueues is validated: an array of queue names or WorkflowQueues', () => {
  const bad: [unknown, RegExp][] = [
    ['listen.listened', /must be an array of queue names or WorkflowQueues, got "listen.listened"/],
    [[''], /each entry must be a queue name \(non-empty string\) or a WorkflowQueue, got ""/],
    [[7], /got 7/],
    [[{ name: 'listen.listened' }], /got \{"name":"listen.listened"\}/],
  ];
  for (const [listenQueues, pattern] of bad) {
    assert.throws(() => resolveConfig({ listenQueues } as never, {}), (error: unknown) => {
      assert.ok(error instanceof DBOSConfigurationError);
      assert.match(error.message, pattern);
      return true;
    });
  }
  assert.deepEqual([...resolveConfig({ listenQueues: [listened, 'later'] }, {}).listenQueues!], ['listen.listened', 'later']);
  assert.equal(resolveConfig({}, {}).listenQueues, null, 'by default every queue');
});

forEachBackend('listenQueues', (backend) => {
  afterEach(() => DBOS.shutdown());

  test('a process dequeues only the queues it listens to (and the internal queue); a relaunch listening to all runs the rest', async () => {
    const config = await launch(backend, { listenQueues: [listened] });
    const onListened = await DBOS.startWorkflow(task, { queueName: listened.name })('a');
    await DBOS.startWorkflow(task, { workflowID: 'left-waiting', queueName: ignored.name })('b');
    await DBOS.startWorkflow(task, { workflowID: 'resumed', queueName: ignored.name })('c');
    assert.equal(await onListened.getResult(), 'a@local');
    // The internal queue is always dequeued: resuming moves a workflow there.
    const resumed = await DBOS.resumeWorkflow<string>('resumed');
    assert.equal(await resumed.getResult(), 'c@local');
    await pause(300); // ample for a dequeuer that would take it
    assert.equal(await statusOf('left-waiting'), 'ENQUEUED');

    await crashAndRelaunch({ ...config, listenQueues: undefined });
    assert.equal(await DBOS.retrieveWorkflow<string>('left-waiting').getResult(), 'b@local');
  });

  test('a name unknown at launch waits for a queue registered under it; other registered queues are not dequeued', async () => {
    await launch(backend, { listenQueues: ['listen.later'] });
    await DBOS.registerQueue('listen.later');
    await DBOS.registerQueue('listen.unlistened');
    const later = await DBOS.startWorkflow(task, { queueName: 'listen.later' })('later');
    await DBOS.startWorkflow(task, { workflowID: 'unlistened', queueName: 'listen.unlistened' })('x');
    assert.equal(await later.getResult(), 'later@local');
    await pause(300);
    assert.equal(await statusOf('unlistened'), 'ENQUEUED');
  });
});
