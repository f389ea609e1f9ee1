/**
 * DBOS's event-receiver surface: a receiver (Kafka, SQS, a test double) attaches its own configuration to
 * classes and workflows (associateClassWithInfo, associateFunctionWithInfo), finds them again at launch
 * (getAssociatedInfo) and invokes them; keeps versioned state in the system database
 * (get/upsertEventDispatchState); declares its queues (durably/eventreceiver: registerPollerQueue,
 * registerInternalQueue, isPartitionedQueue, getQueue); and is stopped by deactivateEventReceivers.
 */
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { afterEach, test } from 'node:test';
import { DBOS, WorkflowQueue, type DBOSLifecycleCallback } from '../../src/index.ts';
import { getQueue, isPartitionedQueue, registerInternalQueue, registerPollerQueue } from '../../src/eventreceiver.ts';
import { forEachBackend } from '../helpers/backends.ts';
import { launch } from '../helpers/lifecycle.ts';
import { importLegacyDecoratorFixture } from '../helpers/legacy-decorators.ts';

interface ClassInfo {
  classValue?: string;
}
interface MethodInfo {
  methodValue?: string;
}

/** A receiver in the manner of DBOS's own test of the API: it delivers events to every function it knows. */
class TestReceiver implements DBOSLifecycleCallback {
  initialized = 0;
  destroyed = 0;
  async initialize(): Promise<void> {
    this.initialized++;
  }
  async destroy(): Promise<void> {
    this.destroyed++;
  }
  async deliver(event: number): Promise<unknown[]> {
    const results: unknown[] = [];
    for (const { classConfig, methodConfig, methodReg } of DBOS.getAssociatedInfo(this)) {
      const args = [(classConfig as ClassInfo).classValue, (methodConfig as MethodInfo).methodValue, event];
      results.push(await DBOS.withAuthedContext('receiver', ['events'], () => methodReg.invoke(undefined, args) as Promise<unknown>));
    }
    return results;
  }
}

const receiver = new TestReceiver();
const otherReceiver = new TestReceiver();
DBOS.registerLifecycleCallback(receiver);

const handled: string[] = [];
const className = 'EventReceiverTests';
const onEvent = DBOS.registerWorkflow(
  async (classValue: string, methodValue: string, event: number) => {
    handled.push(`${DBOS.workflowID}:${DBOS.authenticatedUser}`);
    return `${classValue}/${methodValue}/${event}`;
  },
  { name: 'onEvent', className },
);
const classInfo = DBOS.associateClassWithInfo(receiver, className) as ClassInfo;
classInfo.classValue = 'class-config';
const association = DBOS.associateFunctionWithInfo(receiver, onEvent, { className, name: 'onEvent' });
(association.regInfo as MethodInfo).methodValue = 'method-config';

// Associated first, registered as a workflow afterwards (a receiver's decorator below @DBOS.workflow).
async function lateBody(classValue: string, methodValue: string, event: number): Promise<string> {
  return `late:${classValue}/${methodValue}/${event * 10}`;
}
const lateInfo = DBOS.associateFunctionWithInfo(receiver, lateBody, { className, name: 'lateBody' }).regInfo as MethodInfo;
lateInfo.methodValue = 'late-config';
DBOS.registerWorkflow(lateBody, { name: 'lateBody', className });

const pollerQueue = new WorkflowQueue('event-receivers.poller');
registerPollerQueue(pollerQueue.name);
const internalQueue = registerInternalQueue('event-receivers.internal', { partitionQueue: true, concurrency: 2 });
const polled = DBOS.registerWorkflow(async (value: number) => value * 2, { name: 'event-receivers.polled' });

const legacy = await importLegacyDecoratorFixture<{
  legacyReceiver: object;
  LegacyConsumers: { seen: string[] };
}>('legacy-event-receiver.ts');

