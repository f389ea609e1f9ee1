/**
 * Enqueue as DBOS 5.3 does it (issue 18): the duplication policy's errors are
 * DBOS's DBOSInvalidWorkflowTransitionError (on DBOS.startWorkflow and on
 * DBOSClient.enqueue); EnqueueOptions.applicationVersion pins the version
 * (given explicitly, it wins) and applicationName enqueues for another
 * application; a rate limit of 0 per period is accepted; the by-name enqueue
 * entry points exist; workflow attributes accept null and are refused with
 * DBOS's wording; setLatestApplicationVersion honours applicationName; and
 * renaming an application to its own name is refused.
 */
import assert from 'node:assert/strict';
import { afterEach, test } from 'node:test';
import {
  DBOS,
  DBOSClient,
  DBOSError,
  DBOSInvalidWorkflowTransitionError,
  WorkflowQueue,
  type DBOSConfig,
} from '../../src/index.ts';
import { forEachBackend } from '../helpers/backends.ts';
import { launch } from '../helpers/lifecycle.ts';

const compatQueue = new WorkflowQueue('compat-enqueue.queue');
const pausedQueue = new WorkflowQueue('compat-enqueue.paused', { rateLimit: { limitPerPeriod: 0, periodSec: 1 } });

let release: () => void = () => undefined;
let gate = Promise.resolve();
const hold = () => (gate = new Promise<void>((resolve) => (release = resolve)));

const gated = DBOS.registerWorkflow(async (label: string) => {
  await gate;
  return label;
}, { name: 'compat-enqueue.gated' });

const echo = DBOS.registerWorkflow(async (label: string) => label, { name: 'compat-enqueue.echo' });

function clientFor(config: DBOSConfig, applicationName?: string): Promise<DBOSClient> {
  return DBOSClient.create({ systemDatabaseUrl: config.systemDatabaseUrl!, systemDatabaseSchemaName: config.systemDatabaseSchemaName, applicationName });
}

