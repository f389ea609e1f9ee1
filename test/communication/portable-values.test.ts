/**
 * The format of messages, events and stream values: `serializationType: 'portable'` stores plain JSON (read
 * straight from the row here), portable workflows default to it, 'native' overrides that; a class with a
 * registered recipe round-trips natively through all three.
 */
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { afterEach, test } from 'node:test';
import { DBOS, DBOSConfigurationError, type DBOSConfig } from '../../src/index.ts';
import { forEachBackend } from '../helpers/backends.ts';
import { launch } from '../helpers/lifecycle.ts';
import { rawRows } from '../helpers/raw-rows.ts';

class Money {
  constructor(readonly cents: number, readonly currency: string) {}
  toString(): string {
    return `${this.cents / 100} ${this.currency}`;
  }
}
DBOS.registerSerialization<Money, [number, string]>({
  name: 'test.Money',
  isApplicable: (value): value is Money => value instanceof Money,
  serialize: (money) => [money.cents, money.currency],
  deserialize: ([cents, currency]) => new Money(cents, currency),
});

const when = new Date('2024-01-02T03:04:05.000Z');
const receiver = DBOS.registerWorkflow(async () => [await DBOS.recv<unknown>('t', 30), await DBOS.recv<unknown>('t', 30)], {
  name: 'portableValues.receiver',
});
const portablePublisher = DBOS.registerWorkflow(async (destinationID: string) => {
  await DBOS.setEvent('default', { at: when });
  await DBOS.setEvent('native', { at: when }, { serializationType: 'native' });
  await DBOS.writeStream('s', { at: when });
  await DBOS.writeStream('s', { at: when }, { serializationType: 'native' });
  await DBOS.closeStream('s');
  await DBOS.send(destinationID, { at: when }, 't');
  await DBOS.send(destinationID, { at: when }, 't', undefined, { serializationType: 'native' });
}, { name: 'portableValues.portablePublisher', serialization: 'portable' });
const nativePublisher = DBOS.registerWorkflow(async () => {
  await DBOS.setEvent('portable', { at: when }, { serializationType: 'portable' });
  await DBOS.setEvent('money', new Money(250, 'EUR'));
  await DBOS.writeStream('s', new Money(100, 'EUR'));
  await DBOS.writeStream('s', { at: when }, { serializationType: 'portable' });
  await DBOS.closeStream('s');
}, { name: 'portableValues.nativePublisher' });

async function formatsOf(config: DBOSConfig, table: string, where: string, id: string) {
  const rows = await rawRows(config, table, where, [id]);
  return rows.map((row) => row.serialization);
}

async function readAll(workflowID: string, key: string): Promise<unknown[]> {
  const values: unknown[] = [];
  for await (const value of DBOS.readStream(workflowID, key)) values.push(value);
  return values;
}

forEachBackend('portable values', (backend) => {
  afterEach(async () => {
    await DBOS.shutdown();
  });

  test('a portable send from outside is plain JSON in the row and arrives as plain JSON', async () => {
    const config = await launch(backend);
    const receiverID = `receiver-${randomUUID()}`;
    const handle = await DBOS.startWorkflow(receiver, { workflowID: receiverID })();
    await DBOS.send(receiverID, { at: when, n: 1n }, 't', undefined, { serializationType: 'portable' });
    await DBOS.send(receiverID, { at: when }, 't');
    const [row] = await rawRows(config, 'notifications', "destination_uuid = ? AND serialization = 'portable_json'", [receiverID]);
    assert.deepEqual(JSON.parse(String(row?.message)), { at: when.toISOString(), n: '1' });
    assert.deepEqual(await handle.getResult(), [{ at: when.toISOString(), n: '1' }, { at: when }]);
  });

  test('a portable workflow sends, publishes and streams portable JSON unless told native', async () => {
    const config = await launch(backend);
    const receiverID = `receiver-${randomUUID()}`;
    const publisherID = `publisher-${randomUUID()}`;
    const received = await DBOS.startWorkflow(receiver, { workflowID: receiverID })();
    await (await DBOS.startWorkflow(portablePublisher, { workflowID: publisherID })(receiverID)).getResult();
    const iso = when.toISOString();

    const events = await rawRows(config, 'workflow_events', 'workflow_uuid = ? ORDER BY key', [publisherID]);
    assert.deepEqual(events.map((e) => [e.key, e.serialization]), [['default', 'portable_json'], ['native', 'js_superjson']]);
    assert.deepEqual(JSON.parse(String(events[0]?.value)), { at: iso });
    assert.deepEqual(await DBOS.getEvent(publisherID, 'default'), { at: iso });
    assert.deepEqual(await DBOS.getEvent(publisherID, 'native'), { at: when });

    const stream = await rawRows(config, 'streams', 'workflow_uuid = ? ORDER BY "offset"', [publisherID]);
    assert.deepEqual(stream.map((s) => s.serialization), ['portable_json', 'js_superjson', 'portable_json']);
    assert.deepEqual(JSON.parse(String(stream[0]?.value)), { at: iso });
    assert.deepEqual(await readAll(publisherID, 's'), [{ at: iso }, { at: when }]);

    assert.deepEqual(await formatsOf(config, 'notifications', 'destination_uuid = ? ORDER BY created_at_epoch_ms', receiverID), [
      'portable_json',
      'js_superjson',
    ]);
    assert.deepEqual(await received.getResult(), [{ at: iso }, { at: when }]);
  });

  test('a native workflow stores portable values where asked, and recipe classes natively', async () => {
    const config = await launch(backend);
    const publisherID = `publisher-${randomUUID()}`;
    await (await DBOS.startWorkflow(nativePublisher, { workflowID: publisherID })()).getResult();
    assert.deepEqual(await formatsOf(config, 'workflow_events', 'workflow_uuid = ? ORDER BY key', publisherID), [
      'js_superjson',
      'portable_json',
    ]);
    assert.deepEqual(await DBOS.getEvent(publisherID, 'portable'), { at: when.toISOString() });
    const money = await DBOS.getEvent<Money>(publisherID, 'money');
    assert.ok(money instanceof Money);
    assert.equal(money.toString(), '2.5 EUR');
    const [first, second] = await readAll(publisherID, 's');
    assert.ok(first instanceof Money);
    assert.equal(first.cents, 100);
    assert.deepEqual(second, { at: when.toISOString() });
  });

  test('a recipe class round-trips through a message, and an unknown serializationType is refused', async () => {
    await launch(backend);
    const receiverID = `receiver-${randomUUID()}`;
    const handle = await DBOS.startWorkflow(receiver, { workflowID: receiverID })();
    await assert.rejects(
      DBOS.send(receiverID, 1, 't', undefined, { serializationType: 'xml' as 'portable' }),
      (error: unknown) => error instanceof DBOSConfigurationError && /serializationType.*"xml"/.test(error.message),
    );
    await DBOS.send(receiverID, new Money(1, 'USD'), 't');
    await DBOS.send(receiverID, { wallet: [new Money(2, 'USD')] }, 't');
    const [single, nested] = (await handle.getResult()) as [Money, { wallet: Money[] }];
    assert.ok(single instanceof Money && nested.wallet[0] instanceof Money);
    assert.equal(nested.wallet[0].cents, 2);
  });
});