forEachBackend('event receivers', (backend) => {
  afterEach(async () => {
    await DBOS.shutdown();
  });

  test('info attached to a class and its workflows is found again, with the registration to invoke', async () => {
    await launch(backend);
    // The same info objects come back on a second association.
    assert.equal(DBOS.associateClassWithInfo(receiver, className), classInfo);
    assert.equal(DBOS.associateFunctionWithInfo(receiver, onEvent, { className, name: 'onEvent' }).regInfo, association.regInfo);
    assert.equal(association.registration.name, 'onEvent');
    assert.equal(association.registration.className, className);

    const found = DBOS.getAssociatedInfo(receiver);
    assert.deepEqual(found.map((entry) => entry.methodReg.name).sort(), ['lateBody', 'onEvent']);
    for (const entry of found) {
      assert.ok(entry.methodReg.workflowConfig, `${entry.methodReg.name} is a workflow`);
      assert.equal(entry.methodReg.className, className);
      assert.equal(typeof entry.methodReg.registeredFunction, 'function');
    }
    assert.deepEqual(DBOS.getAssociatedInfo(receiver, className, 'onEvent').map((entry) => entry.methodConfig), [
      { methodValue: 'method-config' },
    ]);
    assert.equal(DBOS.getAssociatedInfo(receiver, className, 'missing').length, 0);
    assert.equal(DBOS.getAssociatedInfo(receiver, 'OtherClass').length, 0);
    assert.equal(DBOS.getAssociatedInfo(otherReceiver).length, 0);

    handled.length = 0;
    const results = await receiver.deliver(3);
    assert.deepEqual(results.sort(), ['class-config/method-config/3', 'late:class-config/late-config/30']);
    assert.equal(handled.length, 1);
    const [workflowID, user] = handled[0]!.split(':');
    assert.equal(user, 'receiver');
    const status = await DBOS.getWorkflowStatus(workflowID!);
    assert.equal(status?.workflowName, 'onEvent');
    assert.equal(status?.authenticatedUser, 'receiver');
  });

  test('a receiver written with legacy decorators finds its workflows, above or below @DBOS.workflow, or by class', async () => {
    await launch(backend);
    const found = DBOS.getAssociatedInfo(legacy.legacyReceiver);
    assert.deepEqual(found.map((entry) => entry.methodReg.name).sort(), ['above', 'below', 'classOnly']);
    assert.equal(DBOS.getAssociatedInfo(legacy.legacyReceiver, legacy.LegacyConsumers, 'below').length, 1);
    assert.equal(DBOS.getAssociatedInfo(legacy.legacyReceiver, 'LegacyConsumers').length, 3);
    legacy.LegacyConsumers.seen.length = 0;
    const results: unknown[] = [];
    for (const { classConfig, methodConfig, methodReg } of found) {
      assert.ok(methodReg.workflowConfig, `${methodReg.name} is a workflow`);
      assert.equal(methodReg.className, 'LegacyConsumers');
      const { topic } = classConfig as { topic: string };
      const filter = (methodConfig as { filter?: string } | undefined)?.filter;
      results.push(await methodReg.invoke(legacy.LegacyConsumers, [topic, filter, 7]));
    }
    assert.deepEqual(results.sort(), ['orders/-/7', 'orders/above/7', 'orders/below/7']);
    assert.deepEqual(legacy.LegacyConsumers.seen.sort(), ['above:true', 'below:true', 'classOnly:true']);
  });

  test('event dispatch state is versioned: a newer update wins, an older one is ignored', async () => {
    await launch(backend);
    const key = { service: 'test-receiver', workflowFnName: `${className}.onEvent`, key: `offset-${randomUUID()}` };
    assert.equal(await DBOS.getEventDispatchState(key.service, key.workflowFnName, key.key), undefined);
    const first = await DBOS.upsertEventDispatchState({ ...key, value: '10', updateSeq: 10n, updateTime: 1000 });
    assert.equal(first.value, '10');
    assert.equal(first.updateSeq, 10n);
    const stale = await DBOS.upsertEventDispatchState({ ...key, value: '5', updateSeq: 5n, updateTime: 500 });
    assert.equal(stale.value, '10');
    await DBOS.upsertEventDispatchState({ ...key, value: '20', updateSeq: 20n, updateTime: 2000 });
    const read = await DBOS.getEventDispatchState(key.service, key.workflowFnName, key.key);
    assert.equal(read?.value, '20');
    assert.equal(read?.updateSeq, 20n);
    assert.equal(read?.updateTime, 2000);
  });

  test('a poller queue is dispatched even when listenQueues names only other queues; internal queues are found', async () => {
    await launch(backend, { listenQueues: ['some-other-queue'] });
    const handle = await DBOS.startWorkflow(polled, { queueName: pollerQueue.name })(21);
    assert.equal(await handle.getResult(), 42);
    assert.equal(await getQueue(pollerQueue.name), pollerQueue);
    assert.equal(await getQueue(internalQueue.name), internalQueue);
    assert.equal(await getQueue(`no-such-queue-${randomUUID()}`), null);
    assert.equal(isPartitionedQueue(internalQueue), true);
    assert.equal(isPartitionedQueue(pollerQueue), false);
    assert.equal(internalQueue.concurrency, 2);
  });

  test('deactivateEventReceivers destroys the lifecycle callbacks once, before shutdown', async () => {
    await launch(backend);
    const destroyed = receiver.destroyed;
    assert.ok(receiver.initialized > 0);
    await DBOS.deactivateEventReceivers();
    assert.equal(receiver.destroyed, destroyed + 1);
    await DBOS.shutdown();
    assert.equal(receiver.destroyed, destroyed + 1);
  });
});
