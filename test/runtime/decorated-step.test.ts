/**
 * A @DBOS.step() method called outside a workflow runs as its one-step
 * workflow `temp_workflow-step-<name>`, as in DBOS: it gets an ID (the pending
 * withNextWorkflowID, else a random one), is checkpointed, and the same ID
 * again returns the recorded outcome without running the step. Inside a
 * workflow nothing changes: it is a step of that workflow, with the same
 * system-database calls as a registerStep function. registerStep functions
 * stay plain calls outside a workflow.
 */
import assert from 'node:assert/strict';
import { AsyncLocalStorage } from 'node:async_hooks';
import { randomUUID } from 'node:crypto';
import { afterEach, test } from 'node:test';
import {
  ConfiguredInstance,
  DBOS,
  DBOSConflictingWorkflowError,
  DBOSInvalidWorkflowTransitionError,
  DBOSNotLaunchedError,
} from '../../src/index.ts';
import { engineFor } from '../../src/runtime/runtime.ts';
import { forEachBackend } from '../helpers/backends.ts';
import { launch, stepOutcomes } from '../helpers/lifecycle.ts';

let runs: string[] = [];

class TempSteps {
  static rate = 10;

  @DBOS.step()
  static async charge(amount: number): Promise<{ charged: number; thisIsClass: boolean; workflowID?: string }> {
    runs.push(`charge:${amount}`);
    return { charged: amount * this.rate, thisIsClass: this === TempSteps, workflowID: DBOS.workflowID };
  }

  @DBOS.step()
  static async decline(reason: string): Promise<never> {
    runs.push(`decline:${reason}`);
    throw new Error(`declined: ${reason}`);
  }

  @DBOS.step({ retriesAllowed: true, maxAttempts: 3, intervalSeconds: 0.01 })
  static async flaky(): Promise<number> {
    runs.push('flaky');
    if (runs.length < 2) throw new Error('first attempt fails');
    return DBOS.stepStatus?.currentAttempt ?? -1;
  }

  @DBOS.workflow()
  static async checkout(amount: number): Promise<number> {
    const first = await TempSteps.charge(amount);
    const second = await TempSteps.charge(amount + 1);
    return first.charged + second.charged;
  }
}

class Till extends ConfiguredInstance {
  @DBOS.step()
  async open(): Promise<string> {
    runs.push(`open:${this.name}`);
    return `opened ${this.name}`;
  }
}
const frontTill = new Till('decorated-step.front');

class PlainCounter {
  @DBOS.step()
  async count(): Promise<number> {
    runs.push('count');
    return 1;
  }
}

const registeredCharge = DBOS.registerStep(
  async (amount: number) => {
    runs.push(`registered:${amount}`);
    return { charged: amount * 10 };
  },
  { name: 'charge', className: 'TempSteps.registered' },
);
const registeredCheckout = DBOS.registerWorkflow(
  async (amount: number) => (await registeredCharge(amount)).charged + (await registeredCharge(amount + 1)).charged,
  { name: 'decorated-step.registeredCheckout' },
);

