/**
 * WriteBatcher (group commit) against a fake BatchWriter: which writes share a
 * batch, what each caller is told, how a failing batch is split, drain and close.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { setImmediate as nextMacrotask } from 'node:timers/promises';
import { deferred, type Deferred } from '../../src/support/deferred.ts';
import { WriteBatcher, type WriteRequest } from '../../src/system-database/write-batcher.ts';
import { stepOutcome } from '../helpers/system-database-targets.ts';

/** A write labelled by its function ID; a negative ID "does not take effect" (the fake answers false). */
function write(label: number): WriteRequest {
  return { kind: 'step-outcome', record: stepOutcome('wf', label) };
}

function labelOf(request: WriteRequest): number {
  return request.kind === 'step-outcome' ? request.record.functionID : NaN;
}

class FakeWriter {
  readonly batches: number[][] = [];
  readonly committed: { labels: number[]; applied: boolean[] }[] = [];
  /** Labels whose presence makes the whole batch fail, as a constraint violation would. */
  readonly poison = new Set<number>();
  /** When set, the next batch waits for it. */
  gate: Deferred<void> | undefined;
  /** Settles when the writer is next called. */
  private called = deferred<void>();

  readonly batcher: WriteBatcher;

  constructor(maxBatchSize?: number, afterCommit?: () => void, maxInFlight?: number) {
    this.batcher = new WriteBatcher(
      (requests) => this.writeBatch(requests),
      (requests, applied) => {
        this.committed.push({ labels: requests.map(labelOf), applied: [...applied] });
        afterCommit?.();
      },
      { maxBatchSize, maxInFlight },
    );
  }

  nextCall(): Promise<void> {
    return this.called.promise;
  }

  private async writeBatch(requests: readonly WriteRequest[]): Promise<boolean[]> {
    const labels = requests.map(labelOf);
    this.batches.push(labels);
    const called = this.called;
    this.called = deferred<void>();
    called.resolve();
    const gate = this.gate;
    this.gate = undefined;
    if (gate) await gate.promise;
    await Promise.resolve();
    const bad = labels.find((l) => this.poison.has(l));
    if (bad !== undefined) throw new Error(`constraint violated by write ${bad}`);
    return labels.map((l) => l >= 0);
  }
}

test('a lone write flushes at once, without waiting for a timer', async () => {
  const fake = new FakeWriter();
  const result = fake.batcher.submit(write(1));
  assert.deepEqual(fake.batches, [], 'not written synchronously, so writes of the same tick can join');
  await nextMacrotask();
  assert.deepEqual(fake.batches, [[1]]);
  assert.equal(await result, true);
});

test('writes submitted in the same tick share one batch, in submission order', async () => {
  const fake = new FakeWriter();
  const results = await Promise.all([1, 2, 3, 4].map((l) => fake.batcher.submit(write(l))));
  assert.deepEqual(results, [true, true, true, true]);
  assert.deepEqual(fake.batches, [[1, 2, 3, 4]]);
});

test('writes submitted while a flush is in flight go into the next batch together', async () => {
  const fake = new FakeWriter();
  fake.gate = deferred<void>();
  const gate = fake.gate;
  const first = fake.batcher.submit(write(1));
  await fake.nextCall();
  const later: Promise<boolean>[] = [];
  for (const label of [2, 3]) later.push(fake.batcher.submit(write(label)));
  await nextMacrotask();
  later.push(fake.batcher.submit(write(4)));
  await nextMacrotask();
  assert.deepEqual(fake.batches, [[1]], 'nothing else is written while the first batch is in flight');
  gate.resolve();
  assert.equal(await first, true);
  assert.deepEqual(await Promise.all(later), [true, true, true]);
  assert.deepEqual(fake.batches, [[1], [2, 3, 4]]);
});

test('each caller gets its own answer: false for a write that did not take effect', async () => {
  const fake = new FakeWriter();
  const results = await Promise.all([5, -1, 6, -2].map((l) => fake.batcher.submit(write(l))));
  assert.deepEqual(results, [true, false, true, false]);
});

test('an answer missing from the writer result counts as false', async () => {
  const batcher = new WriteBatcher(async () => [true], () => undefined);
  assert.deepEqual(await Promise.all([batcher.submit(write(1)), batcher.submit(write(2))]), [true, false]);
});

test('a failing batch is retried one by one, so only the bad write fails', async () => {
  const fake = new FakeWriter();
  fake.poison.add(2);
  const settled = await Promise.allSettled([1, 2, 3].map((l) => fake.batcher.submit(write(l))));
  assert.equal(settled[0]!.status, 'fulfilled');
  assert.equal(settled[2]!.status, 'fulfilled');
  assert.deepEqual(
    settled.map((s) => (s.status === 'fulfilled' ? s.value : (s.reason as Error).message)),
    [true, 'constraint violated by write 2', true],
  );
  assert.deepEqual(fake.batches, [[1, 2, 3], [1], [2], [3]]);
  assert.deepEqual(
    fake.committed.map((c) => c.labels),
    [[1], [3]],
    'afterCommit hears only of batches that committed',
  );
});

