/**
 * Values cross messages, events and streams through the same serializer as
 * workflow inputs: Dates, Maps, Sets, BigInts, nested structures and
 * undefined fields come back as they went in, and a workflow sees the same
 * value on its first run as on replay.
 */
import assert from 'node:assert/strict';
import { afterEach, test } from 'node:test';
import { DBOS } from '../../src/index.ts';
import { forEachBackend } from '../helpers/backends.ts';
import { launch } from '../helpers/lifecycle.ts';

function richValue() {
  return {
    when: new Date('2024-02-29T12:34:56.789Z'),
    amounts: new Map<string, bigint>([['small', 1n], ['huge', 123_456_789_012_345_678_901_234_567_890n]]),
    byNumber: new Map<number, { tags: Set<string>; at: Date[] }>([
      [1, { tags: new Set(['a', 'b']), at: [new Date(0)] }],
      [2, { tags: new Set(), at: [] }],
    ]),
    nested: { deeper: { deepest: [1, 'two', { three: 3n }, null, [new Date('2000-01-01T00:00:00Z')]] } },
    text: 'é ✓ 🚀 "quoted" \\ back',
    missing: undefined,
    negativeZeroish: -1.5,
  };
}

/** Receives one message and checks its types here, in workflow code. */
const receiveRich = DBOS.registerWorkflow(async () => {
  const value = await DBOS.recv<ReturnType<typeof richValue>>('rich', 30);
  return {
    value,
    typesSeenInWorkflow: value && {
      when: value.when instanceof Date,
      amounts: value.amounts instanceof Map && typeof value.amounts.get('huge'),
      tags: value.byNumber.get(1)?.tags instanceof Set,
    },
  };
}, { name: 'roundTrip.receiveRich' });

const publishRich = DBOS.registerWorkflow(async (value: ReturnType<typeof richValue>) => {
  await DBOS.setEvent('rich', value);
  await DBOS.writeStream('rich', value);
  await DBOS.writeStream('rich', [value.when, value.amounts]);
  await DBOS.writeStream('rich', 42n);
  await DBOS.closeStream('rich');
}, { name: 'roundTrip.publishRich' });

/** Sends a rich value from workflow code to another workflow. */
const sendRich = DBOS.registerWorkflow(async (destinationID: string, value: ReturnType<typeof richValue>) => {
  await DBOS.send(destinationID, value, 'rich');
}, { name: 'roundTrip.sendRich' });

/** Reads the publisher's event from workflow code (a recorded getEvent). */
const readRichEvent = DBOS.registerWorkflow(async (publisherID: string) => {
  return DBOS.getEvent<ReturnType<typeof richValue>>(publisherID, 'rich', 30);
}, { name: 'roundTrip.readRichEvent' });

forEachBackend('values round-trip through messages, events and streams', (backend) => {
  afterEach(() => DBOS.shutdown());

  test('a message from outside arrives with its Dates, Maps, Sets, BigInts and nesting', async () => {
    await launch(backend);
    const handle = await DBOS.startWorkflow(receiveRich)();
    await DBOS.send(handle.workflowID, richValue(), 'rich');
    const result = await handle.getResult();
    assert.deepEqual(result.value, richValue());
    assert.deepEqual(result.typesSeenInWorkflow, { when: true, amounts: 'bigint', tags: true });
  });

  test('a message from a workflow arrives the same', async () => {
    await launch(backend);
    const receiver = await DBOS.startWorkflow(receiveRich)();
    await (await DBOS.startWorkflow(sendRich)(receiver.workflowID, richValue())).getResult();
    assert.deepEqual((await receiver.getResult()).value, richValue());
  });

  test('an event and stream values arrive the same, read from outside and from a workflow', async () => {
    await launch(backend);
    const publisher = await DBOS.startWorkflow(publishRich)(richValue());
    await publisher.getResult();
    assert.deepEqual(await DBOS.getEvent(publisher.workflowID, 'rich', 5), richValue());
    const fromWorkflow = await DBOS.startWorkflow(readRichEvent)(publisher.workflowID);
    assert.deepEqual(await fromWorkflow.getResult(), richValue());

    const streamed: unknown[] = [];
    for await (const value of DBOS.readStream(publisher.workflowID, 'rich')) streamed.push(value);
    const expected = richValue();
    assert.deepEqual(streamed, [expected, [expected.when, expected.amounts], 42n]);
  });
});