forEachBackend('DBOS-compatible enqueue', (backend) => {
  afterEach(async () => {
    release();
    await DBOS.shutdown();
  });

  test("'return-existing' without a queue or deduplication ID raises DBOSInvalidWorkflowTransitionError, as in DBOS", async () => {
    await launch(backend);
    const policy = 'return-existing' as const;
    await assert.rejects(DBOS.startWorkflow(gated, { duplicationPolicy: policy, workflowID: 'p1' })('x'), (error: unknown) => {
      assert.ok(error instanceof DBOSInvalidWorkflowTransitionError);
      assert.match(error.message, /`duplicationPolicy: 'return-existing'` requires a `queueName`/);
      return true;
    });
    await assert.rejects(DBOS.startWorkflow(gated, { duplicationPolicy: policy, queueName: compatQueue.name, workflowID: 'p2' })('x'), (error: unknown) => {
      assert.ok(error instanceof DBOSInvalidWorkflowTransitionError);
      assert.match(error.message, /`duplicationPolicy: 'return-existing'` requires `enqueueOptions.deduplicationID`/);
      return true;
    });
    const config = backend.freshConfig();
    await DBOS.shutdown();
    DBOS.setConfig(config);
    await DBOS.launch();
    const client = await clientFor(config);
    try {
      const options = { queueName: compatQueue.name, workflowName: 'compat-enqueue.gated' };
      await assert.rejects(client.enqueue({ ...options, duplicationPolicy: policy }, 'x'), (error: unknown) => {
        assert.ok(error instanceof DBOSInvalidWorkflowTransitionError);
        assert.match(error.message, /`duplicationPolicy: 'return-existing'` requires `deduplicationID`/);
        return true;
      });
      // With a deduplication ID, the client gets the holder's handle.
      hold();
      const holder = await client.enqueue({ ...options, deduplicationID: 'd', workflowID: 'client-holder' }, 'first');
      const again = await client.enqueue({ ...options, deduplicationID: 'd', duplicationPolicy: policy }, 'second');
      assert.equal(again.workflowID, 'client-holder');
      release();
      assert.equal(await holder.getResult(), 'first');
    } finally {
      await client.destroy();
    }
  });

  test('EnqueueOptions.applicationVersion given explicitly wins; applicationName enqueues for another application', async () => {
    await launch(backend, { name: 'compat-app', applicationVersion: 'v-mine' });
    hold();
    const pinned = await DBOS.startWorkflow(gated, { queueName: compatQueue.name, enqueueOptions: { applicationVersion: 'v-other' } })('pinned');
    assert.equal((await pinned.getStatus())?.applicationVersion, 'v-other');
    const mine = await DBOS.startWorkflow(echo, { queueName: compatQueue.name })('mine');
    assert.equal(await mine.getResult(), 'mine');
    assert.equal((await mine.getStatus())?.applicationVersion, 'v-mine');
    // Without a queue, the version still pins the (directly started) workflow, as in DBOS.
    const direct = await DBOS.startWorkflow(echo, { enqueueOptions: { applicationVersion: 'v-direct' } })('direct');
    assert.equal(await direct.getResult(), 'direct');
    assert.equal((await direct.getStatus())?.applicationVersion, 'v-direct');
    // By name (no local function needed): appVersion given wins, else unset.
    const byName = await DBOS.enqueueWorkflowWithOptions({ queueName: compatQueue.name, workflowName: 'compat-enqueue.gated', appVersion: 'v-by-name' }, 'n');
    assert.equal((await byName.getStatus())?.applicationVersion, 'v-by-name');
    const portable = await DBOS.enqueueWorkflowWithOptionsPortable(
      { queueName: compatQueue.name, workflowName: 'compat-enqueue.echo', appVersion: 'v-mine' },
      ['portable'],
    );
    assert.equal(await portable.getResult(), 'portable');
    release();
  });

  test('applicationName on EnqueueOptions owns the row for that application, with no version of ours', async () => {
    await launch(backend, { name: 'compat-app', applicationVersion: 'v-mine' });
    const handle = await DBOS.startWorkflow(gated, {
      queueName: compatQueue.name,
      workflowID: 'for-them',
      enqueueOptions: { applicationName: 'their-app' },
    })('theirs');
    const [row] = await DBOS.listWorkflows({ workflowIDs: [handle.workflowID], applicationName: 'their-app' });
    assert.equal(row?.applicationName, 'their-app');
    assert.equal(row?.applicationVersion, undefined);
    await assert.rejects(
      DBOS.startWorkflow(echo, { enqueueOptions: { applicationName: 'their-app', priority: 3 } })('x'),
      /Enqueue option\(s\) applicationName, priority set on a workflow that is not being enqueued/,
    );
  });

  test('a rate limit of 0 per period is accepted (nothing is dequeued), as in DBOS', async () => {
    await launch(backend);
    const handle = await DBOS.startWorkflow(echo, { queueName: pausedQueue.name })('never');
    await new Promise((resolve) => setTimeout(resolve, 1500));
    assert.equal((await handle.getStatus())?.status, 'ENQUEUED');
    await DBOS.registerQueue('compat-enqueue.db-paused', { rateLimit: { limitPerPeriod: 0, periodSec: 1 } });
  });

  test("listQueues lists this application's registered queues (and unowned ones) by default, or the named applications'", async () => {
    const config = await launch(backend, { name: 'compat-app' });
    await DBOS.registerQueue('compat-mine');
    const other = await clientFor(config, 'other-app');
    const unowned = await clientFor(config);
    try {
      await other.registerQueue('compat-theirs');
      await unowned.registerQueue('compat-unowned');
      const names = (queues: { name: string }[]) => queues.map((q) => q.name).sort();
      assert.deepEqual(names(await DBOS.listQueues()), ['compat-mine', 'compat-unowned']);
      assert.deepEqual(names(await DBOS.listQueues('other-app')), ['compat-theirs', 'compat-unowned']);
      assert.deepEqual(names(await DBOS.listQueues(['other-app', 'compat-app'])), ['compat-mine', 'compat-theirs', 'compat-unowned']);
    } finally {
      await other.destroy();
      await unowned.destroy();
    }
  });

  test('workflowAttributes: null means none; invalid ones are refused with DBOS wording', async () => {
    await launch(backend);
    const handle = await DBOS.startWorkflow(echo, { workflowAttributes: null as never })('n');
    assert.equal(await handle.getResult(), 'n');
    assert.equal((await handle.getStatus())?.attributes, undefined);
    await assert.rejects(DBOS.startWorkflow(echo, { workflowAttributes: [1] as never })('x'), (error: unknown) => {
      assert.ok(error instanceof DBOSError);
      assert.match(error.message, /Invalid workflow attributes/);
      return true;
    });
  });

  test('setLatestApplicationVersion acts for an application (this one by default) and refuses a version another one owns', async () => {
    const config = await launch(backend, { name: 'compat-app', applicationVersion: 'v-mine' });
    const unowned = await clientFor(config);
    const other = await clientFor(config, 'other-app');
    try {
      // A version registered by a launch of another application.
      await DBOS.shutdown();
      DBOS.setConfig({ ...config, name: 'other-app', applicationVersion: 'v-other' });
      await DBOS.launch();
      await DBOS.shutdown();
      DBOS.setConfig(config);
      await DBOS.launch();
      await assert.rejects(DBOS.setLatestApplicationVersion('v-other', { applicationName: 'compat-app' }), /already registered by application 'other-app'/);
      await other.setLatestApplicationVersion('v-other', { applicationName: 'other-app' });
      assert.equal((await other.getLatestApplicationVersion()).versionName, 'v-other');
      await DBOS.setLatestApplicationVersion('v-mine');
      assert.equal((await DBOS.getLatestApplicationVersion()).versionName, 'v-mine');
      await assert.rejects(unowned.renameApplication('compat-app', 'compat-app'), (error: unknown) => {
        assert.ok(error instanceof DBOSError);
        assert.match(error.message, /Application 'compat-app' already holds that name; nothing to rename/);
        return true;
      });
    } finally {
      await unowned.destroy();
      await other.destroy();
    }
  });
});
