/**
 * examples/hono-orders as a user runs it (test/examples/example-process.ts), on
 * the embedded SQLite default: POST /orders once per idempotency key, GET
 * /orders/:id until it finished, errors as JSON, SIGTERM a clean exit.
 */
import assert from 'node:assert/strict';
import { after, test } from 'node:test';
import { cleanUpExamples, startExample, untilFinished } from './example-process.ts';

after(cleanUpExamples);

test('examples/hono-orders: POST /orders starts an order once per idempotency key; GET /orders/:id reads it', { timeout: 60_000 }, async () => {
  const example = await startExample('hono-orders', { CHARGE_DELAY_MS: '200' });
  const url = example.url;
  const post = () =>
    fetch(`${url}/orders`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'dbos-idempotency-key': 'order-42' },
      body: JSON.stringify({ item: 'book', quantity: 2 }),
    });
  const created = await post();
  assert.equal(created.status, 202);
  assert.deepEqual(await created.json(), { orderID: 'order-42' });
  assert.deepEqual(await (await post()).json(), { orderID: 'order-42' }, 'the retried POST gets the same order');

  assert.deepEqual(await untilFinished(`${url}/orders/order-42`), {
    orderID: 'order-42',
    status: 'SUCCESS',
    receipt: { orderID: 'order-42', reservation: 'reserved 2 x book', charge: 'charged 10 EUR' },
  });
  const missing = await fetch(`${url}/orders/no-such-order`);
  assert.equal(missing.status, 404);
  assert.equal(((await missing.json()) as { dbos_error: string }).dbos_error, 'DBOSNonExistentWorkflowError');
  const invalid = await fetch(`${url}/orders`, { method: 'POST', body: 'not json' });
  assert.equal(invalid.status, 400);
  assert.equal(await example.stop(), 0, 'SIGTERM closes the server and shuts durably down');
});
