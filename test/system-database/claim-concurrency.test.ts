/**
 * A queue whose one shared limit is its concurrency has it counted inside the
 * claim statement (sql/queues.ts, concurrencyCountedInClaim): the claim takes
 * the smaller of its own budget and the free slots, and none at all when more
 * than `concurrency` are PENDING already (a lowered limit; SQLite would read a
 * negative LIMIT as no limit at all). Such a claim is one batch of statements
 * (sql/claim-batch.ts; on Postgres pipelined, one round trip): claims racing
 * from two system databases (two pools, as two processes have) still take
 * exactly the free slots, and a batch whose statement fails commits nothing.
 */
import assert from 'node:assert/strict';
import { afterEach, test } from 'node:test';
import type { ClaimRequest } from '../../src/system-database/claim-records.ts';
import type { Connection } from '../../src/system-database/connection.ts';
import type { Dialect } from '../../src/system-database/dialect.ts';
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

  test('claims racing from two system databases take exactly the free slots, every one of them', async () => {
    const target = freshTarget(backend);
    const here = await opened.open(target);
    const there = await opened.open(target);
    await enqueue(here, 40);
    // 16 claims of up to 3 at once, half through each: the named lock makes them take turns, and each counts
    // the PENDING rows of those committed before it, so together they fill the 7 slots and not one more.
    const claims = Array.from({ length: 16 }, (_, i) => (i % 2 === 0 ? here : there).claimQueuedWorkflows(claimRequest(3, 7), false));
    const claimed = (await Promise.all(claims)).flatMap((result) => result.claimed.map((w) => w.workflowID));
    assert.equal(claimed.length, 7);
    assert.equal(new Set(claimed).size, 7, 'no workflow claimed twice');
  });

  test('a batch whose statement fails commits none of it; a batch that succeeds returns each statement\'s rows', async () => {
    const systemDatabase = await opened.open(freshTarget(backend));
    const { connection, dialect } = systemDatabase as unknown as { connection: Connection; dialect: Dialect };
    const table = dialect.table('pipeline_probe');
    await connection.query(`CREATE TABLE ${table} (id INTEGER PRIMARY KEY)`);
    const insert = (id: number) => ({ sql: `INSERT INTO ${table} (id) VALUES ($1) RETURNING id`, params: [id] });
    await assert.rejects(connection.pipelinedTransaction(() => [insert(1), insert(2), insert(1), insert(3)]));
    assert.deepEqual(await connection.query(`SELECT id FROM ${table}`), [], 'rolled back, the rows before the failure too');
    const rows = await connection.pipelinedTransaction(() => [insert(1), { sql: `SELECT COUNT(*) AS n FROM ${table}`, params: [] }, insert(2)]);
    assert.deepEqual(rows.map((r) => r.map((row) => Number(Object.values(row)[0]))), [[1], [1], [2]], 'each statement sees the ones before it');
    const after = await connection.query<{ id: number }>(`SELECT id FROM ${table} ORDER BY id`);
    assert.deepEqual(after.map((row) => Number(row.id)), [1, 2]);
  });
});
