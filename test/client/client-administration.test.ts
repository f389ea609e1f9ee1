/**
 * The rest of DBOSClient's surface, against a worker in another process:
 * reading a workflow's stream, database-registered queues, dynamic schedules
 * by workflow name (runs the worker executes), application versions, the
 * in-transaction enqueue and send (Postgres: they exist only once the
 * caller commits; SQLite: a typed error), and a caller's pg.Pool.
 */
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import pg from 'pg';
import {
  DBOSApplicationVersionNotFoundError,
  DBOSClient,
  DBOSConfigurationError,
  DBOSConflictingRegistrationError,
  DBOSNonExistentWorkflowError,
  DBOSScheduleExistsError,
  DBOSScheduleNotFoundError,
  DBOSStreamTimeoutError,
  DBOSUnsupportedBackendError,
  type DBOSConfig,
} from '../../src/index.ts';
import { forEachBackend } from '../helpers/backends.ts';
import { freshLogPath, removeLog } from '../processes/child-process.ts';
import { clientOptions, startWorker, until } from './client-worker-process.ts';


/** A crontab that does not fire while a test runs (midnight of January 1st). */
const never = '0 0 1 1 *';

forEachBackend('DBOSClient: streams, queues, schedules, versions, transactions', (backend) => {
  let config: DBOSConfig;
  let worker: ReturnType<typeof startWorker>;
  let client: DBOSClient;
  let log = '';

  before(async () => {
    config = backend.freshConfig({ applicationVersion: 'v-client-1' });
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

  test('readStream yields what the workflow wrote until it closed the stream; readStreamOffset reads one value', async () => {
    const handle = await client.enqueue({ queueName: 'client-queue', workflowName: 'client.streamer' }, 'a', 'b', 'c');
    const values: string[] = [];
    for await (const value of client.readStream<string>(handle.workflowID, 'out')) values.push(value);
    assert.deepEqual(values, ['a', 'b', 'c']);
    assert.equal(await handle.getResult(), 3);
    assert.equal(await client.readStreamOffset<string>(handle.workflowID, 'out', 1), 'b');
    const fromOffset: string[] = [];
    for await (const value of client.readStream<string>(handle.workflowID, 'out', { offset: 2 })) fromOffset.push(value);
    assert.deepEqual(fromOffset, ['c']);
    await assert.rejects(client.readStreamOffset(handle.workflowID, 'out', 5, { timeoutSeconds: 5 }), DBOSStreamTimeoutError);
  });

  test('registers, retrieves, changes, lists and deletes queues; a worker runs what is enqueued on one', async () => {
    const queue = await client.registerQueue('client-registered', { concurrency: 3, workerConcurrency: 1 });
    assert.equal(queue.concurrency, 3);
    assert.equal((await client.retrieveQueue('client-registered'))?.workerConcurrency, 1);
    await queue.setWorkerConcurrency(2);
    assert.equal(await (await client.retrieveQueue('client-registered'))!.getWorkerConcurrency(), 2);
    assert.ok((await client.listQueues()).some((q) => q.name === 'client-registered'));
    assert.deepEqual((await client.listQueues('another-app')).map((q) => q.name), [], "another application's only");
    await assert.rejects(client.registerQueue('client-other', { onConflict: 'update_if_latest_version' }), DBOSConfigurationError);
    await assert.rejects(client.registerQueue('client-registered', { applicationName: 'another-app' }), DBOSConflictingRegistrationError);

    const handle = await client.enqueue({ queueName: 'client-registered', workflowName: 'client.debounced' }, 'on-registered');
    assert.equal(await handle.getResult(), 'on-registered');
    await client.deleteQueue('client-registered');
    assert.equal(await client.retrieveQueue('client-registered'), null);
  });

  test('schedules by workflow name: create, read, change, pause, trigger and backfill (run by the worker), apply, delete', async () => {
    await client.createSchedule({ scheduleName: 'client-s', workflowName: 'client.onSchedule', schedule: never, context: { n: 1 } });
    await assert.rejects(
      client.createSchedule({ scheduleName: 'client-s', workflowName: 'client.onSchedule', schedule: never }),
      DBOSScheduleExistsError,
    );
    await assert.rejects(client.createSchedule({ scheduleName: 'bad', workflowName: 'client.onSchedule', schedule: 'not a crontab' }));
    const stored = await client.getSchedule('client-s');
    assert.equal(stored?.workflowName, 'client.onSchedule');
    assert.equal(stored?.applicationName, 'durably-test');
    assert.deepEqual(stored?.context, { n: 1 });
    await client.updateSchedule('client-s', { context: { n: 2 } });
    await client.pauseSchedule('client-s');
    assert.deepEqual((await client.listSchedules({ status: 'PAUSED' })).map((s) => s.scheduleName), ['client-s']);
    await client.resumeSchedule('client-s');

    const triggered = await client.triggerSchedule('client-s');
    assert.match(String(await triggered.getResult()), /:\{"n":2\}$/);
    assert.equal((await client.getWorkflow(triggered.workflowID))?.scheduleName, 'client-s');
    const start = new Date('2025-01-01T00:00:00Z');
    const end = new Date('2027-01-01T00:00:00Z');
    const slots = await client.backfillSchedule('client-s', start, end);
    assert.equal(slots.length, 2);
    for (const slot of slots) assert.match(String(await slot.getResult()), /^20\d\d-01-01T/);
    assert.deepEqual((await client.backfillSchedule('client-s', start, end)).map((h) => h.workflowID), slots.map((h) => h.workflowID));

    await client.applySchedules([
      { scheduleName: 'client-s', workflowName: 'client.onSchedule', schedule: '0 0 2 1 *' },
      { scheduleName: 'client-t', workflowName: 'client.onSchedule', schedule: never, queueName: 'client-queue' },
    ]);
    assert.equal((await client.getSchedule('client-s'))?.schedule, '0 0 2 1 *');
    assert.deepEqual((await client.listSchedules({ scheduleNamePrefix: 'client-' })).map((s) => s.scheduleName), ['client-s', 'client-t']);
    await client.deleteSchedule('client-t');
    assert.equal(await client.getSchedule('client-t'), null);
    await assert.rejects(client.triggerSchedule('client-t'), DBOSScheduleNotFoundError);
  });

  test("lists the worker's application version, and promotes a known one only", async () => {
    const versions = await client.listApplicationVersions();
    assert.deepEqual(versions.map((v) => v.versionName), ['v-client-1']);
    assert.equal((await client.getLatestApplicationVersion()).versionName, 'v-client-1');
    await client.setLatestApplicationVersion('v-client-1');
    await assert.rejects(client.setLatestApplicationVersion('v-none'), DBOSApplicationVersionNotFoundError);
    // Owned by the worker's application: another application may not promote it (DBOS 5.3's ownership rule).
    await assert.rejects(client.setLatestApplicationVersion('v-client-1', { applicationName: 'another-app' }), /already registered by application/);
  });

  test("enqueueInTransaction and sendInTransaction commit with the caller's transaction (Postgres), or are refused (SQLite)", async () => {
    if (backend.name === 'sqlite') {
      const fake = { query: async () => ({ rows: [] }) };
      const error = await client.enqueueInTransaction(fake, { queueName: 'client-queue', workflowName: 'client.debounced' }, 'x').catch((e: unknown) => e);
      assert.ok(error instanceof DBOSUnsupportedBackendError, String(error));
      assert.equal(error.code, 'BACKEND_UNSUPPORTED');
      await assert.rejects(client.sendInTransaction(fake, 'any', 'message'), DBOSUnsupportedBackendError);
      return;
    }
    const caller = new pg.Client({ connectionString: config.systemDatabaseUrl });
    await caller.connect();
    try {
      await caller.query('BEGIN');
      const rolledBack = await client.enqueueInTransaction(caller, { queueName: 'client-queue', workflowName: 'client.debounced', workflowID: 'tx-rolled-back' }, 'never');
      await caller.query('ROLLBACK');
      assert.equal(await client.getWorkflow(rolledBack.workflowID), undefined);

      await caller.query('BEGIN');
      const handle = await client.enqueueInTransaction(caller, { queueName: 'client-queue', workflowName: 'client.debounced', workflowID: 'tx-committed' }, 'in-tx');
      assert.equal(await client.getWorkflow('tx-committed'), undefined, 'not visible before the commit');
      await caller.query('COMMIT');
      assert.equal(await handle.getResult(), 'in-tx');

      const greeting = await client.enqueue({ queueName: 'client-queue', workflowName: 'client.greet', workflowID: 'tx-greet' }, 'tess');
      await until(() => client.getWorkflow('tx-greet'), (s) => s?.status === 'PENDING', 'the worker runs it');
      await caller.query('BEGIN');
      await client.sendInTransaction(caller, 'tx-greet', 'now', 'start');
      assert.equal(await client.getEvent('tx-greet', 'ready', 1), null, 'not delivered before the commit');
      await caller.query('COMMIT');
      assert.equal(await client.getEvent('tx-greet', 'ready', 20), 'waiting for tess');
      await client.send('tx-greet', 'bye', 'go');
      assert.equal(await greeting.getResult(), 'tess:bye');

      await caller.query('BEGIN');
      await assert.rejects(client.sendInTransaction(caller, 'no-such-workflow', 'x'), DBOSNonExistentWorkflowError);
      await caller.query('ROLLBACK');
    } finally {
      await caller.end();
    }
  });

  test("a caller's pg.Pool is used and left open by destroy() (Postgres)", { skip: backend.name === 'sqlite' && 'Postgres only' }, async () => {
    const pool = new pg.Pool({ connectionString: config.systemDatabaseUrl, max: 3 });
    try {
      const pooled = await DBOSClient.create({ ...clientOptions(config), systemDatabasePool: pool });
      assert.ok((await pooled.listWorkflows({ workflowName: 'client.streamer' })).length >= 1);
      await pooled.destroy();
      assert.equal((await pool.query('SELECT 1 AS one')).rows[0].one, 1);
    } finally {
      await pool.end();
    }
  });
});
