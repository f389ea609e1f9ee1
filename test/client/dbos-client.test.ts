/**
 * DBOSClient and DebouncerClient against a worker in another process (a real
 * child process): enqueue by name with options, send, getEvent, results,
 * listing, cancel and resume; a client refuses a database it would have to
 * migrate, and writes nothing to it.
 */
import assert from 'node:assert/strict';
import { existsSync, readFileSync } from 'node:fs';
import { after, before, test } from 'node:test';
import pg from 'pg';
import { DBOSClient, DebouncerClient, DBOSInitializationError } from '../../src/index.ts';
import { forEachBackend } from '../helpers/backends.ts';
import { freshLogPath, removeLog } from '../processes/child-process.ts';
import { clientOptions, startWorker, until } from './client-worker-process.ts';


forEachBackend('DBOSClient with a worker in another process', (backend) => {
  let worker: ReturnType<typeof startWorker>;
  let client: DBOSClient;
  let log = '';

  before(async () => {
    const config = backend.freshConfig();
    log = freshLogPath();
    worker = startWorker(config, log);
    await worker.ready;
    client = await DBOSClient.create(clientOptions(config));
  });
  after(async () => {
    await client?.destroy();
    worker?.kill();
    removeLog(log);
  });

  test('enqueues by name with options, sends, reads the event promptly and the result', async () => {
    const workflowID = `greet-${backend.name}`;
    const handle = await client.enqueue(
      { queueName: 'client-queue', workflowName: 'client.greet', workflowID, priority: 5, attributes: { team: 'a' } },
      'ann',
    );
    assert.equal(handle.workflowID, workflowID);
    const event = client.getEvent<string>(workflowID, 'ready', 30);
    await until(() => client.getWorkflow(workflowID), (s) => s?.status === 'PENDING', 'the worker runs it');
    const sentAt = Date.now();
    await client.send(workflowID, 'now', 'start');
    assert.equal(await event, 'waiting for ann');
    // Generous: DBOS's client polls every 10 s; durably's wakes on the write.
    assert.ok(Date.now() - sentAt < 5_000, `getEvent woke ${Date.now() - sentAt} ms after the send`);
    await client.send(workflowID, 'hi', 'go', 'once');
    await client.send(workflowID, 'hi again', 'go', 'once'); // same idempotency key: not a second message
    assert.equal(await handle.getResult(), 'ann:hi');
    const status = await client.getWorkflow(workflowID);
    assert.equal(status?.status, 'SUCCESS');
    assert.equal(status?.priority, 5);
    assert.equal(status?.queueName, 'client-queue');
    assert.deepEqual(await client.retrieveWorkflow(workflowID).getWorkflowInputs(), ['ann']);
    assert.equal((await client.retrieveWorkflow(workflowID).getStatus())?.status, 'SUCCESS');
    const listed = await client.listWorkflows({ workflowName: 'client.greet' });
    assert.deepEqual(listed.map((w) => w.workflowID), [workflowID]);
    const steps = await client.listWorkflowSteps(workflowID);
    assert.ok(steps && steps.some((s) => s.name === 'DBOS.setEvent'));
    assert.equal(await client.getWorkflow('no-such-workflow'), undefined);
  });

  test('cancels, resumes, forks and deletes', async () => {
    const workflowID = `cancel-${backend.name}`;
    await client.enqueue({ queueName: 'client-queue', workflowName: 'client.greet', workflowID }, 'bob');
    await until(() => client.getWorkflow(workflowID), (s) => s?.status === 'PENDING', 'the worker runs it');
    assert.equal((await client.listQueuedWorkflows({ queueName: 'client-queue' })).length, 1);
    await client.cancelWorkflow(workflowID);
    assert.equal((await client.getWorkflow(workflowID))?.status, 'CANCELLED');
    // A worker on SQLite learns of a cancel made by another process within its 1 s safety check; until then its
    // execution, blocked in recv, may still consume messages. Resuming and sending sooner races with it (see the
    // README, "Cancelling across processes"); an operator's resume comes later than that.
    await new Promise((resolve) => setTimeout(resolve, 1500));
    const resumed = await client.resumeWorkflow<string>(workflowID);
    await client.send(workflowID, 'go', 'start');
    await client.send(workflowID, 'back', 'go');
    assert.equal(await resumed.getResult(), 'bob:back');
    const forkID = await client.forkWorkflow(workflowID, 99, { newWorkflowID: `fork-${backend.name}` });
    assert.equal(forkID, `fork-${backend.name}`);
    // Every step before 99 is reused: the fork returns the original's result without new messages.
    assert.equal(await client.retrieveWorkflow<string>(forkID).getResult(), 'bob:back');
    await client.deleteWorkflow(forkID);
    assert.equal(await client.getWorkflow(forkID), undefined);
  });

  test('changes a delayed workflow, then DebouncerClient coalesces calls into one run with the last arguments', async () => {
    const delayedID = `delayed-${backend.name}`;
    await client.enqueue({ queueName: 'client-queue', workflowName: 'client.debounced', workflowID: delayedID, delaySeconds: 3600 }, 'late');
    assert.equal((await client.getWorkflow(delayedID))?.status, 'DELAYED');
    await client.setWorkflowPriority(delayedID, 7);
    await client.setWorkflowDelay(delayedID, 0);
    assert.equal(await client.retrieveWorkflow(delayedID).getResult(), 'late');

    const debouncer = new DebouncerClient(client, { workflowName: 'client.debounced' });
    const first = await debouncer.debounce('key', 400, 'a');
    const second = await debouncer.debounce('key', 400, 'b');
    const third = await debouncer.debounce('key', 400, 'c');
    assert.equal(second.workflowID, first.workflowID);
    assert.equal(third.workflowID, first.workflowID);
    assert.equal(await third.getResult(), 'c');
    const runs = readFileSync(log, 'utf8').trim().split('\n').map((line) => JSON.parse(line).label);
    assert.deepEqual(runs.filter((label: string) => label !== 'late'), ['c']);
  });
});

forEachBackend('DBOSClient on a database without durably\'s schema', (backend) => {
  test('fails with a typed error naming the remedy, and writes nothing', async () => {
    const config = backend.freshConfig();
    const error = await DBOSClient.create(clientOptions(config)).then(
      () => assert.fail('a client opened an unmigrated database'),
      (e: unknown) => e,
    );
    assert.ok(error instanceof DBOSInitializationError, String(error));
    assert.equal((error as DBOSInitializationError).code, 'SCHEMA_NOT_MIGRATED');
    assert.match((error as Error).message, /launch a worker|migrate/i);
    if (backend.name === 'sqlite') {
      assert.equal(existsSync(config.systemDatabaseUrl!), false);
      return;
    }
    const admin = new pg.Client({ connectionString: config.systemDatabaseUrl });
    await admin.connect();
    try {
      const found = await admin.query('SELECT 1 FROM information_schema.schemata WHERE schema_name = $1', [config.systemDatabaseSchemaName]);
      assert.equal(found.rowCount, 0, 'the client created the schema');
    } finally {
      await admin.end();
    }
  });
});

