/**
 * Portable rows as another language (or plain SQL) reads and writes them: the recorded `serialization`
 * column of a workflow, its events and messages; the exact plain JSON of a result and an error; a portable
 * workflow returning nothing; an event re-set in another format; and a workflow row plus a message inserted
 * directly (no `message_uuid`), run and received by durably.
 */
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { afterEach, test } from 'node:test';
import { DBOS, DBOSClient, PortableWorkflowError, WorkflowQueue, type DBOSConfig } from '../../src/index.ts';
import { forEachBackend } from '../helpers/backends.ts';
import { launch } from '../helpers/lifecycle.ts';
import { rawExecute, rawRows } from '../helpers/raw-rows.ts';

const rowsQueue = new WorkflowQueue('portable-rows.queue');

const echoWithMessage = DBOS.registerWorkflow(
  async (label: string, count: number) => `${label}-${count}@${JSON.stringify(await DBOS.recv<unknown>('incoming', 30))}`,
  { name: 'portableRows.echo', className: 'portableRows', serialization: 'portable' },
);
const nothing = DBOS.registerWorkflow(async () => undefined, { name: 'portableRows.nothing', serialization: 'portable' });
const failing = DBOS.registerWorkflow(
  async () => {
    await Promise.resolve();
    throw new Error('Failed!');
  },
  { name: 'portableRows.failing', serialization: 'portable' },
);
const receiveTwice = DBOS.registerWorkflow(
  async () => [await DBOS.recv<unknown>('twice', 30), await DBOS.recv<unknown>('twice', 0.2)],
  { name: 'portableRows.receiveTwice' },
);
const reSetEvent = DBOS.registerWorkflow(async () => {
  await DBOS.setEvent('rekey', 10n as unknown as string, { serializationType: 'portable' });
  await DBOS.setEvent('rekey', 10n, { serializationType: 'native' });
}, { name: 'portableRows.reSetEvent' });

async function statusRow(config: DBOSConfig, workflowID: string): Promise<Record<string, unknown> | undefined> {
  const [row] = await rawRows(config, 'workflow_status', 'workflow_uuid = ?', [workflowID]);
  return row;
}

forEachBackend('portable rows', (backend) => {
  afterEach(async () => {
    await DBOS.shutdown();
  });

  test('a portable result and error are stored as exact plain JSON, and a portable workflow returning nothing gives null', async () => {
    const config = await launch(backend);
    const handle = await DBOS.startWorkflow(echoWithMessage)('s', 1);
    await DBOS.send(handle.workflowID, 'm', 'incoming');
    assert.equal(await handle.getResult(), 's-1@"m"');
    const row = await statusRow(config, handle.workflowID);
    assert.equal(row?.serialization, 'portable_json');
    assert.equal(row?.output, '"s-1@\\"m\\""');

    const failed = await DBOS.startWorkflow(failing)();
    await assert.rejects(failed.getResult(), (error: unknown) => error instanceof PortableWorkflowError && error.message === 'Failed!');
    const failedRow = await statusRow(config, failed.workflowID);
    assert.equal(failedRow?.error, '{"name":"Error","message":"Failed!"}');
    assert.equal(failedRow?.output ?? null, null);

    const empty = await DBOS.startWorkflow(nothing)();
    assert.equal(await empty.getResult(), null);
    const emptyRow = await statusRow(config, empty.workflowID);
    assert.equal(emptyRow?.status, 'SUCCESS');
    assert.equal(emptyRow?.serialization, 'portable_json');
  });

  test('an event re-set in another format takes that format: value and serialization both replaced', async () => {
    const config = await launch(backend);
    const handle = await DBOS.startWorkflow(reSetEvent)();
    await handle.getResult();
    const [event] = await rawRows(config, 'workflow_events', 'workflow_uuid = ?', [handle.workflowID]);
    assert.equal(event?.serialization, 'js_superjson');
    assert.equal(await DBOS.getEvent(handle.workflowID, 'rekey'), 10n);
  });

  test('a workflow row and a message inserted directly (no message_uuid) are run and received', async () => {
    const config = await launch(backend);
    const workflowID = `inserted-${randomUUID()}`;
    await rawExecute(
      config,
      `INSERT INTO {schema}workflow_status (workflow_uuid, name, class_name, queue_name, status, inputs, created_at, serialization)
       VALUES (?, 'portableRows.echo', 'portableRows', ?, 'ENQUEUED', ?, ?, 'portable_json')`,
      [workflowID, rowsQueue.name, JSON.stringify({ positionalArgs: ['s', 2] }), Date.now()],
    );
    await rawExecute(
      config,
      `INSERT INTO {schema}notifications (destination_uuid, topic, message, serialization) VALUES (?, 'incoming', ?, 'portable_json')`,
      [workflowID, JSON.stringify('M')],
    );
    assert.equal(await DBOS.retrieveWorkflow(workflowID).getResult(), 's-2@"M"');
    const [message] = await rawRows(config, 'notifications', 'destination_uuid = ?', [workflowID]);
    assert.match(String(message?.message_uuid), /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
    // Received once: it is marked consumed by its ID, so a second recv finds nothing.
    const twice = await DBOS.startWorkflow(receiveTwice)();
    const insertMessage = `INSERT INTO {schema}notifications (destination_uuid, topic, message, serialization)
      VALUES (?, 'twice', ?, 'portable_json')`;
    await rawExecute(config, insertMessage, [twice.workflowID, JSON.stringify('once')]);
    assert.deepEqual(await twice.getResult(), ['once', null]);
  });

  test('a client enqueues and sends portably, by option or by enqueuePortable; the rows say portable_json', async () => {
    const config = await launch(backend);
    const client = await DBOSClient.create({
      systemDatabaseUrl: config.systemDatabaseUrl ?? '',
      systemDatabaseSchemaName: config.systemDatabaseSchemaName,
    });
    try {
      const byOption = await client.enqueue<typeof echoWithMessage>(
        { workflowName: 'portableRows.echo', workflowClassName: 'portableRows', queueName: rowsQueue.name, serializationType: 'portable' },
        'o',
        1,
      );
      const byMethod = await client.enqueuePortable<string>(
        { workflowName: 'portableRows.echo', workflowClassName: 'portableRows', queueName: rowsQueue.name },
        ['p', 2],
      );
      for (const handle of [byOption, byMethod]) {
        await client.send(handle.workflowID, 'm', 'incoming', undefined, { serializationType: 'portable' });
        const [message] = await rawRows(config, 'notifications', 'destination_uuid = ?', [handle.workflowID]);
        assert.equal(message?.serialization, 'portable_json');
        assert.equal(message?.message, '"m"');
      }
      assert.equal(await byOption.getResult(), 'o-1@"m"');
      assert.equal(await byMethod.getResult(), 'p-2@"m"');
      for (const handle of [byOption, byMethod]) assert.equal((await statusRow(config, handle.workflowID))?.serialization, 'portable_json');
    } finally {
      await client.destroy();
    }
  });
});
