/**
 * Batch enqueue for event receivers (durably/eventreceiver, DBOS's
 * prepareEnqueuedWorkflow + enqueueWorkflows): rows are built without a
 * write, inserted in one transaction, each runs once, and a redelivered
 * batch inserts nothing.
 */
import assert from 'node:assert/strict';
import { afterEach, beforeEach, test } from 'node:test';
import {
  ConfiguredInstance,
  DBOS,
  DBOSConfigurationError,
  DBOSInvalidWorkflowInputError,
  DBOSQueueNotFoundError,
  WorkflowQueue,
} from '../../src/index.ts';
import { enqueueWorkflows, prepareEnqueuedWorkflow } from '../../src/eventreceiver.ts';
import { engineFor } from '../../src/runtime/runtime.ts';
import { forEachBackend } from '../helpers/backends.ts';
import { launch } from '../helpers/lifecycle.ts';

const batchQueue = new WorkflowQueue('batch-enqueue.queue');
const runCounts = new Map<number, number>();

const consume = DBOS.registerWorkflow(async (offset: number) => {
  runCounts.set(offset, (runCounts.get(offset) ?? 0) + 1);
  return offset;
}, { name: 'batch-enqueue.consume' });

const portableConsume = DBOS.registerWorkflow(async (offset: number) => offset, {
  name: 'batch-enqueue.portable-consume',
  serialization: 'portable',
});

class Consumer extends ConfiguredInstance {
  @DBOS.workflow()
  async consume(offset: number): Promise<number> {
    return offset;
  }
}
const consumer = new Consumer('batch-enqueue.consumer');

forEachBackend('batch enqueue', (backend) => {
  beforeEach(() => runCounts.clear());
  afterEach(() => DBOS.shutdown());

  test('1,200 prepared rows are enqueued in one call and each runs once; a redelivery inserts nothing', { timeout: 90_000 }, async () => {
    await launch(backend);
    const offsets = Array.from({ length: 1200 }, (_, i) => i);
    const rows = await Promise.all(
      offsets.map((offset) => prepareEnqueuedWorkflow(consume, [offset], { queueName: batchQueue.name, workflowID: `offset-${offset}` })),
    );
    assert.equal(await DBOS.getWorkflowStatus('offset-0'), null, 'preparing writes nothing');
    const inserted = await enqueueWorkflows(rows);
    assert.equal(inserted.size, 1200);
    const results = await Promise.all(offsets.map((offset) => DBOS.retrieveWorkflow<number>(`offset-${offset}`).getResult()));
    assert.deepEqual(results, offsets);
    assert.equal(runCounts.size, 1200);
    assert.ok([...runCounts.values()].every((n) => n === 1), 'each ran once');
    assert.equal((await enqueueWorkflows(rows)).size, 0, 'a redelivered batch is a no-op');
    assert.ok([...runCounts.values()].every((n) => n === 1));
  });

  test('prepared rows ignore the ambient context and are created in order', async () => {
    await launch(backend);
    const rows = await DBOS.withAuthedContext('someone', ['admin'], () =>
      Promise.all([1, 2, 3].map((i) => prepareEnqueuedWorkflow(consume, [i], { queueName: batchQueue.name, workflowID: `ctx-${i}` }))),
    );
    assert.ok(rows.every((row) => row.authenticatedUser === '' && row.parentWorkflowID === null && row.status === 'ENQUEUED'));
    assert.ok(rows[0]!.createdAt < rows[1]!.createdAt && rows[1]!.createdAt < rows[2]!.createdAt);
    const partial = await enqueueWorkflows([rows[0]!]);
    assert.deepEqual([...partial], ['ctx-1']);
    assert.deepEqual([...(await enqueueWorkflows(rows))].sort(), ['ctx-2', 'ctx-3'], 'returns only the IDs this call inserted');
    const row = await engineFor('test').systemDatabase.getWorkflowStatus('ctx-3');
    assert.equal(row?.queueName, batchQueue.name);
  });

  test('a portable workflow\'s rows hold portable inputs, as a start of it would', async () => {
    await launch(backend);
    const row = await prepareEnqueuedWorkflow(portableConsume, [7], { queueName: batchQueue.name, workflowID: 'portable-7' });
    assert.equal(row.serialization, 'portable_json');
    await enqueueWorkflows([row]);
    assert.equal(await DBOS.retrieveWorkflow<number>('portable-7').getResult(), 7);
  });

  test('bad input is refused before anything is written', async () => {
    await launch(backend);
    await assert.rejects(prepareEnqueuedWorkflow(consume, [1], { queueName: batchQueue.name, workflowID: '' }), DBOSConfigurationError);
    await assert.rejects(prepareEnqueuedWorkflow(consume, [1], { queueName: 'batch-enqueue.no-such-queue', workflowID: 'x' }), DBOSQueueNotFoundError);
    await assert.rejects(prepareEnqueuedWorkflow(consume, [() => 1] as never, { queueName: batchQueue.name, workflowID: 'x' }), (error: unknown) => {
      assert.ok(error instanceof DBOSInvalidWorkflowInputError, String(error));
      assert.equal(error.workflowName, 'batch-enqueue.consume');
      assert.match(error.message, /args\[0\]/);
      return true;
    });
    // As in DBOS: a batch row names no configured instance, so an instance method is refused.
    await assert.rejects(
      prepareEnqueuedWorkflow(consumer.consume, [1], { queueName: batchQueue.name, workflowID: 'x' }),
      (error: unknown) => error instanceof DBOSConfigurationError && /is an instance method of a ConfiguredInstance/.test(error.message),
    );
    const row = await prepareEnqueuedWorkflow(consume, [1], { queueName: batchQueue.name, workflowID: 'bad-row' });
    await assert.rejects(enqueueWorkflows([{ ...row, status: 'PENDING' } as never]), /ENQUEUED/);
    await assert.rejects(enqueueWorkflows([{ ...row, deduplicationID: 'd' }]), /deduplication/);
    assert.equal(await DBOS.getWorkflowStatus('bad-row'), null);
  });
});
