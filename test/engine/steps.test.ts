/**
 * Steps: run once and recorded; errors recorded and rethrown; retries,
 * shouldRetry and per-attempt timeouts; the step context (DBOS.stepID,
 * isInStep, isInWorkflow, workflowID); steps outside workflows; and function
 * IDs of steps started together in Promise.all.
 */
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { afterEach, test } from 'node:test';
import { setTimeout as delay } from 'node:timers/promises';
import { DBOS, DBOSMaxStepRetriesError, DBOSStepTimeoutError } from '../../src/index.ts';
import { deserializeError } from '../../src/engine/error-serialization.ts';
import { deserializeValue } from '../../src/engine/serialization.ts';
import { engineFor } from '../../src/runtime/runtime.ts';
import { forEachBackend, type TestBackend } from '../helpers/backends.ts';

const calls: string[] = [];
const double = DBOS.registerStep(
  async (x: number) => {
    calls.push(`double:${x}`);
    return x * 2;
  },
  { name: 'steps.double' },
);
const rich = DBOS.registerStep(
  async () => ({ when: new Date(86_400_000), tags: new Map([['a', 1]]), big: 10n, missing: undefined }),
  { name: 'steps.rich' },
);
const doubleTwice = DBOS.registerWorkflow(
  async (x: number) => {
    const a = await double(x);
    const b = await double(a);
    return { a, b, rich: await rich() };
  },
  { name: 'steps.doubleTwice' },
);

const shared = { count: 1 };
const returnsShared = DBOS.registerStep(async () => shared, { name: 'steps.returnsShared' });
const copiesAreReturned = DBOS.registerWorkflow(
  async () => {
    const value = await returnsShared();
    return { same: value === shared, count: value.count };
  },
  { name: 'steps.copiesAreReturned' },
);

class InventoryError extends Error {
  readonly code = 'E_STOCK';
  constructor(readonly sku: string) {
    super(`out of ${sku}`);
    this.name = 'InventoryError';
  }
}
let reserveCalls = 0;
const reserve = DBOS.registerStep(
  async (sku: string) => {
    reserveCalls++;
    throw new InventoryError(sku);
  },
  { name: 'steps.reserve' },
);
const reserveAndCatch = DBOS.registerWorkflow(
  async (sku: string) => {
    try {
      await reserve(sku);
      return 'not reached';
    } catch (error) {
      const caught = error as InventoryError;
      return { name: caught.name, message: caught.message, code: caught.code, sku: caught.sku };
    }
  },
  { name: 'steps.reserveAndCatch' },
);
const reserveAndFail = DBOS.registerWorkflow(async (sku: string) => reserve(sku), { name: 'steps.reserveAndFail' });

const retry = { retriesAllowed: true, intervalSeconds: 0.01 } as const;
let flakyAttempts: number[] = [];
const flaky = DBOS.registerStep(
  async () => {
    const attempt = DBOS.stepStatus!.currentAttempt!;
    flakyAttempts.push(attempt);
    if (attempt < 3) throw new Error(`flaky failure ${attempt}`);
    return `ok on attempt ${attempt} of ${DBOS.stepStatus!.maxAttempts}`;
  },
  { name: 'steps.flaky', ...retry, maxAttempts: 5, backoffRate: 1.5 },
);
let hopelessCalls = 0;
const hopeless = DBOS.registerStep(
  async () => {
    hopelessCalls++;
    throw new Error(`attempt ${hopelessCalls} failed`);
  },
  { name: 'steps.hopeless', ...retry, maxAttempts: 3, backoffRate: 2 },
);
class PermanentError extends Error {
  override name = 'PermanentError';
}
let pickyCalls = 0;
let pickyDecisions: string[] = [];
const picky = DBOS.registerStep(
  async () => {
    pickyCalls++;
    throw pickyCalls === 1 ? new Error('transient') : new PermanentError('bad input');
  },
  {
    name: 'steps.picky',
    ...retry,
    maxAttempts: 10,
    shouldRetry: (error) => {
      pickyDecisions.push((error as Error).message);
      return !(error instanceof PermanentError);
    },
  },
);

