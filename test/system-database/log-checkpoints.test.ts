/** LogCheckpoints, on a stand-in connection: checkpoints come as many batches apart as keep each near 250 log frames. */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { Connection } from '../../src/system-database/connection.ts';
import { LogCheckpoints } from '../../src/system-database/sql/log-checkpoints.ts';

/** A connection whose checkpoint finds `framesPerBatch` frames for each batch since the last one. */
function countingConnection(framesPerBatch: number) {
  const state = { checkpoints: 0, batchesSince: 0 };
  const connection = {
    query: async () => {
      state.checkpoints++;
      const log = state.batchesSince * framesPerBatch;
      state.batchesSince = 0;
      return [{ log }];
    },
  } as unknown as Connection;
  return { connection, state };
}

test('small batches: checkpoints spread out, at most doubling the gap, up to about 250 frames each', async () => {
  const { connection, state } = countingConnection(10);
  const checkpoints = new LogCheckpoints(connection, 'PRAGMA wal_checkpoint(PASSIVE)');
  const gaps: number[] = [];
  let gap = 0;
  for (let batch = 0; batch < 400; batch++) {
    state.batchesSince++;
    gap++;
    const before = state.checkpoints;
    await checkpoints.afterBatch();
    if (state.checkpoints > before) {
      gaps.push(gap);
      gap = 0;
    }
  }
  assert.deepEqual(gaps.slice(0, 6), [1, 2, 4, 8, 16, 25]);
  assert.ok(gaps.slice(5).every((g) => g === 25));
});

test('batches that write more than 250 frames each: a checkpoint after every one', async () => {
  const { connection, state } = countingConnection(600);
  const checkpoints = new LogCheckpoints(connection, 'PRAGMA wal_checkpoint(PASSIVE)');
  for (let batch = 0; batch < 10; batch++) {
    state.batchesSince++;
    await checkpoints.afterBatch();
  }
  assert.equal(state.checkpoints, 10);
});

test('no checkpoint statement (a server that checkpoints by itself): nothing is run', async () => {
  const { connection, state } = countingConnection(10);
  const checkpoints = new LogCheckpoints(connection, null);
  for (let batch = 0; batch < 10; batch++) assert.equal(await checkpoints.afterBatch(), 0);
  assert.equal(state.checkpoints, 0);
});
