/**
 * Messages in one process: FIFO per topic, separate topics, the default
 * topic, recv timeouts, checkpointed sends from workflows (a replayed send
 * does not send again), idempotent sends from outside, and the typed errors.
 * Assertions are on results and on the notifications rows, never on time.
 */
import assert from 'node:assert/strict';
import { afterEach, test } from 'node:test';
import {
  DBOS,
  DBOSInvalidWorkflowTransitionError,
  DBOSNonExistentWorkflowError,
  type DBOSConfig,
} from '../../src/index.ts';
import { forEachBackend } from '../helpers/backends.ts';
import { crashAndRelaunch, launch, stepOutcomes } from '../helpers/lifecycle.ts';
import { Gate, messagesTo, waitForRecorded } from './fixtures/comm-support.ts';

const collect = DBOS.registerWorkflow(async (plan: [topic: string | null, count: number][]) => {
  const received: Record<string, unknown[]> = {};
  for (const [topic, count] of plan) {
    const name = topic ?? '(default)';
    for (let i = 0; i < count; i++) (received[name] ??= []).push(await DBOS.recv(topic ?? undefined, 30));
  }
  return received;
}, { name: 'messages.collect' });

/** Receives once on `topic`, then once more with a short timeout (null when nothing else was delivered). */
const receiveTwice = DBOS.registerWorkflow(async (topic: string) => {
  const first = await DBOS.recv<string>(topic, 30);
  const second = await DBOS.recv<string>(topic, 0.3);
  return [first, second];
}, { name: 'messages.receiveTwice' });

/** Three recvs on one topic at once: each must take a different message. */
const recvConcurrently = DBOS.registerWorkflow(async () => {
  return Promise.all([DBOS.recv<string>('burst', 30), DBOS.recv<string>('burst', 30), DBOS.recv<string>('burst', 30)]);
}, { name: 'messages.recvConcurrently' });

const recvWithTimeout = DBOS.registerWorkflow(async (seconds: number) => {
  return DBOS.recv<string>('never-sent', seconds);
}, { name: 'messages.recvWithTimeout' });

const senderGate = new Gate();
let senderBodyRuns = 0;
const sendThenBlock = DBOS.registerWorkflow(async (destinationID: string) => {
  senderBodyRuns++;
  await DBOS.send(destinationID, 'hello', 'greetings');
  await senderGate.pass();
  return 'sent';
}, { name: 'messages.sendThenBlock' });

const sendToNowhere = DBOS.registerWorkflow(async () => {
  try {
    await DBOS.send('no-such-workflow', 'lost');
    return 'sent';
  } catch (error) {
    return { isNonExistent: error instanceof DBOSNonExistentWorkflowError, code: (error as { code?: string }).code };
  }
}, { name: 'messages.sendToNowhere' });

const recvInStep = DBOS.registerStep(async () => DBOS.recv('anything', 0.1), { name: 'messages.recvInStep' });
const callsRecvInStep = DBOS.registerWorkflow(async () => {
  try {
    await recvInStep();
    return 'no error';
  } catch (error) {
    return { isInvalidTransition: error instanceof DBOSInvalidWorkflowTransitionError, code: (error as { code?: string }).code };
  }
}, { name: 'messages.callsRecvInStep' });

