/**
 * Reading streams from an offset and with timeouts: readStream({ offset,
 * timeoutSeconds }) and readStreamOffset (one value, recorded in workflow
 * code, so a replay returns the same value or throws the same timeout).
 */
import assert from 'node:assert/strict';
import { afterEach, test } from 'node:test';
import {
  DBOS,
  DBOSConfigurationError,
  DBOSStreamTimeoutError,
  isStreamTimeoutError,
} from '../../src/index.ts';
import { forEachBackend } from '../helpers/backends.ts';
import { crashAndRelaunch, launch } from '../helpers/lifecycle.ts';
import { Gate, waitForRecorded } from './fixtures/comm-support.ts';

async function readAll<T>(iterator: AsyncGenerator<T, void, undefined>): Promise<T[]> {
  const values: T[] = [];
  for await (const value of iterator) values.push(value);
  return values;
}

const writeFiveAndClose = DBOS.registerWorkflow(async () => {
  for (let i = 0; i < 5; i++) await DBOS.writeStream('numbers', i);
  await DBOS.closeStream('numbers');
}, { name: 'offsets.writeFiveAndClose' });

/** Writes 'first', then waits to be told before writing 'second' and closing. */
const writeTwoWhenTold = DBOS.registerWorkflow(async () => {
  await DBOS.writeStream('slow', 'first');
  await DBOS.recv<string>('go', 30);
  await DBOS.writeStream('slow', 'second');
  await DBOS.closeStream('slow');
}, { name: 'offsets.writeTwoWhenTold' });

const readerGate = new Gate();
/** Reads one offset of another workflow's stream (recorded), then waits at the gate. */
const readOffsetThenBlock = DBOS.registerWorkflow(async (writerID: string, offset: number, timeoutSeconds?: number) => {
  let outcome: string;
  try {
    outcome = `value:${await DBOS.readStreamOffset<number>(writerID, 'numbers', offset, { timeoutSeconds })}`;
  } catch (error) {
    outcome = `${isStreamTimeoutError(error) ? 'timeout' : 'other'}:${(error as Error).message}`;
  }
  await readerGate.pass();
  return outcome;
}, { name: 'offsets.readOffsetThenBlock' });

/** Reads a whole stream of another workflow from workflow code (each value recorded). */
const readWholeStream = DBOS.registerWorkflow(async (writerID: string, key: string, timeoutSeconds?: number) => {
  const values: unknown[] = [];
  try {
    for await (const value of DBOS.readStream(writerID, key, { timeoutSeconds })) values.push(value);
  } catch (error) {
    values.push(isStreamTimeoutError(error) ? 'timeout' : `other: ${(error as Error).message}`);
  }
  return values;
}, { name: 'offsets.readWholeStream' });

/** Consumes two streams at once, a value of each per round. */
const readTwoAtOnce = DBOS.registerWorkflow(async (writerID: string) => {
  const numbers = DBOS.readStream<number>(writerID, 'numbers');
  const evens = DBOS.readStream<number>(writerID, 'numbers', { offset: 2 });
  const rounds: unknown[] = [];
  for (;;) {
    const [a, b] = await Promise.all([numbers.next(), evens.next()]);
    if (a.done && b.done) return rounds;
    rounds.push([a.value, b.value]);
  }
}, { name: 'offsets.readTwoAtOnce' });

async function assertStreamTimeout(promise: Promise<unknown>): Promise<void> {
  await assert.rejects(promise, (error: Error & { code?: string }) => {
    assert.ok(error instanceof DBOSStreamTimeoutError, `expected DBOSStreamTimeoutError, got ${error.name}: ${error.message}`);
    assert.equal(error.code, 'STREAM_TIMEOUT');
    assert.ok(isStreamTimeoutError(error));
    return true;
  });
}

