/**
 * Debouncer (DBOS semantics): calls with one key within the period coalesce
 * into one run, `period` after the last call, with the last call's
 * arguments, and no later than `debounceTimeoutMs` after the first call.
 * Times are asserted as lower bounds, or on what the database recorded.
 */
import assert from 'node:assert/strict';
import { afterEach, beforeEach, test } from 'node:test';
import { setTimeout as delay } from 'node:timers/promises';
import {
  DBOS,
  DBOSConfigurationError,
  DBOSQueueDuplicatedError,
  Debouncer,
  WorkflowQueue,
} from '../../src/index.ts';
import { deferred, type Deferred } from '../../src/support/deferred.ts';
import { forEachBackend } from '../helpers/backends.ts';
import { launch, stepOutcomes } from '../helpers/lifecycle.ts';

const debounceQueue = new WorkflowQueue('debouncer-test.queue');
const runs: { label: string; at: number }[] = [];

const summarize = DBOS.registerWorkflow(async (label: string) => {
  runs.push({ label, at: Date.now() });
  return label;
}, { name: 'debouncer-test.summarize' });

let release: Deferred<void> = deferred();
let blockedStarted: Deferred<void> = deferred();
const blocking = DBOS.registerWorkflow(async (label: string) => {
  blockedStarted.resolve();
  await release.promise;
  return label;
}, { name: 'debouncer-test.blocking' });

const debouncer = new Debouncer({ workflow: summarize });
const queuedDebouncer = new Debouncer({ workflow: summarize, startWorkflowParams: { queueName: debounceQueue.name } });

const parent = DBOS.registerWorkflow(async (key: string, label: string) => {
  const handle = await debouncer.debounce(key, 100, label);
  return handle.workflowID;
}, { name: 'debouncer-test.parent' });

forEachBackend('Debouncer', (backend) => {
  beforeEach(() => {
    runs.length = 0;
  });
  afterEach(() => DBOS.shutdown());

  test('three quick calls run the workflow once, with the last arguments', async () => {
    await launch(backend);
    const handles = [];
    // A period long next to three calls' round trips, also when the loaded test machine stalls between them.
    for (const label of ['first', 'second', 'third']) handles.push(await debouncer.debounce('coalesce', 1500, label));
    assert.equal(new Set(handles.map((h) => h.workflowID)).size, 1, 'one workflow for the three calls');
    assert.equal((await handles[0]!.getStatus())?.status, 'DELAYED');
    assert.equal(await handles[2]!.getResult(), 'third');
    await delay(200);
    assert.deepEqual(runs.map((r) => r.label), ['third']);
  });

  test('each call restarts the period', async () => {
    await launch(backend);
    // The period is long next to the pause between the calls, so that a stall of the (loaded) test machine
    // between them does not let the first period run out: the test is about the restart, not about timing.
    const period = 1500;
    const first = await queuedDebouncer.debounce('restart', period, 'a');
    await delay(250);
    const secondAt = Date.now();
    const second = await queuedDebouncer.debounce('restart', period, 'b');
    assert.equal(second.workflowID, first.workflowID);
    const status = await second.getStatus();
    assert.ok(status!.delayUntilEpochMS! >= secondAt + period, 'the start moved to a period after the second call');
    assert.equal(await second.getResult(), 'b');
    assert.ok(runs[0]!.at >= secondAt + period, `ran ${runs[0]!.at - secondAt} ms after the second call`);
  });

  test('debounceTimeoutMs bounds the wait: a run starts while calls keep coming', async () => {
    await launch(backend);
    const bounded = new Debouncer({ workflow: summarize, debounceTimeoutMs: 500 });
    const firstAt = Date.now();
    const first = await bounded.debounce('bounded', 400, 'call-0');
    const ids = new Set([first.workflowID]);
    for (let i = 1; i <= 8; i++) {
      await delay(150);
      ids.add((await bounded.debounce('bounded', 400, `call-${i}`)).workflowID);
    }
    const status = await first.getStatus();
    assert.ok(status!.delayUntilEpochMS! <= firstAt + 500 + 50, 'never delayed past the timeout after the first call');
    assert.ok(ids.size >= 2, 'calls after the bounded run started a new workflow');
    await first.getResult();
    assert.ok(runs.length >= 1);
  });

  test('distinct keys are debounced independently', async () => {
    await launch(backend);
    const a = await debouncer.debounce('key-a', 100, 'for-a');
    const b = await debouncer.debounce('key-b', 100, 'for-b');
    assert.notEqual(a.workflowID, b.workflowID);
    assert.deepEqual(await Promise.all([a.getResult(), b.getResult()]), ['for-a', 'for-b']);
    assert.deepEqual(runs.map((r) => r.label).sort(), ['for-a', 'for-b']);
  });

  test('after the run, the key is free: the next call starts a new workflow', async () => {
    await launch(backend);
    const first = await debouncer.debounce('again', 50, 'one');
    assert.equal(await first.getResult(), 'one');
    const second = await debouncer.debounce('again', 50, 'two');
    assert.notEqual(second.workflowID, first.workflowID);
    assert.equal(await second.getResult(), 'two');
  });

  test('while the debounced workflow runs, the next call starts a new one', async () => {
    release = deferred();
    blockedStarted = deferred();
    await launch(backend);
    const blocker = new Debouncer({ workflow: blocking });
    const first = await blocker.debounce('busy', 20, 'one');
    await blockedStarted.promise;
    const second = await blocker.debounce('busy', 20, 'two');
    assert.notEqual(second.workflowID, first.workflowID, 'the running workflow gave up the key');
    release.resolve();
    assert.deepEqual(await Promise.all([first.getResult(), second.getResult()]), ['one', 'two']);
  });

  test('from workflow code, the call is recorded with the debounced workflow', async () => {
    await launch(backend);
    const handle = await DBOS.startWorkflow(parent, { workflowID: 'debounce-parent' })('in-workflow', 'x');
    const childID = await handle.getResult();
    assert.equal(childID, 'debounce-parent-0');
    const [recorded] = await stepOutcomes('debounce-parent');
    assert.equal(recorded?.functionName, 'DBOS.debounce');
    assert.equal(recorded?.childWorkflowID, childID);
    assert.equal(await DBOS.retrieveWorkflow(childID).getResult(), 'x');
  });

  test('bad options and a key held by another workflow are refused', async () => {
    for (const enqueueOptions of [{ deduplicationID: 'd' }, { delaySeconds: 1 }, { priority: 2 }, { queuePartitionKey: 'p' }]) {
      assert.throws(() => new Debouncer({ workflow: summarize, startWorkflowParams: { enqueueOptions } }), DBOSConfigurationError);
    }
    assert.throws(() => new Debouncer({ workflow: summarize, debounceTimeoutMs: -1 }), /debounceTimeoutMs.*-1/);
    await launch(backend);
    await assert.rejects(debouncer.debounce('', 10, 'x'), /debounce key/);
    await assert.rejects(debouncer.debounce('k', Number.NaN, 'x'), /debouncePeriodMs/);
    // A plain enqueue holding the debouncer's deduplication ID (`<class>.<name>-<key>`).
    await DBOS.startWorkflow(summarize, {
      queueName: debounceQueue.name,
      enqueueOptions: { deduplicationID: '.debouncer-test.summarize-taken', delaySeconds: 5 },
    })('plain');
    await assert.rejects(queuedDebouncer.debounce('taken', 10, 'x'), DBOSQueueDuplicatedError);
  });
});
