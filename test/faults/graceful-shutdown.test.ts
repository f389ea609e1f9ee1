/**
 * Graceful stop under load: DBOS.shutdown() in the middle of 50 queued workflows with slow steps stops
 * claiming queued work, lets the running workflows go on for the grace period (config option
 * workflowCompletionTimeoutMS, DBOS's shutdown option name), and leaves the rest PENDING or ENQUEUED for
 * recovery. Once it returns, nothing more is written to the system database, not even by step bodies that
 * finish afterwards (a raw read before and after they do is the same). A relaunch finishes every workflow,
 * and a step whose checkpoint was committed before the shutdown never runs again.
 */
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { afterEach, test } from 'node:test';
import { DBOS, DBOSConfigurationError, WorkflowQueue, type DBOSConfig } from '../../src/index.ts';
import { resolveConfig } from '../../src/runtime/resolve-config.ts';
import { forEachBackend } from '../helpers/backends.ts';
import { rawRows } from '../helpers/raw-rows.ts';

const workflowCount = 50;
const concurrency = 5;
const stepMs = 120;
const stepsPerWorkflow = 3;
const graceMs = 150;

const queue = new WorkflowQueue('graceful-shutdown.queue', { workerConcurrency: concurrency });

/** One entry per step body started: `<workflowID>#<step>`; `startedAt` has its time. */
const ledger: string[] = [];
const startedAt: number[] = [];

const slowStep = DBOS.registerStep(
  async (workflowID: string, step: number) => {
    ledger.push(`${workflowID}#${step}`);
    startedAt.push(Date.now());
    await new Promise((resolve) => setTimeout(resolve, stepMs));
    return step;
  },
  { name: 'graceful-shutdown.slowStep' },
);

const slowWorkflow = DBOS.registerWorkflow(
  async (index: number) => {
    const workflowID = DBOS.workflowID!;
    let total = index * 100;
    for (let step = 0; step < stepsPerWorkflow; step++) total += await slowStep(workflowID, step);
    return total;
  },
  { name: 'graceful-shutdown.slowWorkflow' },
);

type Snapshot = { statuses: string; steps: string };

/** Everything stored about these workflows, read past durably, in a stable order. */
async function snapshot(config: DBOSConfig, prefix: string): Promise<Snapshot> {
  const statuses = await rawRows(config, 'workflow_status', 'workflow_uuid LIKE ?', [`${prefix}%`]);
  const steps = await rawRows(config, 'operation_outputs', 'workflow_uuid LIKE ?', [`${prefix}%`]);
  const describe = (rows: Record<string, unknown>[]) =>
    JSON.stringify(rows.map((row) => JSON.stringify(row, (_, value: unknown) => (typeof value === 'bigint' ? String(value) : value))).sort());
  return { statuses: describe(statuses), steps: describe(steps) };
}

async function until(what: string, check: () => Promise<boolean>, timeoutMs = 20_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 25));
  }
}

async function statusCounts(config: DBOSConfig, prefix: string): Promise<Record<string, number>> {
  const rows = await rawRows(config, 'workflow_status', 'workflow_uuid LIKE ?', [`${prefix}%`]);
  const counts: Record<string, number> = {};
  for (const row of rows) counts[String(row.status)] = (counts[String(row.status)] ?? 0) + 1;
  return counts;
}

