import assert from 'node:assert/strict';
import { afterEach, test } from 'node:test';
import { DBOS } from '../../src/index.ts';
import { engineFor } from '../../src/runtime/runtime.ts';
import { forEachBackend } from '../helpers/backends.ts';
import { launch } from '../helpers/lifecycle.ts';
import { insertOldWorkflows } from '../helpers/old-workflows.ts';
import { rawExecute } from '../helpers/raw-rows.ts';

let release: () => void = () => undefined;
const child = DBOS.registerWorkflow(async (x: number) => x, { name: 'retention.child' });
const parent = DBOS.registerWorkflow(async () => {
  await DBOS.setEvent('k', 'v');
  return child(1);
}, { name: 'retention.parent' });
const blocked = DBOS.registerWorkflow(async () => {
  await new Promise<void>((resolve) => (release = resolve));
  return 'done';
}, { name: 'retention.blocked' });

forEachBackend('delete and retention', (backend) => {
  afterEach(async () => {
    release();
    await DBOS.shutdown();
  });

  test('deleteWorkflow removes a workflow and all it recorded; deleteChildren its descendants too', async () => {
    await launch(backend);
    const first = await DBOS.startWorkflow(parent)();
    await first.getResult();
    const [firstChild] = (await DBOS.listWorkflows({ workflowName: 'retention.child' })).map((w) => w.workflowID);
    await DBOS.deleteWorkflow(first.workflowID);
    assert.equal(await DBOS.getWorkflowStatus(first.workflowID), null);
    assert.equal(await DBOS.listWorkflowSteps(first.workflowID), undefined);
    assert.notEqual(await DBOS.getWorkflowStatus(firstChild!), null);
    const second = await DBOS.startWorkflow(parent)();
    await second.getResult();
    await DBOS.deleteWorkflow(second.workflowID, true);
    assert.deepEqual((await DBOS.listWorkflows({ workflowName: 'retention.child' })).map((w) => w.workflowID), [firstChild]);
  });

  test('garbageCollect deletes old finished workflows and never a pending one', async () => {
    await launch(backend);
    const running = await DBOS.startWorkflow(blocked)();
    const finished: string[] = [];
    for (let i = 0; i < 4; i++) {
      await new Promise((r) => setTimeout(r, 3)); // distinct creation times
      const handle = await DBOS.startWorkflow(child)(i);
      await handle.getResult();
      finished.push(handle.workflowID);
    }
    // Keep the newest two (the last two finished); the older finished ones go; the pending one stays.
    assert.equal(await DBOS.garbageCollect({ rowsThreshold: 2 }), 2);
    const left = (await DBOS.listWorkflows({})).map((w) => w.workflowID).sort();
    assert.deepEqual(left, [running.workflowID, ...finished.slice(2)].sort());
    assert.equal(await DBOS.garbageCollect({ cutoffEpochTimestampMs: Date.now() + 1000 }), 2);
    assert.deepEqual((await DBOS.listWorkflows({})).map((w) => w.workflowID), [running.workflowID]);
  });

  test('a collection of 3,000 old workflows runs in batches, and workflows started between batches run and finish', async () => {
    const config = await launch(backend);
    const old = { prefix: 'old-', count: 3_000, firstCreatedAt: 1_000_000_000_000, perMillisecond: 2, applicationName: null };
    await insertOldWorkflows((sql) => rawExecute(config, sql), (name) => `{schema}${name}`, old);
    const finishedMeanwhile: string[] = [];
    let batches = 0;
    const deleted = await engineFor('test').systemDatabase.garbageCollect(old.firstCreatedAt + 10_000, undefined, undefined, {
      batchSize: 1_000,
      afterBatch: async () => {
        batches += 1;
        // A workflow with an event and a child, from start to result, while the collection is between batches.
        const handle = await DBOS.startWorkflow(parent)();
        assert.equal(await handle.getResult(), 1);
        finishedMeanwhile.push(handle.workflowID);
      },
    });
    assert.equal(deleted, 3_000);
    assert.equal(batches, 4); // three full batches, then an empty one finds none left
    assert.deepEqual(
      (await DBOS.listWorkflows({ workflowName: 'retention.parent' })).map((w) => w.workflowID).sort(),
      [...finishedMeanwhile].sort(),
    );
    assert.equal((await DBOS.listWorkflows({ workflowIDs: ['old-1', 'old-3000'] })).length, 0);
  });
});
