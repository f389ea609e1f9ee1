/**
 * Streams: readStream yields every value in order and ends at closeStream,
 * or when the workflow ends without closing; a reader may start before
 * anything is written; a write from a step is not recorded as an operation
 * but appears; a write from workflow code is recorded and not repeated on
 * replay; concurrent writes to one stream land at distinct offsets.
 */
import assert from 'node:assert/strict';
import { afterEach, test } from 'node:test';
import { DBOS, DBOSInvalidWorkflowTransitionError, DBOSNonExistentWorkflowError } from '../../src/index.ts';
import { forEachBackend } from '../helpers/backends.ts';
import { crashAndRelaunch, launch, stepOutcomes } from '../helpers/lifecycle.ts';
import { Gate, rawSql, waitForRecorded } from './fixtures/comm-support.ts';

async function readAll<T>(workflowID: string, key: string): Promise<T[]> {
  const values: T[] = [];
  for await (const value of DBOS.readStream<T>(workflowID, key)) values.push(value);
  return values;
}

const writeAndClose = DBOS.registerWorkflow(async (count: number) => {
  for (let i = 0; i < count; i++) await DBOS.writeStream('numbers', i);
  await DBOS.closeStream('numbers');
  await DBOS.writeStream('other', 'a different stream');
  return count;
}, { name: 'streams.writeAndClose' });

/** Writes only once told to, with pauses between writes (received as messages). */
const writeWhenTold = DBOS.registerWorkflow(async () => {
  for (;;) {
    const next = await DBOS.recv<string | null>('next', 30);
    if (next === null) break;
    await DBOS.writeStream('told', next);
  }
  await DBOS.closeStream('told');
}, { name: 'streams.writeWhenTold' });

const endsWithoutClosing = DBOS.registerWorkflow(async () => {
  await DBOS.writeStream('unclosed', 'x');
  await DBOS.writeStream('unclosed', 'y');
  return 'ended';
}, { name: 'streams.endsWithoutClosing' });

const failsWithoutClosing = DBOS.registerWorkflow(async () => {
  await DBOS.writeStream('unclosed', 'before the failure');
  throw new Error('the workflow failed');
}, { name: 'streams.failsWithoutClosing' });

const writesFromStep = DBOS.registerStep(async (value: string) => {
  await DBOS.writeStream('mixed', value);
  return 'step done';
}, { name: 'streams.writesFromStep' });
const mixedWriters = DBOS.registerWorkflow(async () => {
  await DBOS.writeStream('mixed', 'from workflow 1');
  await writesFromStep('from step');
  await DBOS.writeStream('mixed', 'from workflow 2');
  await DBOS.closeStream('mixed');
}, { name: 'streams.mixedWriters' });

const concurrentWriters = DBOS.registerWorkflow(async (count: number) => {
  await Promise.all(Array.from({ length: count }, (_, i) => DBOS.writeStream('burst', i)));
  await DBOS.closeStream('burst');
}, { name: 'streams.concurrentWriters' });

const writerGate = new Gate();
const writeThenBlock = DBOS.registerWorkflow(async () => {
  await DBOS.writeStream('replayed', 'once');
  await writerGate.pass();
  await DBOS.writeStream('replayed', 'after');
  await DBOS.closeStream('replayed');
}, { name: 'streams.writeThenBlock' });