forEachBackend('DBOS.shutdown() under load', (backend) => {
  afterEach(async () => {
    await DBOS.shutdown();
    ledger.length = 0;
    startedAt.length = 0;
  });

  test('stops claiming, lets running steps finish for the grace period, writes nothing afterwards; a relaunch finishes all', { timeout: 60_000 }, async () => {
    const config = backend.freshConfig({ workflowCompletionTimeoutMS: graceMs });
    DBOS.setConfig(config);
    await DBOS.launch();
    const prefix = `graceful-${randomUUID()}-`;
    const ids = Array.from({ length: workflowCount }, (_, index) => `${prefix}${String(index).padStart(2, '0')}`);
    for (const [index, workflowID] of ids.entries()) {
      await DBOS.startWorkflow(slowWorkflow, { workflowID, queueName: queue.name })(index);
    }
    await until('some workflows to finish', async () => ((await statusCounts(config, prefix)).SUCCESS ?? 0) >= 10);
    // Shut down just after a workflow began its first step: it has three steps (more than the grace period)
    // to go, so some work is surely running and is interrupted, however late the poll above saw the count.
    const workflowsBegun = () => ledger.filter((entry) => entry.endsWith('#0')).length;
    const begunBefore = workflowsBegun();
    await until('a workflow to begin', async () => workflowsBegun() > begunBefore);

    const stepsBefore = ledger.length;
    const began = Date.now();
    await DBOS.shutdown(); // the grace period comes from the config option
    const tookMs = Date.now() - began;
    const stepsStartedDuringShutdown = ledger.slice(stepsBefore);

    // Running workflows had the grace period (their steps went on), and not much more.
    assert.ok(tookMs >= graceMs - 10, `shutdown returned after ${tookMs} ms, before the ${graceMs} ms grace period`);
    assert.ok(tookMs < graceMs + 3000, `shutdown took ${tookMs} ms`);
    // No new workflow was claimed: steps that began during the shutdown belong to workflows already running,
    // or to ones a claim already under way when shutdown began handed over at once (a running dequeuer would
    // claim again through the grace period, as running workflows finish and free their slots).
    stepsStartedDuringShutdown.forEach((entry, index) => {
      const lateMs = startedAt[stepsBefore + index]! - began;
      if (entry.endsWith('#0')) assert.ok(lateMs < graceMs / 2, `${entry} (a first step) began ${lateMs} ms into the shutdown: a new claim`);
    });

    const counts = await statusCounts(config, prefix);
    assert.equal(counts.ERROR, undefined, JSON.stringify(counts));
    assert.ok((counts.ENQUEUED ?? 0) > 0, `work was left on the queue: ${JSON.stringify(counts)}`);
    // Workflows still running at the end of the grace period were interrupted: PENDING, for recovery.
    assert.ok((counts.PENDING ?? 0) >= 1 && (counts.PENDING ?? 0) <= concurrency, `the running workflows stay PENDING: ${JSON.stringify(counts)}`);
    assert.ok(stepsStartedDuringShutdown.length >= 1, 'running workflows went on during the grace period');
    assert.equal((counts.SUCCESS ?? 0) + (counts.PENDING ?? 0) + (counts.ENQUEUED ?? 0), workflowCount, JSON.stringify(counts));

    // Step bodies interrupted by the shutdown still finish afterwards: none of them may write anything.
    const atShutdown = await snapshot(config, prefix);
    await new Promise((resolve) => setTimeout(resolve, stepMs * 3));
    assert.deepEqual(await snapshot(config, prefix), atShutdown, 'the system database changed after DBOS.shutdown() returned');
    const committed = (await rawRows(config, 'operation_outputs', 'workflow_uuid LIKE ?', [`${prefix}%`])).map(
      (row) => `${String(row.workflow_uuid)}#${Number(row.function_id)}`,
    );

    DBOS.setConfig(config);
    await DBOS.launch();
    const results = await Promise.all(ids.map((workflowID) => DBOS.retrieveWorkflow<number>(workflowID).getResult()));
    assert.deepEqual(results, ids.map((_, index) => index * 100 + 0 + 1 + 2));

    const runs = new Map<string, number>();
    for (const entry of ledger) runs.set(entry, (runs.get(entry) ?? 0) + 1);
    for (const step of committed) assert.equal(runs.get(step), 1, `${step} was committed before the shutdown, yet ran ${runs.get(step)} times`);
    for (const workflowID of ids) {
      for (let step = 0; step < stepsPerWorkflow; step++) {
        const count = runs.get(`${workflowID}#${step}`) ?? 0;
        assert.ok(count >= 1 && count <= 2, `${workflowID}#${step} ran ${count} times`);
      }
    }
  });

  test('DBOS.shutdown({ workflowCompletionTimeoutMS: 0 }) overrides the config default: no wait', async () => {
    const config = backend.freshConfig({ workflowCompletionTimeoutMS: 10_000 });
    DBOS.setConfig(config);
    await DBOS.launch();
    const workflowID = `no-grace-${randomUUID()}`;
    await DBOS.startWorkflow(slowWorkflow, { workflowID })(7);
    await until('its first step', async () => ledger.includes(`${workflowID}#0`));
    const began = Date.now();
    await DBOS.shutdown({ workflowCompletionTimeoutMS: 0 });
    assert.ok(Date.now() - began < 2000, `shutdown waited ${Date.now() - began} ms`);
    DBOS.setConfig(config);
    await DBOS.launch();
    assert.equal(await DBOS.retrieveWorkflow<number>(workflowID).getResult(), 700 + 0 + 1 + 2);
  });
});

test('config option workflowCompletionTimeoutMS: 0 to 2^31-1 ms', () => {
  for (const bad of [-1, Number.NaN, 2 ** 31, '5s']) {
    assert.throws(
      () => resolveConfig({ systemDatabaseUrl: './x.sqlite', workflowCompletionTimeoutMS: bad as number }),
      (error: unknown) => error instanceof DBOSConfigurationError && /"workflowCompletionTimeoutMS" must be a number of milliseconds/.test(error.message),
    );
  }
  assert.equal(resolveConfig({ systemDatabaseUrl: './x.sqlite' }).workflowCompletionTimeoutMS, 0);
  assert.equal(resolveConfig({ systemDatabaseUrl: './x.sqlite', workflowCompletionTimeoutMS: 250 }).workflowCompletionTimeoutMS, 250);
});
