/**
 * A stalled database: connections stay open but nothing is answered (a
 * proxy that stops forwarding, as a hung server or a black-holed network
 * does). A short stall only delays work; a stall longer than
 * databaseOutageTimeoutMs is bounded by the per-statement read timeout and
 * the connect timeout, and fails with DBOSDatabaseUnavailableError instead
 * of hanging; afterwards everything works again, with no relaunch.
 *
 * Postgres-only: the stall is in a TCP proxy; SQLite has no connection.
 */
import assert from 'node:assert/strict';
import { afterEach, describe, it } from 'node:test';
import { DBOS, DBOSDatabaseUnavailableError } from '../../src/index.ts';
import { proxiedPostgresSkip, useProxiedPostgres } from './support/proxied-postgres.ts';

const outageTimeoutMs = 1500;
const pause = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));
const stepRuns = new Map<string, number>();

const countedStep = DBOS.registerStep(
  async (key: string) => {
    stepRuns.set(key, (stepRuns.get(key) ?? 0) + 1);
    await pause(20);
  },
  { name: 'stallCountedStep' },
);

const stepsWorkflow = DBOS.registerWorkflow(
  async (label: string) => {
    for (let index = 0; index < 5; index++) await countedStep(`${label}/${index}`);
    return label;
  },
  { name: 'stallStepsWorkflow' },
);

describe('a stalled database [postgres]', { skip: proxiedPostgresSkip }, () => {
  const database = useProxiedPostgres();
  afterEach(() => DBOS.shutdown());

  it('a short stall only delays; a long one fails in bounded time with a typed error; then all works again', async () => {
    const proxy = database.proxy();
    DBOS.setConfig(database.config({ databaseOutageTimeoutMs: outageTimeoutMs, heartbeatIntervalMs: 200 }));
    await DBOS.launch();
    stepRuns.clear();

    // Shorter than the limit: the answers come late, nothing fails, no step runs twice.
    const delayed = await DBOS.startWorkflow(stepsWorkflow, { workflowID: 'stall-short' })('short');
    await pause(30);
    proxy.stall();
    await pause(outageTimeoutMs / 2);
    proxy.resume();
    assert.equal(await delayed.getResult(), 'short');

    // Longer than the limit: bounded, typed.
    proxy.stall();
    const stalledAt = Date.now();
    const outcomes = await Promise.allSettled([
      DBOS.getWorkflowStatus('stall-short'),
      DBOS.startWorkflow(stepsWorkflow, { workflowID: 'stall-long' })('long').then((handle) => handle.getResult()),
      DBOS.send('stall-short', 'hello', 'topic'),
    ]);
    const failedAfterMs = Date.now() - stalledAt;
    for (const outcome of outcomes) {
      assert.equal(outcome.status, 'rejected');
      assert.ok(outcome.reason instanceof DBOSDatabaseUnavailableError, `a typed error, got ${String(outcome.reason)}`);
    }
    assert.ok(failedAfterMs < 2 * outageTimeoutMs + 2500, `every operation gave up within ${failedAfterMs} ms`);

    // The database answers again: fresh work completes in this same process.
    proxy.resume();
    const back = Date.now();
    const after = await DBOS.startWorkflow(stepsWorkflow, { workflowID: 'stall-after' })('after');
    assert.equal(await after.getResult(), 'after');
    const recoveredMs = Date.now() - back;
    assert.equal((await DBOS.getWorkflowStatus('stall-short'))?.status, 'SUCCESS');
    assert.deepEqual([...stepRuns].filter(([, runs]) => runs > 1), [], 'no step ran twice');
    console.log(`# stall: operations failed after ${failedAfterMs} ms (limit ${outageTimeoutMs} ms); back → a workflow done in ${recoveredMs} ms`);
  });
});
