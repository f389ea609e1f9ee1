/**
 * examples/fastify-orders as a user runs it: a child process started in an
 * empty directory (so on the embedded SQLite default, ./fastify-orders.sqlite),
 * real HTTP to its POST /orders and GET /orders/:id, then SIGTERM, which must
 * close it cleanly. Nothing is imported from the example.
 */
import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { existsSync, mkdirSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, test } from 'node:test';
import { testTempDir } from '../helpers/backends.ts';

const mainPath = join(import.meta.dirname, '..', '..', 'examples', 'fastify-orders', 'main.ts');
// An absolute loader path: the child's working directory has no node_modules.
const tsxLoader = import.meta.resolve('tsx');

let child: ChildProcess | undefined;
let directory = '';
afterEach(() => {
  child?.kill('SIGKILL');
  child = undefined;
  rmSync(directory, { recursive: true, force: true });
});

function startExample(): Promise<string> {
  directory = join(testTempDir, `fastify-orders-${randomUUID()}`);
  mkdirSync(directory);
  const env: NodeJS.ProcessEnv = { ...process.env, PORT: '0', ORDER_STEP_MS: '20' };
  delete env.NODE_TEST_CONTEXT;
  delete env.DBOS_SYSTEM_DATABASE_URL;
  child = spawn(process.execPath, ['--import', tsxLoader, mainPath], { cwd: directory, env, stdio: ['ignore', 'pipe', 'pipe'] });
  let output = '';
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`the example did not start in 20 s:\n${output}`)), 20_000);
    const onData = (chunk: string) => {
      output += chunk;
      const match = output.match(/listening on (http:\/\/\S+)/);
      if (match) {
        clearTimeout(timer);
        resolve(match[1]!);
      }
    };
    child!.stdout!.setEncoding('utf8').on('data', onData);
    child!.stderr!.setEncoding('utf8').on('data', onData);
    child!.on('exit', (code, signal) => {
      clearTimeout(timer);
      reject(new Error(`the example exited (${code ?? signal}):\n${output}`));
    });
  });
}

async function finishedOrder(url: string, orderID: string): Promise<Record<string, unknown>> {
  const deadline = Date.now() + 10_000;
  for (;;) {
    const body = (await (await fetch(`${url}/orders/${orderID}`)).json()) as Record<string, unknown>;
    if (body.status !== 'PENDING' || Date.now() > deadline) return body;
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

test('examples/fastify-orders: POST /orders starts an order, GET /orders/:id reads it, on the SQLite default', { timeout: 60_000 }, async () => {
  const url = await startExample();
  const key = `order-${randomUUID()}`;
  const order = { item: 'book', quantity: 2 };
  const post = () =>
    fetch(`${url}/orders`, { method: 'POST', headers: { 'content-type': 'application/json', 'dbos-idempotency-key': key }, body: JSON.stringify(order) });
  const created = await post();
  assert.equal(created.status, 202);
  assert.deepEqual(await created.json(), { orderID: key });
  assert.deepEqual(await finishedOrder(url, key), {
    orderID: key,
    status: 'SUCCESS',
    result: { reservation: 'reserved 2 x book', charge: `charged for ${key}`, shipment: `shipped ${key}` },
  });
  assert.deepEqual(await (await post()).json(), { orderID: key }, 'a retried POST names the same order');

  const unknown = await fetch(`${url}/orders/no-such-order`);
  assert.equal(unknown.status, 404);
  assert.equal(((await unknown.json()) as { dbos_error: string }).dbos_error, 'DBOSNonExistentWorkflowError');
  assert.ok(existsSync(join(directory, 'fastify-orders.sqlite')), 'the embedded SQLite default');

  const exited = new Promise<number | null>((resolve) => child!.once('exit', (code) => resolve(code)));
  child!.kill('SIGTERM');
  assert.equal(await exited, 0, 'SIGTERM closes the app and shuts durably down');
});