forEachBackend('messages', (backend) => {
  afterEach(() => DBOS.shutdown());

  test('messages are received in the order sent, per topic; topics are separate; the default topic is its own', async () => {
    await launch(backend);
    const perTopic = 100;
    const handle = await DBOS.startWorkflow(collect)([['alpha', perTopic], ['beta', perTopic], [null, 2]]);
    // Interleaved sends, each awaited: sends from one caller happen in order (several often within one millisecond).
    for (let i = 0; i < perTopic; i++) {
      await DBOS.send(handle.workflowID, `a${i}`, 'alpha');
      await DBOS.send(handle.workflowID, `b${i}`, 'beta');
    }
    await DBOS.send(handle.workflowID, 'd0');
    await DBOS.send(handle.workflowID, 'd1');
    const received = await handle.getResult();
    assert.deepEqual(received, {
      alpha: Array.from({ length: perTopic }, (_, i) => `a${i}`),
      beta: Array.from({ length: perTopic }, (_, i) => `b${i}`),
      '(default)': ['d0', 'd1'],
    });
  });

  test('a recv on one topic does not take a message of another topic or of the default topic', async () => {
    const config = await launch(backend);
    const handle = await DBOS.startWorkflow(receiveTwice)('wanted');
    await DBOS.send(handle.workflowID, 'default-topic message');
    await DBOS.send(handle.workflowID, 'other-topic message', 'other');
    await DBOS.send(handle.workflowID, 'wanted message', 'wanted');
    assert.deepEqual(await handle.getResult(), ['wanted message', null]);
    const rows = await messagesTo(config, handle.workflowID);
    assert.deepEqual(
      rows.map((r) => [r.value, r.consumed]).sort(),
      [['default-topic message', false], ['other-topic message', false], ['wanted message', true]],
    );
  });

  test('concurrent recvs on one topic in one workflow each take a different message', async () => {
    const config = await launch(backend);
    const handle = await DBOS.startWorkflow(recvConcurrently)();
    await Promise.all(['x', 'y', 'z'].map((value) => DBOS.send(handle.workflowID, value, 'burst')));
    assert.deepEqual([...(await handle.getResult())].sort(), ['x', 'y', 'z']);
    assert.deepEqual((await messagesTo(config, handle.workflowID)).map((m) => m.consumed), [true, true, true]);
    const recvs = (await stepOutcomes(handle.workflowID)).filter((s) => s.functionName === 'DBOS.recv');
    assert.equal(recvs.length, 3);
  });

  test('a recv that times out returns null and records null', async () => {
    await launch(backend);
    const handle = await DBOS.startWorkflow(recvWithTimeout)(0.2);
    assert.equal(await handle.getResult(), null);
    const recorded = (await stepOutcomes(handle.workflowID)).map((s) => [s.functionID, s.functionName]);
    assert.deepEqual(recorded, [[0, 'DBOS.recv'], [1, 'DBOS.sleep']]);
    // A message that arrives later is left for a later recv: it is not consumed by the timed-out one.
  });

  test('a send from a workflow is checkpointed: after a crash, the replayed send does not send again', async () => {
    const config: DBOSConfig = await launch(backend);
    senderGate.reset();
    senderBodyRuns = 0;
    const destination = await DBOS.startWorkflow(receiveTwice)('greetings');
    const sender = await DBOS.startWorkflow(sendThenBlock)(destination.workflowID);
    await senderGate.reached();
    await waitForRecorded(sender.workflowID, 0, 'DBOS.send');

    senderGate.reset();
    await crashAndRelaunch(config);
    senderGate.open();
    assert.equal(await DBOS.retrieveWorkflow(sender.workflowID).getResult(), 'sent');
    assert.equal(senderBodyRuns, 2, 'the sender body ran again after the relaunch (and replayed its send)');
    assert.deepEqual(await DBOS.retrieveWorkflow(destination.workflowID).getResult(), ['hello', null]);
    const rows = await messagesTo(config, destination.workflowID);
    assert.deepEqual(rows.map((r) => [r.topic, r.value, r.consumed]), [['greetings', 'hello', true]]);
  });

  test('a send from outside with an idempotency key is delivered once, even if sent three times', async () => {
    const config = await launch(backend);
    const handle = await DBOS.startWorkflow(receiveTwice)('orders');
    for (let i = 0; i < 3; i++) await DBOS.send(handle.workflowID, 'pay order 7', 'orders', 'payment-7');
    assert.deepEqual(await handle.getResult(), ['pay order 7', null]);
    const rows = await messagesTo(config, handle.workflowID);
    assert.equal(rows.length, 1);
    assert.equal(rows[0]!.consumed, true);
  });

  test('the same idempotency key sent to two workflows is delivered to each', async () => {
    await launch(backend);
    const first = await DBOS.startWorkflow(receiveTwice)('t');
    const second = await DBOS.startWorkflow(receiveTwice)('t');
    await DBOS.send(first.workflowID, 'x', 't', 'shared-key');
    await DBOS.send(second.workflowID, 'x', 't', 'shared-key');
    assert.deepEqual(await first.getResult(), ['x', null]);
    assert.deepEqual(await second.getResult(), ['x', null]);
  });

  test('a send to a workflow that does not exist fails with DBOSNonExistentWorkflowError, from outside or inside', async () => {
    const config = await launch(backend);
    await assert.rejects(DBOS.send('no-such-workflow', 'lost', 'topic'), (error: unknown) => {
      assert.ok(error instanceof DBOSNonExistentWorkflowError);
      assert.equal(error.code, 'WORKFLOW_NOT_FOUND');
      assert.equal(error.workflowID, 'no-such-workflow');
      return true;
    });
    await assert.rejects(DBOS.send('no-such-workflow', 'lost', undefined, 'key-1'), DBOSNonExistentWorkflowError);
    const handle = await DBOS.startWorkflow(sendToNowhere)();
    assert.deepEqual(await handle.getResult(), { isNonExistent: true, code: 'WORKFLOW_NOT_FOUND' });
    assert.deepEqual(await messagesTo(config, 'no-such-workflow'), []);
  });

  test('recv outside a workflow or inside a step fails with DBOSInvalidWorkflowTransitionError', async () => {
    await launch(backend);
    await assert.rejects(DBOS.recv('topic', 0.1), DBOSInvalidWorkflowTransitionError);
    await assert.rejects(DBOS.recv(), { code: 'INVALID_CONTEXT' });
    const handle = await DBOS.startWorkflow(callsRecvInStep)();
    assert.deepEqual(await handle.getResult(), { isInvalidTransition: true, code: 'INVALID_CONTEXT' });
  });
});
