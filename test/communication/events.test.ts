/**
 * Events: setEvent replaces a key's value; getEvent waits for a value set
 * later, or returns null after its timeout; getEvent inside a workflow is
 * recorded, so a replay sees the value it saw the first time even if the
 * publisher changed it since; and every setEvent stays in the history, by
 * function ID (read with raw SQL: no public API shows it).
 */
import assert from 'node:assert/strict';
import { afterEach, test } from 'node:test';
import { DBOS, DBOSInvalidWorkflowTransitionError } from '../../src/index.ts';
import { deserializeValue } from '../../src/engine/serialization.ts';
import { forEachBackend } from '../helpers/backends.ts';
import { crashAndRelaunch, launch, stepOutcomes } from '../helpers/lifecycle.ts';
import { Gate, rawSql, recordedOutput, waitForRecorded } from './fixtures/comm-support.ts';

const setThrice = DBOS.registerWorkflow(async () => {
  await DBOS.setEvent('progress', 'started');
  await DBOS.setEvent('other', { unrelated: true });
  await DBOS.setEvent('progress', 'halfway');
  await DBOS.setEvent('progress', 'done');
  return 'published';
}, { name: 'events.setThrice' });

/** Sets `value` once told to go (so a reader can start waiting first). */
const setWhenTold = DBOS.registerWorkflow(async (key: string, value: string) => {
  await DBOS.recv('go', 30);
  await DBOS.setEvent(key, value);
}, { name: 'events.setWhenTold' });

/** Publishes 'old', then 'new' once told to. */
const changesItsMind = DBOS.registerWorkflow(async () => {
  await DBOS.setEvent('answer', 'old');
  await DBOS.recv('change', 30);
  await DBOS.setEvent('answer', 'new');
}, { name: 'events.changesItsMind' });

const readerGate = new Gate();
let readerRuns = 0;
const readsThenBlocks = DBOS.registerWorkflow(async (publisherID: string) => {
  readerRuns++;
  const seen = await DBOS.getEvent<string>(publisherID, 'answer', 30);
  await readerGate.pass();
  return seen;
}, { name: 'events.readsThenBlocks' });

const getEventInWorkflow = DBOS.registerWorkflow(async (publisherID: string, key: string, seconds: number) => {
  return DBOS.getEvent<string>(publisherID, key, seconds);
}, { name: 'events.getEventInWorkflow' });

const setEventInStep = DBOS.registerStep(async () => DBOS.setEvent('from-step', 1), { name: 'events.setEventInStep' });
const callsSetEventInStep = DBOS.registerWorkflow(async () => {
  try {
    await setEventInStep();
    return 'no error';
  } catch (error) {
    return error instanceof DBOSInvalidWorkflowTransitionError;
  }
}, { name: 'events.callsSetEventInStep' });

forEachBackend('events', (backend) => {
  afterEach(() => DBOS.shutdown());

  test('setting a key again replaces its value; other keys keep theirs', async () => {
    await launch(backend);
    const handle = await DBOS.startWorkflow(setThrice)();
    await handle.getResult();
    assert.equal(await DBOS.getEvent(handle.workflowID, 'progress', 1), 'done');
    assert.deepEqual(await DBOS.getEvent(handle.workflowID, 'other', 1), { unrelated: true });
  });

  test('getEvent waits for a value set later, from outside and from a workflow', async () => {
    await launch(backend);
    const publisher = await DBOS.startWorkflow(setWhenTold)('ready', 'yes');
    const outside = DBOS.getEvent<string>(publisher.workflowID, 'ready', 30);
    const inside = await DBOS.startWorkflow(getEventInWorkflow)(publisher.workflowID, 'ready', 30);
    await waitForRecorded(inside.workflowID, 1, 'DBOS.sleep'); // the reader is waiting
    await DBOS.send(publisher.workflowID, 'now', 'go');
    assert.equal(await outside, 'yes');
    assert.equal(await inside.getResult(), 'yes');
  });

  test('getEvent returns null after its timeout, from outside and from a workflow (recorded as null)', async () => {
    await launch(backend);
    const publisher = await DBOS.startWorkflow(setThrice)();
    await publisher.getResult();
    assert.equal(await DBOS.getEvent(publisher.workflowID, 'never-set', 0.2), null);
    assert.equal(await DBOS.getEvent('no-such-workflow', 'progress', 0.2), null);
    const inside = await DBOS.startWorkflow(getEventInWorkflow)(publisher.workflowID, 'never-set', 0.2);
    assert.equal(await inside.getResult(), null);
    const steps = await stepOutcomes(inside.workflowID);
    assert.deepEqual(steps.map((s) => [s.functionID, s.functionName]), [[0, 'DBOS.getEvent'], [1, 'DBOS.sleep']]);
    assert.equal(recordedOutput(steps[0]), null);
  });

  test('getEvent inside a workflow is recorded: after a crash, replay returns the value seen before, not the new one', async () => {
    const config = await launch(backend);
    readerGate.reset();
    readerRuns = 0;
    const publisher = await DBOS.startWorkflow(changesItsMind)();
    const reader = await DBOS.startWorkflow(readsThenBlocks)(publisher.workflowID);
    await readerGate.reached();
    assert.equal(recordedOutput(await waitForRecorded(reader.workflowID, 0, 'DBOS.getEvent')), 'old');

    await DBOS.send(publisher.workflowID, 'please', 'change');
    await publisher.getResult();
    assert.equal(await DBOS.getEvent(publisher.workflowID, 'answer', 1), 'new');

    readerGate.reset();
    await crashAndRelaunch(config);
    readerGate.open();
    assert.equal(await DBOS.retrieveWorkflow(reader.workflowID).getResult(), 'old');
    assert.equal(readerRuns, 2, 'the reader ran again after the relaunch (replaying its getEvent)');
    assert.equal(await DBOS.getEvent(publisher.workflowID, 'answer', 1), 'new');
  });

  test('the history keeps every value set, by the function ID that set it', async () => {
    const config = await launch(backend);
    const handle = await DBOS.startWorkflow(setThrice)();
    await handle.getResult();
    const rows = await rawSql(
      config,
      'SELECT function_id, key, value, serialization FROM workflow_events_history WHERE workflow_uuid = $1 ORDER BY function_id',
      [handle.workflowID],
    );
    assert.deepEqual(
      rows.map((r) => [Number(r.function_id), r.key, deserializeValue(r.value as string, r.serialization as string | null)]),
      [[0, 'progress', 'started'], [1, 'other', { unrelated: true }], [2, 'progress', 'halfway'], [3, 'progress', 'done']],
    );
    const latest = await rawSql(config, 'SELECT key FROM workflow_events WHERE workflow_uuid = $1 ORDER BY key', [handle.workflowID]);
    assert.deepEqual(latest.map((r) => r.key), ['other', 'progress']);
    const steps = await stepOutcomes(handle.workflowID);
    assert.deepEqual(steps.map((s) => s.functionName), ['DBOS.setEvent', 'DBOS.setEvent', 'DBOS.setEvent', 'DBOS.setEvent']);
  });

  test('setEvent outside a workflow or inside a step fails with DBOSInvalidWorkflowTransitionError', async () => {
    await launch(backend);
    await assert.rejects(DBOS.setEvent('k', 'v'), DBOSInvalidWorkflowTransitionError);
    assert.equal(await (await DBOS.startWorkflow(callsSetEventInStep)()).getResult(), true);
  });
});
