/**
 * examples/hono-orders runs as its README says and answers both routes: run as
 * a child process (nothing imported from it) on the embedded SQLite default,
 * its database file pointed into the test's temp folder, on a free port.
 */
import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { rmSync } from 'node:fs';
import { join } from 'node:path';
import { after, test } from 'node:test';
import { testTempDir } from '../helpers/backends.ts';
import { childExecArgv } from '../processes/child-process.ts';

const root = join(import.meta.dirname, '..', '..');
const database = join(testTempDir, `hono-orders-${randomUUID()}.sqlite`);
let server: ChildProcess | undefined;

after(() => {
  server?.kill('SIGKILL');
  for (const suffix of ['', '-wal', '-shm']) rmSync(`${database}${suffix}`, { force: true });
});

function startExample(): Promise<string> {
  const env: NodeJS.ProcessEnv = { ...process.env, PORT: '0', DBOS_SYSTEM_DATABASE_URL: database, CHARGE_DELAY_MS: '200' };
  delete env.NODE_TEST_CONTEXT;
  server = spawn(process.execPath, [...childExecArgv(), join(root, 'examples', 'hono-orders', 'main.ts')], { cwd: root, env });
  let output = '';
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`the example did not start in 20 s:\n${output}`)), 20_000);
    const read = (chunk: Buffer) => {
      output += chunk.toString();
      const match = output.match(/listening on (http:\/\/127\.0\.0\.1:\d+)/);
      if (match) {
        clearTimeout(timer);
        resolve(match[1]!);
      }
    };
    server!.stdout!.on('data', read);
    server!.stderr!.on('data', read);
    server!.on('exit', (code, signal) => reject(new Error(`the example exited (${code ?? signal}):\n${output}`)));
  });
}

async function orderStatus(url: string, orderID: string): Promise<{ status: string; receipt: unknown }> {
  for (let attempt = 0; attempt < 100; attempt++) {
    const response = await fetch(`${url}/orders/${orderID}`);
    assert.equal(response.status, 200);
    const body = (await response.json()) as { status: string; receipt: unknown };
    if (body.status !== 'PENDING' && body.status !== 'ENQUEUED') return body;
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  throw new Error(`order ${orderID} did not finish`);
}

test('examples/hono-orders: POST /orders starts an order once per idempotency key; GET /orders/:id reads it', { timeout: 60_000 }, async () => {
  const url = await startExample();
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

  assert.deepEqual(await orderStatus(url, 'order-42'), {
    orderID: 'order-42',
    status: 'SUCCESS',
    receipt: { orderID: 'order-42', reservation: 'reserved 2 x book', charge: 'charged 10 EUR' },
  });
  const missing = await fetch(`${url}/orders/no-such-order`);
  assert.equal(missing.status, 404);
  assert.equal(((await missing.json()) as { dbos_error: string }).dbos_error, 'DBOSNonExistentWorkflowError');
  const invalid = await fetch(`${url}/orders`, { method: 'POST', body: 'not json' });
  assert.equal(invalid.status, 400);

  const exited = new Promise<number | null>((resolve) => server!.once('exit', (code) => resolve(code)));
  server!.kill('SIGTERM');
  assert.equal(await exited, 0, 'SIGTERM closes the server and shuts durably down');
});
