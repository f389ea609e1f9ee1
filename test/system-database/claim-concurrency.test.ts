/**
 * A queue whose one shared limit is its concurrency has it counted inside the
 * claim statement (sql/queues.ts, concurrencyCountedInClaim): the claim takes
 * the smaller of its own budget and the free slots, and none at all when more
 * than `concurrency` are PENDING already (a lowered limit; SQLite would read a
 * negative LIMIT as no limit at all).
 */
import assert from 'node:assert/strict';
import { afterEach, test } from 'node:test';
import type { ClaimRequest } from '../../src/system-database/claim-records.ts';
import type { SystemDatabase } from '../../src/system-database/system-database.ts';
import { forEachTarget, freshTarget, OpenedDatabases, enqueueWorkflows } from '../helpers/system-database-targets.ts';

const queueName = 'claim-concurrency-queue';

function claimRequest(maxTasks: number, concurrency: number): ClaimRequest {
  return {
    queueName,
    maxTasks,
    queueLimits: { concurrency },
    partitionLimits: {},
    executorID: 'executor-here',
    applicationVersion: 'v1',
    applicationName: 'shop-app', // newWorkflow's
  };
}

const enqueue = (systemDatabase: SystemDatabase, count: number) => enqueueWorkflows(systemDatabase, queueName, count);

forEachTarget('a claim under a queue concurrency counted in the claim statement', (backend) => {
  const opened = new OpenedDatabases();
  afterEach(() => opened.cleanup());

  test('takes the smaller of its budget and the free slots, in queue order, and none over the limit', async () => {
    const systemDatabase = await opened.open(freshTarget(backend));
    const ids = await enqueue(systemDatabase, 8);
    const claim = async (maxTasks: number, concurrency: number) =>
      (await systemDatabase.claimQueuedWorkflows(claimRequest(maxTasks, concurrency), false)).claimed.map((w) => w.workflowID);
    assert.deepEqual(await claim(2, 3), ids.slice(0, 2), 'the budget binds');
    assert.deepEqual(await claim(100, 3), ids.slice(2, 3), 'the free slots bind');
    assert.deepEqual(await claim(100, 3), [], 'full');
    assert.deepEqual(await claim(100, 1), [], 'over a lowered limit: none, not all');
    assert.deepEqual(await claim(100, 5), ids.slice(3, 5), 'a raised limit frees its slots');
  });
});
