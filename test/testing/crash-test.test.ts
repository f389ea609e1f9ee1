/**
 * durably/testing's crashTest on user-like workflows: a correct one passes at
 * every crash point; one that reads Date.now() or Math.random() outside a step
 * is reported as not deterministic (with the operation that differed, when an
 * operation did); a non-idempotent step is reported as run twice. Default
 * SQLite temp file, and on Postgres through systemDatabaseUrl + a fresh schema.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { DBOS, DBOSCrashTestFailedError } from '../../src/index.ts';
import { crashTest, type CrashTestOptions } from '../../src/testing.ts';
import { forEachBackend, type TestBackend } from '../helpers/backends.ts';

const reserve = DBOS.registerStep(async (order: string) => `reserved-${order}`, { name: 'crashTest.reserve' });
const charge = DBOS.registerStep(async (order: string) => `charged-${order}`, { name: 'crashTest.charge' });

const checkout = DBOS.registerWorkflow(async (order: string) => {
  const reservation = await reserve(order);
  const payment = await charge(order);
  const at = await DBOS.now();
  return { reservation, payment, recordedTime: typeof at };
}, { name: 'crashTest.checkout' });

const stampsOutsideStep = DBOS.registerWorkflow(async (order: string) => {
  const startedAt = Date.now(); // not recorded: a recovery reads another time
  await reserve(order);
  return { order, startedAt };
}, { name: 'crashTest.stampsOutsideStep' });

const randomStepName = DBOS.registerWorkflow(async (order: string) => {
  const attempt = Math.random().toString(36).slice(2, 8); // not recorded: the step's name changes on recovery
  await reserve(order);
  return DBOS.runStep(async () => `charged-${order}`, { name: `charge-${attempt}` });
}, { name: 'crashTest.randomStepName' });

/** A counter per workflow ID: each run of the step adds one, and returns the new count. */
const counts = new Map<string, number>();
const increment = DBOS.registerStep(async () => {
  const id = DBOS.workflowID ?? '';
  const next = (counts.get(id) ?? 0) + 1;
  counts.set(id, next);
  return next;
}, { name: 'crashTest.increment' });
const nonIdempotent = DBOS.registerWorkflow(async () => {
  await increment();
  return counts.get(DBOS.workflowID ?? '');
}, { name: 'crashTest.nonIdempotent' });

function optionsFor(backend: TestBackend): CrashTestOptions {
  if (backend.name === 'sqlite') return {}; // the default: a temporary SQLite file
  const config = backend.freshConfig();
  return { systemDatabaseUrl: config.systemDatabaseUrl, config: { systemDatabaseSchemaName: config.systemDatabaseSchemaName } };
}

async function failure(run: Promise<unknown>): Promise<DBOSCrashTestFailedError> {
  const error = await run.then(() => undefined, (e: unknown) => e);
  assert.ok(error instanceof DBOSCrashTestFailedError, `expected a crash test failure, got ${String(error)}`);
  return error;
}

forEachBackend('crashTest', (backend) => {
  test('a deterministic workflow recovers to the same outcome from every crash point', async () => {
    const report = await crashTest(checkout, ['o-1'], optionsFor(backend));
    assert.equal(report.failures, 0);
    // 3 operations (2 steps + DBOS.now), 2 step bodies, the outcome: 6 crash points, plus the clean run.
    assert.equal(report.runs.length, 7);
    assert.deepEqual(report.runs[0]!.outcome, { ok: true, value: { reservation: 'reserved-o-1', payment: 'charged-o-1', recordedTime: 'number' } });
    const kinds = report.runs.slice(1).map((run) => run.boundary?.kind);
    assert.deepEqual(kinds, ['before-operation', 'inside-step', 'before-operation', 'inside-step', 'before-operation', 'before-outcome']);
    assert.match(report.runs[3]!.where, /after operation #0 "crashTest.reserve", before #1 "crashTest.charge"/);
    // A crash inside a step runs it again on recovery (at least once), and the report says so.
    assert.deepEqual(report.runs[2]!.rerunSteps.map((s) => [s.name, s.runs]), [['crashTest.reserve', 2]]);
    assert.equal(DBOS.isInitialized(), false, 'crashTest leaves DBOS shut down');
  });

  test('Date.now() outside a step: recoveries reach another result, and the replay diverges', async () => {
    const error = await failure(crashTest(stampsOutsideStep, ['o-2'], optionsFor(backend)));
    assert.match(error.message, /recovered to another outcome than the clean run/);
    assert.match(error.message, /replay of its history diverges: The replay returned/);
  });

  test('Math.random() outside a step: reported as not deterministic, with the operation that differed', async () => {
    const report = await crashTest(randomStepName, ['o-3'], { ...optionsFor(backend), throwOnFailure: false });
    assert.ok(report.failures > 0);
    const differed = report.runs.find((run) => run.nonDeterminism);
    assert.ok(differed, 'a run reports the operation that differed');
    assert.equal(differed.nonDeterminism!.functionID, 1);
    assert.match(differed.nonDeterminism!.expected, /^charge-/);
    assert.notEqual(differed.nonDeterminism!.expected, differed.nonDeterminism!.recorded);
  });

  test('a non-idempotent step: reported as run twice, with the outcome it changed', async () => {
    const error = await failure(crashTest(nonIdempotent, [], optionsFor(backend)));
    assert.match(error.message, /FAIL crash 2: inside step #0 "crashTest.increment".*returned 2/);
    assert.match(error.message, /step #0 "crashTest.increment" ran 2 times \(it must be idempotent\)/);
    assert.match(error.message, /clean run, which returned 1/);
  });
});