function untilAborted(): Promise<string> {
  const signal = DBOS.stepStatus?.timeoutSignal;
  if (!signal) return Promise.reject(new Error('no timeoutSignal in a step with timeoutMS'));
  return new Promise((resolve) => signal.addEventListener('abort', () => resolve('aborted'), { once: true }));
}
let stuckSignal: AbortSignal | undefined;
const stuck = DBOS.registerStep(
  async () => {
    stuckSignal = DBOS.stepStatus?.timeoutSignal;
    return untilAborted();
  },
  { name: 'steps.stuck', timeoutMS: 30 },
);
let slowFirstCalls = 0;
const slowFirstAttempt = DBOS.registerStep(
  async () => (++slowFirstCalls === 1 ? untilAborted() : `attempt ${slowFirstCalls}`),
  { name: 'steps.slowFirstAttempt', ...retry, timeoutMS: 200, maxAttempts: 3 },
);
const callStep = DBOS.registerWorkflow(async (which: string) => {
  const steps: Record<string, () => Promise<unknown>> = { flaky, hopeless, picky, stuck, slowFirstAttempt };
  return steps[which]!();
}, { name: 'steps.callStep' });

type ContextSnapshot = Record<string, unknown>;
function snapshot(where: string): ContextSnapshot {
  return {
    where,
    stepID: DBOS.stepID,
    isInStep: DBOS.isInStep(),
    isInWorkflow: DBOS.isInWorkflow(),
    isWithinWorkflow: DBOS.isWithinWorkflow(),
    workflowID: DBOS.workflowID,
  };
}
let snapshots: ContextSnapshot[] = [];
const probe = DBOS.registerStep(async (where: string) => {
  snapshots.push(snapshot(where));
  return where;
}, { name: 'steps.probe' });
const contextWorkflow = DBOS.registerWorkflow(async () => {
  snapshots.push(snapshot('workflow'));
  await probe('first step');
  await DBOS.runStep(async () => snapshots.push(snapshot('inline step')), { name: 'steps.inline' });
  await probe('third step');
  return snapshots.length;
}, { name: 'steps.contextWorkflow' });

const outer = DBOS.registerStep(async (x: number) => (await double(x)) + 1, { name: 'steps.outer' });
const nested = DBOS.registerWorkflow(async (x: number) => outer(x), { name: 'steps.nested' });

const labelled = DBOS.registerStep(async (label: string, ms: number) => {
  await delay(ms);
  return `${label}@${DBOS.stepID}`;
}, { name: 'steps.labelled' });
const parallel = DBOS.registerWorkflow(
  async () =>
    Promise.all([
      labelled('a', 30),
      labelled('b', 0),
      DBOS.runStep(async () => `c@${DBOS.stepID}`, { name: 'steps.inlineC' }),
      labelled('d', 10),
    ]),
  { name: 'steps.parallel' },
);

function stepOutcomes(workflowID: string) {
  return engineFor('test').systemDatabase.loadStepOutcomes(workflowID);
}

async function launch(backend: TestBackend): Promise<void> {
  DBOS.setConfig(backend.freshConfig());
  await DBOS.launch();
}