forEachBackend('stream offsets and timeouts', (backend) => {
  afterEach(() => DBOS.shutdown());

  test('readStream from an offset skips the values before it', async () => {
    await launch(backend);
    const handle = await DBOS.startWorkflow(writeFiveAndClose)();
    await handle.getResult();
    assert.deepEqual(await readAll(DBOS.readStream<number>(handle.workflowID, 'numbers', { offset: 3 })), [3, 4]);
    assert.deepEqual(await readAll(DBOS.readStream<number>(handle.workflowID, 'numbers', { offset: 5 })), [], 'the close marker');
    assert.deepEqual(await readAll(DBOS.readStream<number>(handle.workflowID, 'numbers', { offset: 0 })), [0, 1, 2, 3, 4]);
  });

  test('readStream with timeoutSeconds throws DBOSStreamTimeoutError when the next value is late', async () => {
    await launch(backend);
    const handle = await DBOS.startWorkflow(writeTwoWhenTold)();
    const values: string[] = [];
    await assertStreamTimeout(
      (async () => {
        for await (const value of DBOS.readStream<string>(handle.workflowID, 'slow', { timeoutSeconds: 0.3 })) values.push(value);
      })(),
    );
    assert.deepEqual(values, ['first'], 'the values before the timeout were delivered');

    // Without a timeout the same stream is read to its end once the writer goes on.
    const reader = readAll(DBOS.readStream<string>(handle.workflowID, 'slow', { offset: 1 }));
    await DBOS.send(handle.workflowID, 'now', 'go');
    assert.deepEqual(await reader, ['second']);
    await handle.getResult();
  });

  test('readStreamOffset returns one value, waiting for it to be written', async () => {
    await launch(backend);
    const handle = await DBOS.startWorkflow(writeTwoWhenTold)();
    assert.equal(await DBOS.readStreamOffset<string>(handle.workflowID, 'slow', 0), 'first');
    const second = DBOS.readStreamOffset<string>(handle.workflowID, 'slow', 1);
    await DBOS.send(handle.workflowID, 'now', 'go');
    assert.equal(await second, 'second');
    await handle.getResult();
  });

  test('readStreamOffset past the end of a closed stream, or after its timeout: DBOSStreamTimeoutError', async () => {
    await launch(backend);
    const done = await DBOS.startWorkflow(writeFiveAndClose)();
    await done.getResult();
    await assertStreamTimeout(DBOS.readStreamOffset(done.workflowID, 'numbers', 5));
    await assertStreamTimeout(DBOS.readStreamOffset(done.workflowID, 'numbers', 9));

    const waiting = await DBOS.startWorkflow(writeTwoWhenTold)();
    await assertStreamTimeout(DBOS.readStreamOffset(waiting.workflowID, 'slow', 1, { timeoutSeconds: 0.2 }));
    await DBOS.send(waiting.workflowID, 'now', 'go');
    await waiting.getResult();
  });

  test('bad offsets and options are refused with DBOSConfigurationError', async () => {
    await launch(backend);
    const handle = await DBOS.startWorkflow(writeFiveAndClose)();
    await handle.getResult();
    for (const offset of [-1, 1.5, Number.NaN]) {
      await assert.rejects(DBOS.readStreamOffset(handle.workflowID, 'numbers', offset), DBOSConfigurationError);
      await assert.rejects(readAll(DBOS.readStream(handle.workflowID, 'numbers', { offset })), DBOSConfigurationError);
    }
    await assert.rejects(DBOS.readStreamOffset(handle.workflowID, 'numbers', 0, { timeoutSeconds: -1 }), DBOSConfigurationError);
    await assert.rejects(readAll(DBOS.readStream(handle.workflowID, 'numbers', { pollingIntervalMs: 0 })), DBOSConfigurationError);
  });

  test('readStream in workflow code records each value and the end; a replay reads the same', async () => {
    const config = await launch(backend);
    const writer = await DBOS.startWorkflow(writeFiveAndClose)();
    await writer.getResult();
    const whole = await DBOS.startWorkflow(readWholeStream)(writer.workflowID, 'numbers');
    assert.deepEqual(await whole.getResult(), [0, 1, 2, 3, 4]);
    const steps = await DBOS.listWorkflowSteps(whole.workflowID);
    assert.deepEqual(steps?.map((s) => s.name), Array(6).fill('DBOS.readStream'), 'five values and the end');

    // A reader interrupted while waiting for the next value replays what it read, then goes on.
    const slow = await DBOS.startWorkflow(writeTwoWhenTold)();
    const reader = await DBOS.startWorkflow(readWholeStream)(slow.workflowID, 'slow');
    await waitForRecorded(reader.workflowID, 0, 'DBOS.readStream');
    await crashAndRelaunch(config);
    await DBOS.send(slow.workflowID, 'now', 'go');
    assert.deepEqual(await DBOS.retrieveWorkflow(reader.workflowID).getResult(), ['first', 'second']);
    assert.equal((await DBOS.listWorkflowSteps(reader.workflowID))?.length, 3);

    // A timeout is recorded like a value.
    const stalled = await DBOS.startWorkflow(writeTwoWhenTold)();
    const timedOut = await DBOS.startWorkflow(readWholeStream)(stalled.workflowID, 'slow', 0.2);
    assert.deepEqual(await timedOut.getResult(), ['first', 'timeout']);
    const recorded = await DBOS.listWorkflowSteps(timedOut.workflowID);
    assert.deepEqual(recorded?.map((s) => [s.name, s.error === undefined || s.error === null]), [
      ['DBOS.readStream', true],
      ['DBOS.readStream', false],
    ]);
    await DBOS.send(stalled.workflowID, 'now', 'go');
    await stalled.getResult();
  });

  test('two streams read concurrently in workflow code replay in the same order', async () => {
    await launch(backend);
    const writer = await DBOS.startWorkflow(writeFiveAndClose)();
    await writer.getResult();
    const first = await DBOS.startWorkflow(readTwoAtOnce)(writer.workflowID);
    const rounds = await first.getResult();
    assert.deepEqual(rounds, [[0, 2], [1, 3], [2, 4], [3, undefined], [4, undefined]]);
    const steps = (await DBOS.listWorkflowSteps(first.workflowID)) ?? [];
    // A fork from the last recorded read replays every read before it from the record.
    const fork = await DBOS.forkWorkflow(first.workflowID, steps.length - 1);
    assert.deepEqual(await fork.getResult(), rounds);
  });

  test('readStreamOffset in workflow code is recorded: a replay returns the same value, or the same timeout', async () => {
    const config = await launch(backend);
    const writer = await DBOS.startWorkflow(writeFiveAndClose)();
    await writer.getResult();
    readerGate.reset();
    readerGate.arrivals = 0;
    const found = await DBOS.startWorkflow(readOffsetThenBlock)(writer.workflowID, 2);
    const missing = await DBOS.startWorkflow(readOffsetThenBlock)(writer.workflowID, 7, 0.1);
    while (readerGate.arrivals < 2) await new Promise((resolve) => setTimeout(resolve, 10));
    for (const id of [found.workflowID, missing.workflowID]) {
      const steps = await DBOS.listWorkflowSteps(id);
      assert.deepEqual(steps?.map((s) => s.name), ['DBOS.readStreamOffset']);
    }

    readerGate.reset();
    await crashAndRelaunch(config);
    readerGate.open();
    assert.equal(await DBOS.retrieveWorkflow(found.workflowID).getResult(), 'value:2');
    const replayed = await DBOS.retrieveWorkflow<string>(missing.workflowID).getResult();
    assert.match(replayed, /^timeout:/, 'the recorded error is still a stream timeout');
    for (const id of [found.workflowID, missing.workflowID]) {
      assert.equal((await DBOS.getWorkflowStatus(id))?.recoveryAttempts, 2, 'replayed');
      assert.equal((await DBOS.listWorkflowSteps(id))?.length, 1, 'not read again');
    }
  });
});
