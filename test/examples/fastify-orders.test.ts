/**
 * examples/fastify-orders as a user runs it (test/examples/example-process.ts):
 * POST /orders and GET /orders/:id on the embedded SQLite default, then
 * SIGTERM, which must close it cleanly.
 */
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { after, test } from 'node:test';
import { cleanUpExamples, startExample, untilFinished } from './example-process.ts';

after(cleanUpExamples);

test('examples/fastify-orders: POST /orders starts an order, GET /orders/:id reads it, on the SQLite default', { timeout: 60_000 }, async () => {
  const example = await startExample('fastify-orders', { ORDER_STEP_MS: '20' });
  const url = example.url;
  const key = `order-${randomUUID()}`;
  const order = { item: 'book', quantity: 2 };
  const post = () =>
    fetch(`${url}/orders`, { method: 'POST', headers: { 'content-type': 'application/json', 'dbos-idempotency-key': key }, body: JSON.stringify(order) });
  const created = await post();
  assert.equal(created.status, 202);
  assert.deepEqual(await created.json(), { orderID: key });
  assert.deepEqual(await untilFinished(`${url}/orders/${key}`), {
    orderID: key,
    status: 'SUCCESS',
    result: { reservation: 'reserved 2 x book', charge: `charged for ${key}`, shipment: `shipped ${key}` },
  });
  assert.deepEqual(await (await post()).json(), { orderID: key }, 'a retried POST names the same order');

  const unknown = await fetch(`${url}/orders/no-such-order`);
  assert.equal(unknown.status, 404);
  assert.equal(((await unknown.json()) as { dbos_error: string }).dbos_error, 'DBOSNonExistentWorkflowError');
  assert.ok(existsSync(join(example.directory, 'fastify-orders.sqlite')), 'the embedded SQLite default');
  assert.equal(await example.stop(), 0, 'SIGTERM closes the app and shuts durably down');
});