forEachBackend('streams', (backend) => {
  afterEach(() => DBOS.shutdown());

  test('a reader gets every value in order and stops at closeStream; streams of one workflow are separate', async () => {
    await launch(backend);
    const handle = await DBOS.startWorkflow(writeAndClose)(25);
    await handle.getResult();
    assert.deepEqual(await readAll(handle.workflowID, 'numbers'), Array.from({ length: 25 }, (_, i) => i));
    assert.deepEqual(await readAll(handle.workflowID, 'other'), ['a different stream']);
  });

  test('a reader started before anything was written gets each value as it comes, then the end', async () => {
    await launch(backend);
    const handle = await DBOS.startWorkflow(writeWhenTold)();
    const reader = DBOS.readStream<string>(handle.workflowID, 'told');
    const first = reader.next(); // waiting: nothing written yet
    await DBOS.send(handle.workflowID, 'one', 'next');
    assert.deepEqual(await first, { value: 'one', done: false });
    const second = reader.next();
    await DBOS.send(handle.workflowID, 'two', 'next');
    assert.deepEqual(await second, { value: 'two', done: false });
    const end = reader.next();
    await DBOS.send(handle.workflowID, null, 'next');
    assert.deepEqual(await end, { value: undefined, done: true });
    await handle.getResult();
  });

  test('a stream whose workflow ends without closing it ends too (success or error)', async () => {
    await launch(backend);
    const ended = await DBOS.startWorkflow(endsWithoutClosing)();
    const whileRunning = readAll(ended.workflowID, 'unclosed');
    assert.equal(await ended.getResult(), 'ended');
    assert.deepEqual(await whileRunning, ['x', 'y']);
    assert.deepEqual(await readAll(ended.workflowID, 'unclosed'), ['x', 'y']);
    assert.deepEqual(await readAll(ended.workflowID, 'never-written'), []);

    const failed = await DBOS.startWorkflow(failsWithoutClosing)();
    await assert.rejects(failed.getResult(), /the workflow failed/);
    assert.deepEqual(await readAll(failed.workflowID, 'unclosed'), ['before the failure']);
  });

  test('a write from a step is not recorded as an operation but appears in the stream', async () => {
    await launch(backend);
    const handle = await DBOS.startWorkflow(mixedWriters)();
    await handle.getResult();
    assert.deepEqual(await readAll(handle.workflowID, 'mixed'), ['from workflow 1', 'from step', 'from workflow 2']);
    const steps = await stepOutcomes(handle.workflowID);
    assert.deepEqual(
      steps.map((s) => [s.functionID, s.functionName]),
      [[0, 'DBOS.writeStream'], [1, 'streams.writesFromStep'], [2, 'DBOS.writeStream'], [3, 'DBOS.closeStream']],
    );
  });

  test('a write from workflow code is recorded: after a crash, the replayed write does not write again', async () => {
    const config = await launch(backend);
    writerGate.reset();
    const handle = await DBOS.startWorkflow(writeThenBlock)();
    await writerGate.reached();
    await waitForRecorded(handle.workflowID, 0, 'DBOS.writeStream');
    writerGate.reset();
    await crashAndRelaunch(config);
    writerGate.open();
    await DBOS.retrieveWorkflow(handle.workflowID).getResult();
    assert.deepEqual(await readAll(handle.workflowID, 'replayed'), ['once', 'after']);
  });

  async function assertConcurrentWritesLand(count: number) {
    const config = await launch(backend);
    const handle = await DBOS.startWorkflow(concurrentWriters)(count);
    await handle.getResult();
    const values = await readAll<number>(handle.workflowID, 'burst');
    assert.deepEqual([...values].sort((a, b) => a - b), Array.from({ length: count }, (_, i) => i));
    const rows = await rawSql(config, 'SELECT "offset", function_id FROM streams WHERE workflow_uuid = $1 AND key = $2', [
      handle.workflowID,
      'burst',
    ]);
    assert.equal(rows.length, count + 1, 'every value and the close marker');
    assert.deepEqual(rows.map((r) => Number(r.offset)).sort((a, b) => a - b), Array.from({ length: count + 1 }, (_, i) => i));
    assert.equal(new Set(rows.map((r) => Number(r.function_id))).size, count + 1, 'each write is its own operation');
  }

  test('concurrent writes to one stream from one workflow all land, at distinct offsets', async () => {
    await assertConcurrentWritesLand(30);
  });

  // Many more concurrent writers than pool connections: on Postgres, writers race for the same next offset and
  // the losers retry; a bounded number of retries lets a writer lose every time (see the report on streams).
  test('1,000 concurrent writes to one stream all land, at distinct offsets', { timeout: 60_000 }, async () => {
    await assertConcurrentWritesLand(1000);
  });

  test('a stream longer than one read batch is read whole, in order', { timeout: 60_000 }, async () => {
    await launch(backend);
    const handle = await DBOS.startWorkflow(writeAndClose)(1200);
    const reading = readAll<number>(handle.workflowID, 'numbers'); // reads while it is written
    await handle.getResult();
    assert.deepEqual(await reading, Array.from({ length: 1200 }, (_, i) => i));
  });

  test('reading a stream of a workflow that does not exist fails with DBOSNonExistentWorkflowError', async () => {
    await launch(backend);
    await assert.rejects(readAll('no-such-workflow', 'k'), (error: unknown) => {
      assert.ok(error instanceof DBOSNonExistentWorkflowError);
      assert.equal(error.workflowID, 'no-such-workflow');
      return true;
    });
  });

  test('writeStream and closeStream outside a workflow fail with DBOSInvalidWorkflowTransitionError', async () => {
    await launch(backend);
    await assert.rejects(DBOS.writeStream('k', 1), DBOSInvalidWorkflowTransitionError);
    await assert.rejects(DBOS.closeStream('k'), DBOSInvalidWorkflowTransitionError);
  });
});
