/**
 * DBOS.shutdown({ deregister: true }): after the runtime stops, every
 * process-wide registration is forgotten (workflows, steps, configured
 * instances, queues declared in code, static schedules, lifecycle callbacks,
 * the alert handler, serialization recipes), so a test can register the same
 * names again with other bodies, and the next launch runs the new ones. An
 * invoker made before the deregister is refused. Without deregister,
 * registrations stay, and a different body under a taken name is refused.
 */
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { afterEach, test } from 'node:test';
import {
  ConfiguredInstance,
  DBOS,
  DBOSConflictingRegistrationError,
  DBOSNotRegisteredError,
  WorkflowQueue,
} from '../../src/index.ts';
import { forEachBackend, type TestBackend } from '../helpers/backends.ts';

class Money {
  constructor(readonly cents: number) {}
}

/** Everything one "version" of the application registers, under fixed names, with bodies tagged `version`. */
function registerApplication(backend: TestBackend, version: string, log: string[]) {
  const name = (what: string) => `deregister.${backend.name}.${what}`;
  const step = DBOS.registerStep(async (x: number) => `${version}-step:${x}`, { name: name('step') });
  const workflow = DBOS.registerWorkflow(async (x: number) => `${version}:${await step(x)}`, { name: name('workflow') });
  class Shop extends ConfiguredInstance {
    @DBOS.workflow({ name: name('sell') })
    async sell(): Promise<string> {
      return `${version}:${this.name}`;
    }
  }
  const shop = new Shop(name('shop'));
  const queue = new WorkflowQueue(name('queue'));
  DBOS.registerScheduled(
    DBOS.registerWorkflow(async (_scheduled: Date, _actual: Date) => undefined, { name: name('yearly') }),
    { name: name('yearly'), crontab: '0 0 1 1 *' },
  );
  DBOS.registerLifecycleCallback({ initialize: async () => void log.push(`${version}:initialize`) });
  DBOS.setAlertHandler(async () => undefined);
  DBOS.registerSerialization<Money, string>({
    name: name('Money'),
    isApplicable: (value): value is Money => value instanceof Money,
    serialize: (money) => (log.push(`${version}:serialize`), `${money.cents}`),
    deserialize: (cents) => new Money(Number(cents)),
  });
  const pay = DBOS.registerWorkflow(async (cents: number) => new Money(cents), { name: name('pay') });
  return { workflow, shop, queue, pay };
}

async function launchOn(config: ReturnType<TestBackend['freshConfig']>): Promise<void> {
  DBOS.setConfig(config);
  await DBOS.launch();
}

forEachBackend('shutdown({ deregister: true })', (backend) => {
  afterEach(async () => {
    await DBOS.shutdown({ deregister: true });
  });

  test('forgets every registration: the same names register again, and the next launch runs the new bodies', async () => {
    const config = backend.freshConfig();
    const log: string[] = [];
    const first = registerApplication(backend, 'v1', log);
    await launchOn(config);
    assert.equal(await first.workflow(1), 'v1:v1-step:1');
    assert.equal(await first.shop.sell(), `v1:deregister.${backend.name}.shop`);
    assert.ok((await first.pay(5)) instanceof Money);
    await DBOS.shutdown({ deregister: true });
    assert.equal(DBOS.isInitialized(), false);

    const second = registerApplication(backend, 'v2', log);
    await launchOn(config);
    assert.equal(await second.workflow(2), 'v2:v2-step:2');
    assert.equal(await second.shop.sell(), `v2:deregister.${backend.name}.shop`);
    const handle = await DBOS.startWorkflow(second.workflow, { queueName: second.queue.name })(3);
    assert.equal(await handle.getResult(), 'v2:v2-step:3');
    assert.deepEqual(await second.pay(7), new Money(7));
    assert.deepEqual(log, ['v1:initialize', 'v1:serialize', 'v2:initialize', 'v2:serialize']);
  });

  test('an invoker made before the deregister is refused, and starts nothing', async () => {
    const stale = registerApplication(backend, 'old', []);
    await launchOn(backend.freshConfig());
    await DBOS.shutdown({ deregister: true });
    registerApplication(backend, 'new', []);
    await launchOn(backend.freshConfig());
    await assert.rejects(stale.workflow(1), (error: unknown) => {
      assert.ok(error instanceof DBOSNotRegisteredError);
      assert.match(error.message, /deregister\.\w+\.workflow" was deregistered by DBOS\.shutdown\(\{ deregister: true \}\)/);
      return true;
    });
    await assert.rejects(async () => DBOS.startWorkflow(stale.workflow)(1), DBOSNotRegisteredError);
    assert.deepEqual(await DBOS.listWorkflows({}), []);
  });

  test('works without a launched runtime, and a launch after it finds nothing left to schedule or initialize', async () => {
    const log: string[] = [];
    registerApplication(backend, 'unlaunched', log);
    await DBOS.shutdown({ deregister: true });
    // The yearly schedule named a workflow that is gone: had the schedule stayed, this launch would refuse it.
    await launchOn(backend.freshConfig());
    assert.deepEqual(log, []);
  });
});

forEachBackend('shutdown() without deregister', (backend) => {
  afterEach(async () => {
    await DBOS.shutdown({ deregister: true });
  });

  test('keeps registrations: the same names with other bodies are refused, the old ones still run', async () => {
    const config = backend.freshConfig();
    const log: string[] = [];
    const first = registerApplication(backend, 'kept', log);
    await launchOn(config);
    await DBOS.shutdown();

    const name = (what: string) => `deregister.${backend.name}.${what}`;
    assert.throws(() => DBOS.registerWorkflow(async () => 'other', { name: name('workflow') }), DBOSConflictingRegistrationError);
    assert.throws(() => new WorkflowQueue(name('queue')), DBOSConflictingRegistrationError);
    class Shop extends ConfiguredInstance {}
    new Shop(name('shop')); // another class may reuse the name
    assert.throws(() => new (first.shop.constructor as new (name: string) => object)(name('shop')), DBOSConflictingRegistrationError);
    assert.throws(() => DBOS.setAlertHandler(async () => undefined), DBOSConflictingRegistrationError);

    await launchOn(config);
    const workflowID = `kept-${randomUUID()}`;
    assert.equal(await DBOS.withNextWorkflowID(workflowID, () => first.workflow(4)), 'kept:kept-step:4');
    assert.deepEqual(log, ['kept:initialize', 'kept:initialize']);
  });
});
