/**
 * An outage longer than databaseOutageTimeoutMs: operations fail with the
 * typed, retriable DBOSDatabaseUnavailableError within a bounded time instead
 * of hanging, a workflow whose checkpoint write gave up records nothing (it
 * stays PENDING, its step outcome unwritten), and recovery finishes it once
 * the database is back.
 *
 * Postgres-only: the outage is a proxy refusing TCP connections; SQLite has
 * no connection to lose.
 */
import assert from 'node:assert/strict';
import { afterEach, describe, it } from 'node:test';
import { DBOS, DBOSDatabaseUnavailableError } from '../../src/index.ts';
import { proxiedPostgresSkip, useProxiedPostgres } from './support/proxied-postgres.ts';

const outageTimeoutMs = 1500;
const runs: string[] = [];
let stepStarted: () => void = () => undefined;
let releaseStep: () => void = () => undefined;

const gatedStep = DBOS.registerStep(
  async (label: string) => {
    runs.push(label);
    if (label === 'gated' && runs.filter((run) => run === 'gated').length === 1) {
      stepStarted();
      await new Promise<void>((resolve) => {
        releaseStep = resolve;
      });
    }
    return label;
  },
  { name: 'outageGatedStep' },
);

const threeSteps = DBOS.registerWorkflow(
  async () => {
    await gatedStep('first');
    await gatedStep('gated');
    await gatedStep('third');
    return 'done';
  },
  { name: 'outageThreeSteps' },
);

async function rejectionOf(promise: Promise<unknown>): Promise<{ error: unknown; ms: number }> {
  const started = Date.now();
  try {
    await promise;
  } catch (error) {
    return { error, ms: Date.now() - started };
  }
  assert.fail('expected the operation to fail during the outage');
}

describe('an outage longer than databaseOutageTimeoutMs [postgres]', { skip: proxiedPostgresSkip }, () => {
  const database = useProxiedPostgres();
  afterEach(() => DBOS.shutdown());

  it('fails operations with DBOSDatabaseUnavailableError, writes nothing half, and recovery finishes the workflow', async () => {
    const proxy = database.proxy();
    const config = database.config({ databaseOutageTimeoutMs: outageTimeoutMs });
    DBOS.setConfig(config);
    await DBOS.launch();
    runs.length = 0;
    const started = new Promise<void>((resolve) => {
      stepStarted = resolve;
    });
    const handle = await DBOS.startWorkflow(threeSteps, { workflowID: 'outage-wf' })();
    await started;

    proxy.cutAll();
    proxy.refuse();
    releaseStep(); // its checkpoint write now meets the outage
    const [workflow, read] = await Promise.all([
      rejectionOf(handle.getResult()),
      rejectionOf(DBOS.getWorkflowStatus('outage-wf')),
    ]);
    for (const { error, ms } of [workflow, read]) {
      assert.ok(error instanceof DBOSDatabaseUnavailableError, `a typed error, got ${String(error)}`);
      assert.equal(error.code, 'DATABASE_UNAVAILABLE');
      assert.equal(error.retriable, true);
      assert.ok(ms < outageTimeoutMs + 2500, `gave up in ${ms} ms, bounded by the outage timeout`);
    }

    proxy.resume();
    // Nothing half-written: still PENDING, the gated step's outcome not recorded.
    assert.equal((await DBOS.getWorkflowStatus('outage-wf'))?.status, 'PENDING');
    assert.deepEqual((await DBOS.listWorkflowSteps('outage-wf'))?.map((step) => step.output), ['first']);

    // Recovery (here: a relaunch) resumes it from its last recorded step.
    await DBOS.shutdown();
    DBOS.setConfig(config);
    await DBOS.launch();
    assert.equal(await DBOS.retrieveWorkflow('outage-wf').getResult(), 'done');
    assert.deepEqual(runs, ['first', 'gated', 'gated', 'third'], 'the recorded step did not run again');
    console.log(`# outage of ${outageTimeoutMs} ms limit: workflow failed after ${workflow.ms} ms, a read after ${read.ms} ms`);
  });
});
