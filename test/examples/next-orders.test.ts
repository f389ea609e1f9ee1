/**
 * examples/next-orders, run as its README says (`next dev examples/next-orders`)
 * in a child process, on the embedded SQLite default in a fresh working
 * directory: POST /orders starts an order (once per idempotency key), GET
 * /orders/:id reads its status and result. Nothing of the example is imported.
 */
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, test } from 'node:test';
import { testTempDir } from '../helpers/backends.ts';
import { startNextDev, stopNextDevServers } from '../adapters/next-dev-server.ts';

const exampleDir = join(import.meta.dirname, '..', '..', 'examples', 'next-orders');
let workDir = '';

afterEach(async () => {
  await stopNextDevServers();
  rmSync(workDir, { recursive: true, force: true });
});

test('examples/next-orders: POST /orders starts an order once per key; GET /orders/:id reads it', { timeout: 120_000 }, async () => {
  workDir = mkdtempSync(join(testTempDir, 'next-orders-'));
  // The embedded default: no database URL from the environment.
  const { url } = await startNextDev(exampleDir, { DBOS_SYSTEM_DATABASE_URL: '' }, workDir);
  const order = () =>
    fetch(`${url}/orders`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'dbos-idempotency-key': 'order-1' },
      body: JSON.stringify({ item: 'teapot', quantity: 2 }),
    });
  const placed = await order();
  assert.equal(placed.status, 202, await placed.clone().text());
  assert.deepEqual(await placed.json(), { orderID: 'order-1' });
  assert.deepEqual(await (await order()).json(), { orderID: 'order-1' }, 'the same key: the same order');

  let status: { status: string; result: { steps: string[] } | null } | undefined;
  for (let attempt = 0; attempt < 100 && status?.status !== 'SUCCESS'; attempt++) {
    if (attempt > 0) await new Promise((resolve) => setTimeout(resolve, 200));
    const response = await fetch(`${url}/orders/order-1`);
    assert.equal(response.status, 200);
    status = (await response.json()) as typeof status;
  }
  assert.equal(status?.status, 'SUCCESS');
  assert.deepEqual(status?.result?.steps, ['reserved 2 x teapot', 'charged 20 EUR', 'shipped']);

  const missing = await fetch(`${url}/orders/no-such-order`);
  assert.equal(missing.status, 404);
  const invalid = await fetch(`${url}/orders`, { method: 'POST', body: '{}' });
  assert.equal(invalid.status, 400);
});
