/**
 * examples/express-orders as a user runs it, on the embedded SQLite default:
 * POST /orders (an idempotency key makes one order), GET /orders/:id until it
 * finished, the order row inserted once by its transaction, a bad body 400,
 * an unknown order 404, SIGTERM a clean exit.
 */
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { existsSync } from 'node:fs';
import { DatabaseSync } from 'node:sqlite';
import { join } from 'node:path';
import { after, test } from 'node:test';
import { cleanUpExamples, startExample, untilFinished } from './example-process.ts';

after(cleanUpExamples);

test('examples/express-orders: an order inserted by a transaction, run by a workflow, read back; on the SQLite default', { timeout: 60_000 }, async () => {
  const example = await startExample('express-orders', { ORDER_STEP_MS: '20' });
  const key = `order-${randomUUID()}`;
  const post = (body: unknown) =>
    fetch(`${example.url}/orders`, { method: 'POST', headers: { 'content-type': 'application/json', 'dbos-idempotency-key': key }, body: JSON.stringify(body) });
  const created = await post({ item: 'book', quantity: 2 });
  assert.equal(created.status, 202);
  assert.deepEqual(await created.json(), { orderID: key });
  assert.deepEqual(await untilFinished(`${example.url}/orders/${key}`), {
    orderID: key,
    status: 'SUCCESS',
    result: { ordersSoFar: 1, charge: `charged for ${key}`, shipment: 'shipped 2 x book' },
  });
  assert.deepEqual(await (await post({ item: 'book', quantity: 2 })).json(), { orderID: key }, 'a retried POST names the same order');

  const bad = await fetch(`${example.url}/orders`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{"item":"x"}' });
  assert.equal(bad.status, 400);
  const unknown = await fetch(`${example.url}/orders/no-such-order`);
  assert.equal(unknown.status, 404);
  assert.equal(((await unknown.json()) as { dbos_error: string }).dbos_error, 'DBOSNonExistentWorkflowError');

  assert.equal(await example.stop(), 0, 'SIGTERM closes the server and shuts durably down');
  assert.ok(existsSync(join(example.directory, 'express-orders.sqlite')), 'the embedded SQLite default');
  const shop = new DatabaseSync(join(example.directory, 'express-orders-app.sqlite'));
  try {
    assert.deepEqual(shop.prepare('SELECT id, item, quantity FROM orders').all().map((row) => ({ ...row })), [{ id: key, item: 'book', quantity: 2 }]);
  } finally {
    shop.close();
  }
});
