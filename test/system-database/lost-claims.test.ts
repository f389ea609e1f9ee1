/**
 * A queue claim whose answer is lost (the server committed it, the client saw its connection die) must not
 * leave its rows PENDING under this executor with nobody running them: the retried claim, or a later one,
 * returns them (system-database/lost-claims.ts). Here the loss is simulated below the claim on both backends
 * (the connection runs the claim, throws its answer away, and runs it again, or fails the call); the real
 * thing, a reply lost on the wire under a running app, is test/faults/lost-claim.test.ts (Postgres).
 */
import assert from 'node:assert/strict';
import { afterEach, test } from 'node:test';
import { DBOSDatabaseUnavailableError } from '../../src/errors/errors.ts';
import type { Connection, QueryRunner, Statement } from '../../src/system-database/connection.ts';
import type { ClaimRequest } from '../../src/system-database/claim-records.ts';
import type { SystemDatabase } from '../../src/system-database/system-database.ts';
import { forEachTarget, freshTarget, OpenedDatabases, enqueueWorkflows } from '../helpers/system-database-targets.ts';

const queueName = 'lost-claims-queue';

function claimRequest(overrides: Partial<ClaimRequest> = {}): ClaimRequest {
  return {
    queueName,
    maxTasks: 2,
    queueLimits: {},
    partitionLimits: {},
    executorID: 'executor-here',
    applicationVersion: 'v1',
    applicationName: 'shop-app', // newWorkflow's
    ...overrides,
  };
}

/** The connection under the system database, to simulate a lost answer with. */
function connectionOf(systemDatabase: SystemDatabase): Connection {
  return (systemDatabase as unknown as { connection: Connection }).connection;
}

/** A claim's work: a transaction body, or (pipelinedTransaction) the builder of its batch. */
type Work = ((runner: QueryRunner) => Promise<unknown>) | (() => readonly Statement[]);
const claimMethods = ['autocommit', 'transaction', 'pipelinedTransaction'] as const;

/**
 * The next claim's first attempt commits and its answer is lost; then `afterLoss`: 'retry' runs the claim
 * again (the connection came back), 'fail' fails the call (the outage outlasted databaseOutageTimeoutMs).
 */
function loseNextClaimAnswer(connection: Connection, afterLoss: 'retry' | 'fail'): void {
  const patched = connection as unknown as Record<(typeof claimMethods)[number], (work: Work) => Promise<unknown>>;
  const originals = { autocommit: patched.autocommit, transaction: patched.transaction, pipelinedTransaction: patched.pipelinedTransaction };
  for (const method of claimMethods) {
    patched[method] = async (work: Work) => {
      Object.assign(patched, originals); // once
      const run = (w: Work) => originals[method].call(connection, w);
      await run(work); // committed; the answer is dropped
      if (afterLoss === 'fail') throw new DBOSDatabaseUnavailableError('simulated: the answer was lost', 0);
      return run(work);
    };
  }
}

const enqueue = (systemDatabase: SystemDatabase, count: number) => enqueueWorkflows(systemDatabase, queueName, count);

forEachTarget('claims whose answer was lost', (backend) => {
  const opened = new OpenedDatabases();
  afterEach(() => opened.cleanup());

  for (const kind of ['one statement', 'a transaction (global concurrency)'] as const) {
    const limits = kind === 'one statement' ? {} : { concurrency: 10 };

    test(`retried after a lost answer, ${kind}: the retry returns the lost rows first, within the claim's share`, async () => {
      const systemDatabase = await opened.open(freshTarget(backend));
      const ids = await enqueue(systemDatabase, 5);
      loseNextClaimAnswer(connectionOf(systemDatabase), 'retry');
      const first = await systemDatabase.claimQueuedWorkflows(claimRequest({ queueLimits: limits }), false);
      // The lost attempt took ids 0-1; the retry returns them, and its share (2) is used up by them.
      assert.deepEqual(first.claimed.map((w) => w.workflowID), ids.slice(0, 2));
      assert.ok(first.claimed.every((w) => w.status === 'PENDING' && w.executorID === 'executor-here' && w.recoveryAttempts === 1));
      const second = await systemDatabase.claimQueuedWorkflows(claimRequest({ queueLimits: limits, maxTasks: 10 }), false);
      assert.deepEqual(second.claimed.map((w) => w.workflowID), ids.slice(2), 'the lost rows are not returned twice');
    });
  }

  test('a claim call that failed after its commit: the next claim returns its rows, once', async () => {
    const systemDatabase = await opened.open(freshTarget(backend));
    const ids = await enqueue(systemDatabase, 3);
    loseNextClaimAnswer(connectionOf(systemDatabase), 'fail');
    await assert.rejects(systemDatabase.claimQueuedWorkflows(claimRequest(), false), DBOSDatabaseUnavailableError);
    const next = await systemDatabase.claimQueuedWorkflows(claimRequest({ maxTasks: 10 }), false);
    assert.deepEqual(next.claimed.map((w) => w.workflowID), ids, 'the lost rows first, then the rest');
    const after = await systemDatabase.claimQueuedWorkflows(claimRequest({ maxTasks: 10 }), false);
    assert.deepEqual(after.claimed, []);
  });

  test('lost rows of another executor, queue or partition are not returned', async () => {
    const systemDatabase = await opened.open(freshTarget(backend));
    await enqueue(systemDatabase, 2);
    loseNextClaimAnswer(connectionOf(systemDatabase), 'fail');
    await assert.rejects(systemDatabase.claimQueuedWorkflows(claimRequest(), false), DBOSDatabaseUnavailableError);
    const otherExecutor = await systemDatabase.claimQueuedWorkflows(claimRequest({ executorID: 'executor-elsewhere' }), false);
    assert.deepEqual(otherExecutor.claimed, []);
    const otherQueue = await systemDatabase.claimQueuedWorkflows(claimRequest({ queueName: 'another-queue' }), false);
    assert.deepEqual(otherQueue.claimed, []);
    const otherPartition = await systemDatabase.claimQueuedWorkflows(claimRequest({ partitionKey: 'p1' }), false);
    assert.deepEqual(otherPartition.claimed, []);
    // Still remembered for its own queue.
    const own = await systemDatabase.claimQueuedWorkflows(claimRequest(), false);
    assert.equal(own.claimed.length, 2);
  });
});