forEachBackend('steps', (backend) => {
  afterEach(async () => {
    await DBOS.shutdown();
  });

  test('steps run once, in order, and their recorded outputs are returned', async () => {
    await launch(backend);
    calls.length = 0;
    const workflowID = `steps-${randomUUID()}`;
    const result = await (await DBOS.startWorkflow(doubleTwice, { workflowID })(3)).getResult();
    assert.equal(result.a, 6);
    assert.equal(result.b, 12);
    assert.ok(result.rich.when instanceof Date);
    assert.equal(result.rich.when.getTime(), 86_400_000);
    assert.deepEqual(result.rich.tags, new Map([['a', 1]]));
    assert.equal(result.rich.big, 10n);
    assert.ok('missing' in result.rich);
    assert.deepEqual(calls, ['double:3', 'double:6']);

    const outcomes = await stepOutcomes(workflowID);
    assert.deepEqual(outcomes.map((o) => [o.functionID, o.functionName, o.error]), [
      [0, 'steps.double', null],
      [1, 'steps.double', null],
      [2, 'steps.rich', null],
    ]);
    assert.equal(deserializeValue(outcomes[0]!.output, outcomes[0]!.serialization), 6);
    assert.equal(deserializeValue(outcomes[1]!.output, outcomes[1]!.serialization), 12);
    assert.deepEqual(deserializeValue(outcomes[2]!.output, outcomes[2]!.serialization), result.rich);
  });

  test('workflow code gets the recorded copy of a step output, as on replay', async () => {
    await launch(backend);
    shared.count = 1;
    assert.deepEqual(await copiesAreReturned(), { same: false, count: 1 });
  });

  test('a step error is recorded and rethrown to workflow code', async () => {
    await launch(backend);
    reserveCalls = 0;
    const workflowID = `step-error-${randomUUID()}`;
    const result = await (await DBOS.startWorkflow(reserveAndCatch, { workflowID })('sku-1')).getResult();
    assert.deepEqual(result, { name: 'InventoryError', message: 'out of sku-1', code: 'E_STOCK', sku: 'sku-1' });
    assert.equal(reserveCalls, 1);
    const [outcome, ...rest] = await stepOutcomes(workflowID);
    assert.equal(rest.length, 0);
    assert.equal(outcome?.functionName, 'steps.reserve');
    assert.equal(outcome?.output, null);
    const recorded = deserializeError(outcome!.error!, outcome!.serialization);
    assert.equal(recorded.name, 'InventoryError');
    assert.equal(recorded.message, 'out of sku-1');
    assert.equal((recorded as InventoryError).code, 'E_STOCK');
  });

  test('an uncaught step error fails the workflow with that error', async () => {
    await launch(backend);
    const handle = await DBOS.startWorkflow(reserveAndFail)('sku-2');
    await assert.rejects(handle.getResult(), { name: 'InventoryError', message: 'out of sku-2', code: 'E_STOCK' });
    assert.equal((await handle.getStatus())?.status, 'ERROR');
  });

  test('a step that fails twice then succeeds is retried and recorded once', async () => {
    await launch(backend);
    flakyAttempts = [];
    const workflowID = `flaky-${randomUUID()}`;
    assert.equal(await (await DBOS.startWorkflow(callStep, { workflowID })('flaky')).getResult(), 'ok on attempt 3 of 5');
    assert.deepEqual(flakyAttempts, [1, 2, 3]);
    const outcomes = await stepOutcomes(workflowID);
    assert.deepEqual(outcomes.map((o) => [o.functionID, o.functionName, o.error]), [[0, 'steps.flaky', null]]);
  });

  test('exhausted retries fail with DBOSMaxStepRetriesError holding every attempt\'s error', async () => {
    await launch(backend);
    hopelessCalls = 0;
    const handle = await DBOS.startWorkflow(callStep)('hopeless');
    await assert.rejects(handle.getResult(), (error: unknown) => {
      assert.ok(error instanceof DBOSMaxStepRetriesError);
      assert.equal(error.code, 'STEP_RETRIES_EXHAUSTED');
      assert.equal(error.stepName, 'steps.hopeless');
      assert.equal(error.maxAttempts, 3);
      assert.deepEqual(error.errors.map((e) => e.message), ['attempt 1 failed', 'attempt 2 failed', 'attempt 3 failed']);
      return true;
    });
    assert.equal(hopelessCalls, 3);
    const status = await handle.getStatus();
    assert.equal(status?.status, 'ERROR');
    const recorded = status?.error;
    assert.ok(recorded instanceof DBOSMaxStepRetriesError);
    assert.deepEqual(recorded.errors.map((e) => e.message), ['attempt 1 failed', 'attempt 2 failed', 'attempt 3 failed']);
  });

  test('shouldRetry returning false stops retrying and rethrows that error', async () => {
    await launch(backend);
    pickyCalls = 0;
    pickyDecisions = [];
    const handle = await DBOS.startWorkflow(callStep)('picky');
    await assert.rejects(handle.getResult(), { name: 'PermanentError', message: 'bad input' });
    assert.equal(pickyCalls, 2);
    assert.deepEqual(pickyDecisions, ['transient', 'bad input']);
  });

  test('an attempt past timeoutMS fails with DBOSStepTimeoutError and aborts the step signal', async () => {
    await launch(backend);
    stuckSignal = undefined;
    const handle = await DBOS.startWorkflow(callStep)('stuck');
    await assert.rejects(handle.getResult(), (error: unknown) => {
      assert.ok(error instanceof DBOSStepTimeoutError);
      assert.equal(error.code, 'STEP_TIMEOUT');
      assert.equal(error.stepName, 'steps.stuck');
      assert.equal(error.timeoutMS, 30);
      return true;
    });
    const signal = stuckSignal as AbortSignal | undefined; // set inside the step
    assert.ok(signal?.aborted);
    assert.ok(signal.reason instanceof DBOSStepTimeoutError);
    assert.equal((await handle.getStatus())?.status, 'ERROR');
  });

  test('a timed-out attempt is retried when retries are allowed', async () => {
    await launch(backend);
    slowFirstCalls = 0;
    assert.equal(await callStep('slowFirstAttempt'), 'attempt 2');
    assert.equal(slowFirstCalls, 2);
  });

  test('DBOS.stepID, isInStep, isInWorkflow and workflowID inside workflows and steps', async () => {
    await launch(backend);
    snapshots = [];
    const workflowID = `context-${randomUUID()}`;
    await (await DBOS.startWorkflow(contextWorkflow, { workflowID })()).getResult();
    const inStep = { isInStep: true, isInWorkflow: false, isWithinWorkflow: true, workflowID };
    assert.deepEqual(snapshots, [
      { where: 'workflow', stepID: undefined, isInStep: false, isInWorkflow: true, isWithinWorkflow: true, workflowID },
      { where: 'first step', stepID: 0, ...inStep },
      { where: 'inline step', stepID: 1, ...inStep },
      { where: 'third step', stepID: 2, ...inStep },
    ]);
    const outcomes = await stepOutcomes(workflowID);
    assert.deepEqual(outcomes.map((o) => o.functionName), ['steps.probe', 'steps.inline', 'steps.probe']);
  });

  test('outside a workflow there is no workflow or step context', async () => {
    await launch(backend);
    assert.deepEqual(snapshot('outside'), {
      where: 'outside',
      stepID: undefined,
      isInStep: false,
      isInWorkflow: false,
      isWithinWorkflow: false,
      workflowID: undefined,
    });
    snapshots = [];
    assert.equal(await probe('called directly'), 'called directly');
    assert.equal(snapshots[0]?.workflowID, undefined);
    assert.equal(snapshots[0]?.stepID, undefined);
  });

  test('DBOS.runStep outside a workflow just runs the function', async () => {
    await launch(backend);
    let runs = 0;
    const result = await DBOS.runStep(async () => {
      runs++;
      return { ok: true, inWorkflow: DBOS.isWithinWorkflow() };
    }, { name: 'steps.standalone' });
    assert.deepEqual(result, { ok: true, inWorkflow: false });
    assert.equal(runs, 1);
    await assert.rejects(DBOS.runStep(async () => {
      throw new Error('plain failure');
    }), { message: 'plain failure' });
  });

  test('a step called inside another step is a plain call, not a recorded step', async () => {
    await launch(backend);
    calls.length = 0;
    const workflowID = `nested-${randomUUID()}`;
    assert.equal(await (await DBOS.startWorkflow(nested, { workflowID })(5)).getResult(), 11);
    assert.deepEqual(calls, ['double:5']);
    const outcomes = await stepOutcomes(workflowID);
    assert.deepEqual(outcomes.map((o) => [o.functionID, o.functionName]), [[0, 'steps.outer']]);
  });

  test('steps started together in Promise.all get function IDs in call order', async () => {
    await launch(backend);
    const workflowID = `parallel-${randomUUID()}`;
    const result = await (await DBOS.startWorkflow(parallel, { workflowID })()).getResult();
    assert.deepEqual(result, ['a@0', 'b@1', 'c@2', 'd@3']);
    const outcomes = await stepOutcomes(workflowID);
    assert.deepEqual(
      outcomes.map((o) => [o.functionID, o.functionName, deserializeValue(o.output, o.serialization)]),
      [
        [0, 'steps.labelled', 'a@0'],
        [1, 'steps.labelled', 'b@1'],
        [2, 'steps.inlineC', 'c@2'],
        [3, 'steps.labelled', 'd@3'],
      ],
    );
  });
});
