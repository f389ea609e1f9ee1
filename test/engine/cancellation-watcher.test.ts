/**
 * The cancellation watcher's safety check reads only when a cancel may have
 * gone unheard: while the notifier's unheardWritesMarker stays the same
 * (LISTEN connected all along, SQLite's data_version unchanged), running
 * workflows cost no reads.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { CancellationWatcher } from '../../src/engine/cancellation-watcher.ts';
import type { Engine } from '../../src/engine/engine.ts';
import { eventually } from '../helpers/system-database-targets.ts';

test('the safety check reads once, then only after the notifier may have missed something', async () => {
  let marker: unknown = 1;
  let reads = 0;
  let checks = 0;
  const state = { workflowID: 'running-1', cancelled: false };
  const engine = {
    states: new Map([[state.workflowID, state]]),
    logger: { warn: () => undefined },
    markCancelled: () => undefined,
    systemDatabase: {
      notifier: { subscribe: () => () => undefined, unheardWritesMarker: () => (checks++, marker) },
      selectCancelled: async () => {
        reads++;
        return marker === 2 ? [state.workflowID] : [];
      },
    },
  } as unknown as Engine;
  const watcher = new CancellationWatcher(engine);
  watcher.start();
  try {
    await eventually('two checks', () => checks >= 2);
    assert.equal(reads, 1, 'the first check reads; the second finds the marker unchanged');
    marker = 2; // e.g. a LISTEN reconnection, or another process's commit on SQLite
    await eventually('a check to read again', () => reads === 2);
    assert.equal(state.cancelled, true, 'the cancel found by the read is marked');
  } finally {
    watcher.stop();
  }
});