test('a failing lone write rejects with the writer error, without a retry', async () => {
  const fake = new FakeWriter();
  fake.poison.add(7);
  await assert.rejects(fake.batcher.submit(write(7)), /constraint violated by write 7/);
  assert.deepEqual(fake.batches, [[7]]);
});

test('the batcher keeps working after a failed batch', async () => {
  const fake = new FakeWriter();
  fake.poison.add(1);
  await Promise.allSettled([1, 2].map((l) => fake.batcher.submit(write(l))));
  assert.deepEqual(await Promise.all([3, 4].map((l) => fake.batcher.submit(write(l)))), [true, true]);
  assert.deepEqual(fake.batches.at(-1), [3, 4]);
});

test('afterCommit receives each committed batch with what took effect; its exceptions are swallowed', async () => {
  const fake = new FakeWriter(undefined, () => {
    throw new Error('notification failed');
  });
  assert.deepEqual(await Promise.all([1, -1].map((l) => fake.batcher.submit(write(l)))), [true, false]);
  assert.deepEqual(fake.committed, [{ labels: [1, -1], applied: [true, false] }]);
  assert.equal(await fake.batcher.submit(write(2)), true);
});

test('a backlog larger than maxBatchSize is written in several batches, in order', async () => {
  const fake = new FakeWriter(2);
  const results = await Promise.all([1, 2, 3, 4, 5].map((l) => fake.batcher.submit(write(l))));
  assert.deepEqual(results, [true, true, true, true, true]);
  assert.deepEqual(fake.batches, [[1, 2], [3, 4], [5]]);
});

test('with two batches allowed in flight, a write arriving during a flush commits beside it', async () => {
  const fake = new FakeWriter(undefined, undefined, 2);
  fake.gate = deferred<void>();
  const gate = fake.gate;
  const first = fake.batcher.submit(write(1));
  await fake.nextCall();
  fake.gate = undefined;
  assert.equal(await fake.batcher.submit(write(2)), true);
  assert.deepEqual(fake.batches, [[1], [2]]);
  gate.resolve();
  assert.equal(await first, true);
});

test('drain resolves at once when idle', async () => {
  const fake = new FakeWriter();
  await fake.batcher.drain();
  assert.deepEqual(fake.batches, []);
});

test('drain waits for writes in flight, queued, and submitted during the flush; failures included', async () => {
  const fake = new FakeWriter();
  fake.poison.add(3);
  fake.gate = deferred<void>();
  const gate = fake.gate;
  const settled: number[] = [];
  const track = (label: number) => fake.batcher.submit(write(label)).then(
    () => settled.push(label),
    () => settled.push(label),
  );
  const writes = [track(1)];
  await fake.nextCall();
  writes.push(track(2), track(3));
  let drained = false;
  const draining = fake.batcher.drain().then(() => {
    drained = true;
  });
  await nextMacrotask();
  assert.equal(drained, false);
  writes.push(track(4));
  gate.resolve();
  await draining;
  assert.deepEqual([...settled].sort(), [1, 2, 3, 4], 'every write had settled when drain resolved');
  await Promise.all(writes);
});

test('close waits for pending writes, then refuses new ones', async () => {
  const fake = new FakeWriter();
  fake.gate = deferred<void>();
  const gate = fake.gate;
  const pending = fake.batcher.submit(write(1));
  await fake.nextCall();
  let closed = false;
  const closing = fake.batcher.close().then(() => {
    closed = true;
  });
  await nextMacrotask();
  assert.equal(closed, false, 'close waits for the write in flight');
  gate.resolve();
  await closing;
  assert.equal(await pending, true);
  await assert.rejects(fake.batcher.submit(write(2)), /closed/);
  assert.deepEqual(fake.batches, [[1]]);
  await fake.batcher.close();
});

test('a write submitted after close() was called (same tick) is refused, not written', async () => {
  const fake = new FakeWriter();
  const closing = fake.batcher.close();
  const late = assert.rejects(fake.batcher.submit(write(1)), /closed/);
  await closing;
  await late;
  await nextMacrotask();
  assert.deepEqual(fake.batches, []);
});

test('a write submitted while close() waits for a flush is refused', async () => {
  const fake = new FakeWriter();
  fake.gate = deferred<void>();
  const gate = fake.gate;
  const pending = fake.batcher.submit(write(1));
  await fake.nextCall();
  const closing = fake.batcher.close();
  const late = assert.rejects(fake.batcher.submit(write(2)), /closed/);
  gate.resolve();
  await closing;
  assert.equal(await pending, true);
  await late;
  assert.deepEqual(fake.batches, [[1]]);
});
