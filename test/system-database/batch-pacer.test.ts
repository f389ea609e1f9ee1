/** BatchPacer, without a database: batch sizes follow the time budget, within bounds; rests follow the batches. */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { BatchPacer } from '../../src/system-database/batch-pacer.ts';

const pacing = { initial: 100, min: 10, max: 1_000, budgetMs: 5, restRatio: 1 };

test('a batch faster than the budget grows the next, at most twofold; a slower one shrinks it in proportion', () => {
  const pacer = new BatchPacer(pacing);
  assert.equal(pacer.size, 100);
  pacer.record(1); // 5x headroom, but growth is capped at 2x
  assert.equal(pacer.size, 200);
  pacer.record(4); // 200 * 5 / 4 = 250
  assert.equal(pacer.size, 250);
  pacer.record(25); // 250 * 5 / 25 = 50
  assert.equal(pacer.size, 50);
});

test('sizes stay within [min, max], however fast or slow a batch was', () => {
  const pacer = new BatchPacer(pacing);
  pacer.record(10_000);
  assert.equal(pacer.size, 10);
  for (let i = 0; i < 20; i++) pacer.record(0);
  assert.equal(pacer.size, 1_000);
});

test('a fixed size never changes', () => {
  const pacer = new BatchPacer(pacing, 7);
  pacer.record(0);
  pacer.record(1_000);
  assert.equal(pacer.size, 7);
});

test('the rest, as long as the batch took, lets a timer due meanwhile run before the next batch', async () => {
  const pacer = new BatchPacer(pacing);
  pacer.record(3);
  let timerRan = false;
  setTimeout(() => (timerRan = true), 0);
  await pacer.rest();
  assert.ok(timerRan);
});

test('a follow-up hold (a checkpoint) lengthens the rest but does not shrink the next batch', async () => {
  const pacer = new BatchPacer(pacing);
  pacer.record(5, 40); // on budget: the size stays; the rest covers both holds
  assert.equal(pacer.size, 100);
  const began = performance.now();
  await pacer.rest();
  assert.ok(performance.now() - began >= 40);
});
