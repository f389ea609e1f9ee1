/**
 * examples/koa-orders, run as its README says (test/examples/example-process.ts)
 * on the embedded SQLite default: POST /orders with an idempotency key starts
 * one order, GET /orders/:id reads its status and then its receipt, SIGTERM
 * shuts it down.
 */
import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { after, test } from 'node:test';
import { cleanUpExamples, startExample, untilFinished } from './example-process.ts';

after(cleanUpExamples);

test('examples/koa-orders: POST /orders starts an order once per key; GET /orders/:id reads its status and receipt', { timeout: 60_000 }, async () => {
  const example = await startExample('koa-orders', { KOA_ORDERS_STEP_MS: '50' });
  const base = example.url;
  const place = () =>
    fetch(`${base}/orders`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'dbos-idempotency-key': 'order-42', 'x-request-id': 'place-1' },
      body: JSON.stringify({ item: 'book', quantity: 2 }),
    });
  const placed = await place();
  assert.equal(placed.status, 202);
  assert.deepEqual(await placed.json(), { orderID: 'order-42' });
  assert.deepEqual(await (await place()).json(), { orderID: 'order-42' }, 'the same key, the same order');

  assert.deepEqual(await untilFinished(`${base}/orders/order-42`), {
    orderID: 'order-42',
    status: 'SUCCESS',
    receipt: { item: 'book', quantity: 2, reservation: 'reserved 2 x book', charge: 'charged 20 EUR', placedByRequest: 'place-1' },
  });
  const missing = await fetch(`${base}/orders/no-such-order`);
  assert.equal(missing.status, 404);
  assert.equal(((await missing.json()) as { dbos_error: string }).dbos_error, 'DBOSNonExistentWorkflowError');
  const invalid = await fetch(`${base}/orders`, { method: 'POST', body: 'not json' });
  assert.equal(invalid.status, 400);
  assert.ok(existsSync(join(example.directory, 'koa-orders.sqlite')), 'the embedded SQLite default, in the working directory');
  assert.equal(await example.stop(), 0, 'SIGTERM shuts it down cleanly');
});
