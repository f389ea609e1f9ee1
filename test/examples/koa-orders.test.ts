/**
 * examples/koa-orders, run as its README says (a child process, nothing
 * imported from it) on the embedded SQLite default in a fresh working
 * directory: POST /orders with an idempotency key starts one order, GET
 * /orders/:id reads its status and then its receipt, SIGTERM shuts it down.
 */
import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { after, test } from 'node:test';
import { testTempDir } from '../helpers/backends.ts';

const example = join(import.meta.dirname, '..', '..', 'examples', 'koa-orders', 'main.ts');
const workDir = mkdtempSync(join(testTempDir, 'koa-orders-'));
let child: ChildProcess | undefined;

after(() => {
  if (child && child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
  rmSync(workDir, { recursive: true, force: true });
});

/** Start the example in workDir (so its default ./koa-orders.sqlite lands there); resolves with its URL. */
function startExample(): Promise<string> {
  const env: NodeJS.ProcessEnv = { ...process.env, PORT: '0', KOA_ORDERS_STEP_MS: '50' };
  delete env.NODE_TEST_CONTEXT;
  delete env.DBOS_SYSTEM_DATABASE_URL;
  // The loader by absolute URL: a bare `--import tsx` would be looked up from workDir.
  child = spawn(process.execPath, ['--import', import.meta.resolve('tsx'), example], { cwd: workDir, env, stdio: ['ignore', 'pipe', 'pipe'] });
  let output = '';
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`the example did not start within 20 s:\n${output}`)), 20_000);
    const read = (chunk: string) => {
      output += chunk;
      const match = output.match(/listening on (http:\/\/\S+)/);
      if (match) {
        clearTimeout(timer);
        resolve(match[1]!);
      }
    };
    child!.stdout!.setEncoding('utf8').on('data', read);
    child!.stderr!.setEncoding('utf8').on('data', read);
    child!.on('exit', (code, signal) => {
      clearTimeout(timer);
      reject(new Error(`the example exited (${code ?? signal}) before listening:\n${output}`));
    });
  });
}

async function waitForFinished(url: string): Promise<Record<string, unknown>> {
  const deadline = Date.now() + 15_000;
  for (;;) {
    const body = (await (await fetch(url)).json()) as Record<string, unknown>;
    if (body.status !== 'PENDING' || Date.now() > deadline) return body;
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

test('examples/koa-orders: POST /orders starts an order once per key; GET /orders/:id reads its status and receipt', { timeout: 60_000 }, async () => {
  const base = await startExample();
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

  const finished = await waitForFinished(`${base}/orders/order-42`);
  assert.deepEqual(finished, {
    orderID: 'order-42',
    status: 'SUCCESS',
    receipt: { item: 'book', quantity: 2, reservation: 'reserved 2 x book', charge: 'charged 20 EUR', placedByRequest: 'place-1' },
  });
  const missing = await fetch(`${base}/orders/no-such-order`);
  assert.equal(missing.status, 404);
  assert.equal(((await missing.json()) as { dbos_error: string }).dbos_error, 'DBOSNonExistentWorkflowError');
  const invalid = await fetch(`${base}/orders`, { method: 'POST', body: 'not json' });
  assert.equal(invalid.status, 400);
  assert.ok(existsSync(join(workDir, 'koa-orders.sqlite')), 'the embedded SQLite default, in the working directory');

  const exited = new Promise<number | null>((resolve) => child!.once('exit', (code) => resolve(code)));
  child!.kill('SIGTERM');
  assert.equal(await exited, 0, 'SIGTERM shuts it down cleanly');
});