forEachBackend('a decorated step outside a workflow', (backend) => {
  afterEach(async () => {
    await DBOS.shutdown();
    runs = [];
  });

  test('before launch it is refused and does not run', async () => {
    await assert.rejects(TempSteps.charge(1), (error: unknown) => {
      assert.ok(error instanceof DBOSNotLaunchedError);
      assert.match(error.message, /Step "TempSteps\.charge" needs a launched runtime/);
      return true;
    });
    assert.deepEqual(runs, []);
  });

  test('it runs once as temp_workflow-step-<name> under a random ID, with the class as this', async () => {
    await launch(backend);
    const result = await TempSteps.charge(3);
    assert.equal(result.charged, 30);
    assert.equal(result.thisIsClass, true);
    assert.ok(result.workflowID, 'the step ran inside its one-step workflow');
    assert.deepEqual(runs, ['charge:3']);
    const status = await DBOS.getWorkflowStatus(result.workflowID);
    assert.equal(status?.status, 'SUCCESS');
    assert.equal(status?.workflowName, 'temp_workflow-step-charge');
    assert.equal(status?.workflowClassName, 'TempSteps');
    assert.deepEqual(status?.output, result);
    const outcomes = await stepOutcomes(result.workflowID);
    assert.deepEqual(outcomes.map((o) => [o.functionID, o.functionName]), [[0, 'charge']]);
    const again = await TempSteps.charge(3);
    assert.notEqual(again.workflowID, result.workflowID, 'each call without an assigned ID is a new workflow');
  });

  test('under withNextWorkflowID it takes that ID, and the same ID again returns the recorded result', async () => {
    await launch(backend);
    const workflowID = `decorated-step-${randomUUID()}`;
    const first = await DBOS.withNextWorkflowID(workflowID, () => TempSteps.charge(4));
    assert.deepEqual(first, { charged: 40, thisIsClass: true, workflowID });
    // Other arguments do not matter: the ID's recorded outcome is returned, the step does not run.
    const second = await DBOS.withNextWorkflowID(workflowID, () => TempSteps.charge(99));
    assert.deepEqual(second, first);
    assert.deepEqual(runs, ['charge:4']);
    assert.equal((await DBOS.getWorkflowStatus(workflowID))?.recoveryAttempts, 1);
    assert.equal((await DBOS.listWorkflows({ workflowIDs: [workflowID] })).length, 1);
  });

  test('a failing step throws its error, recorded: the same ID again rethrows it without running', async () => {
    await launch(backend);
    const workflowID = `decorated-step-error-${randomUUID()}`;
    await assert.rejects(DBOS.withNextWorkflowID(workflowID, () => TempSteps.decline('card')), { message: 'declined: card' });
    await assert.rejects(DBOS.withNextWorkflowID(workflowID, () => TempSteps.decline('other')), { message: 'declined: card' });
    assert.deepEqual(runs, ['decline:card']);
    const status = await DBOS.getWorkflowStatus(workflowID);
    assert.equal(status?.status, 'ERROR');
    assert.equal(status?.workflowName, 'temp_workflow-step-decline');
  });

  test('its retries run inside the one-step workflow', async () => {
    await launch(backend);
    const workflowID = `decorated-step-retry-${randomUUID()}`;
    assert.equal(await DBOS.withNextWorkflowID(workflowID, () => TempSteps.flaky()), 2);
    assert.deepEqual(runs, ['flaky', 'flaky']);
    assert.equal((await DBOS.getWorkflowStatus(workflowID))?.status, 'SUCCESS');
  });

  test('an ID taken by another workflow is a conflict, and the step does not run', async () => {
    await launch(backend);
    const workflowID = `decorated-step-conflict-${randomUUID()}`;
    await DBOS.withNextWorkflowID(workflowID, () => TempSteps.charge(1));
    await assert.rejects(DBOS.withNextWorkflowID(workflowID, () => TempSteps.decline('x')), DBOSConflictingWorkflowError);
    assert.deepEqual(runs, ['charge:1']);
  });

  test('on a ConfiguredInstance it records the instance; on a plain object it is refused before anything is written', async () => {
    await launch(backend);
    const workflowID = `decorated-step-instance-${randomUUID()}`;
    assert.equal(await DBOS.withNextWorkflowID(workflowID, () => frontTill.open()), 'opened decorated-step.front');
    const status = await DBOS.getWorkflowStatus(workflowID);
    assert.equal(status?.workflowName, 'temp_workflow-step-open');
    assert.equal(status?.workflowConfigName, 'decorated-step.front');

    const plainID = `decorated-step-plain-${randomUUID()}`;
    await assert.rejects(DBOS.withNextWorkflowID(plainID, () => new PlainCounter().count()), (error: unknown) => {
      assert.ok(error instanceof DBOSInvalidWorkflowTransitionError);
      assert.match(error.message, /does not extend ConfiguredInstance/);
      return true;
    });
    assert.deepEqual(runs, ['open:decorated-step.front']);
    assert.equal(await DBOS.getWorkflowStatus(plainID), null);
  });

  test('registerStep functions stay plain calls outside a workflow', async () => {
    await launch(backend);
    assert.deepEqual(await registeredCharge(2), { charged: 20 });
    assert.deepEqual(await DBOS.listWorkflows({}), []);
  });
});

forEachBackend('a decorated step inside a workflow', (backend) => {
  afterEach(async () => {
    await DBOS.shutdown();
    runs = [];
  });

  test('is a step of that workflow, and starts no workflow of its own', async () => {
    await launch(backend);
    const workflowID = `decorated-step-inside-${randomUUID()}`;
    assert.equal(await DBOS.withNextWorkflowID(workflowID, () => TempSteps.checkout(2)), 50);
    const outcomes = await stepOutcomes(workflowID);
    assert.deepEqual(outcomes.map((o) => [o.functionID, o.functionName]), [[0, 'charge'], [1, 'charge']]);
    assert.deepEqual((await DBOS.listWorkflows({})).map((w) => w.workflowID), [workflowID]);
  });

  test('costs the system database exactly what a registerStep step costs (the hot path is unchanged)', async () => {
    await launch(backend);
    const decorated = await countSystemDatabaseCalls(() => TempSteps.checkout(2));
    const registered = await countSystemDatabaseCalls(() => registeredCheckout(2));
    assert.deepEqual(decorated, registered);
    assert.equal(decorated.recordStepOutcome, 2, JSON.stringify(decorated));
  });
});

/**
 * Calls of each system-database method made on behalf of `work` (wrapping the launched instance's methods);
 * the background loops (queue polls, heartbeats) run in the launch's async context, so they are not counted.
 */
async function countSystemDatabaseCalls(work: () => Promise<unknown>): Promise<Record<string, number>> {
  const onBehalfOfWork = new AsyncLocalStorage<boolean>();
  const systemDatabase = engineFor('test').systemDatabase as unknown as Record<string, unknown>;
  const counts: Record<string, number> = {};
  const originals = new Map<string, unknown>();
  for (let proto = Object.getPrototypeOf(systemDatabase); proto && proto !== Object.prototype; proto = Object.getPrototypeOf(proto)) {
    for (const key of Object.getOwnPropertyNames(proto)) {
      const method = systemDatabase[key];
      if (key === 'constructor' || typeof method !== 'function' || originals.has(key)) continue;
      originals.set(key, method);
      systemDatabase[key] = function (this: unknown, ...args: unknown[]) {
        if (onBehalfOfWork.getStore()) counts[key] = (counts[key] ?? 0) + 1;
        return (method as Function).apply(this, args);
      };
    }
  }
  try {
    await onBehalfOfWork.run(true, work);
  } finally {
    for (const key of originals.keys()) delete systemDatabase[key];
  }
  return counts;
}
