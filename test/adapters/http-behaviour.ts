/**
 * The behaviour every HTTP framework adapter must show, written once against a
 * tiny per-framework interface (start a server on an ephemeral loopback port
 * with these routes) and run for each framework on both backends, with real
 * requests through the built-in fetch.
 */
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { afterEach, test } from 'node:test';
import { DBOS, DBOSError, DBOSResponseError, type HTTPRequest } from '../../src/index.ts';
import type { TestBackend } from '../helpers/backends.ts';
import { rawRows } from '../helpers/raw-rows.ts';

export interface Route {
  method: 'GET' | 'POST';
  path: string;
  /** Its result is answered as JSON with status 200; a throw goes to the adapter's error handling. */
  handler: () => Promise<unknown>;
}

export interface RunningServer {
  url: string;
  close(): Promise<void>;
}

export interface FrameworkAdapter {
  name: string;
  start(routes: readonly Route[]): Promise<RunningServer>;
}

let countedRuns = 0;
const counted = DBOS.registerWorkflow(
  async (label: string) => {
    countedRuns++;
    await new Promise((resolve) => setTimeout(resolve, 100));
    return `done-${label}`;
  },
  { name: 'http.counted' },
);
const other = DBOS.registerWorkflow(async () => 'other', { name: 'http.other' });
const echoRequest = DBOS.registerWorkflow(async () => DBOS.getRequest(), { name: 'http.echoRequest' });
const teapot = DBOS.registerWorkflow(
  async () => {
    throw new DBOSResponseError('short and stout', 418);
  },
  { name: 'http.teapot' },
);

const routes: readonly Route[] = [
  { method: 'POST', path: '/counted', handler: () => counted('a') },
  { method: 'POST', path: '/other', handler: () => other() },
  { method: 'GET', path: '/request', handler: async () => ({ inHandler: DBOS.getRequest(), inWorkflow: await echoRequest() }) },
  { method: 'GET', path: '/teapot', handler: () => teapot() },
  {
    method: 'GET',
    path: '/internal',
    handler: async () => {
      throw new DBOSError('internal trouble');
    },
  },
  {
    method: 'GET',
    path: '/hidden',
    handler: async () => {
      // As http-errors' createError(503, ...) makes it: a 5xx message not meant for clients.
      throw Object.assign(new Error('secret detail'), { status: 503, expose: false });
    },
  },
];

export function defineHttpBehaviour(adapter: FrameworkAdapter, backend: TestBackend): void {
  let server: RunningServer | undefined;
  let config = backend.freshConfig();
  async function serve(launch = true): Promise<string> {
    if (launch) {
      config = backend.freshConfig();
      DBOS.setConfig(config);
      await DBOS.launch();
    }
    server = await adapter.start(routes);
    return server.url;
  }
  afterEach(async () => {
    await server?.close();
    server = undefined;
    await DBOS.shutdown();
  });

  test(`${adapter.name}: the request ID is echoed, or generated`, async () => {
    const url = await serve();
    const given = await fetch(`${url}/other`, { method: 'POST', headers: { 'x-request-id': 'req-1' } });
    assert.equal(given.headers.get('x-request-id'), 'req-1');
    const fallback = await fetch(`${url}/other`, { method: 'POST', headers: { 'dbos-request-id': 'req-2' } });
    assert.equal(fallback.headers.get('x-request-id'), 'req-2');
    const generated = await fetch(`${url}/other`, { method: 'POST' });
    assert.match(generated.headers.get('x-request-id') ?? '', /^[0-9a-f-]{36}$/);
  });

  test(`${adapter.name}: DBOS.request in the handler and in the workflow, recorded on its status`, async () => {
    const url = await serve();
    const key = `req-${randomUUID()}`;
    const response = await fetch(`${url}/request?x=1`, {
      headers: { 'x-request-id': 'rid-7', 'X-Custom': 'yes', authorization: 'Bearer secret', cookie: 'a=b', 'dbos-idempotency-key': key },
    });
    assert.equal(response.status, 200);
    const { inHandler, inWorkflow } = (await response.json()) as { inHandler: HTTPRequest; inWorkflow: HTTPRequest };
    assert.equal(inHandler.requestID, 'rid-7');
    assert.equal(inHandler.method, 'GET');
    assert.equal(inHandler.url, '/request?x=1');
    assert.ok(inHandler.ip, 'an ip');
    assert.equal(inHandler.headers?.['x-custom'], 'yes');
    assert.equal(inHandler.headers?.authorization, undefined);
    assert.equal(inHandler.headers?.cookie, undefined);
    assert.deepEqual(inWorkflow, inHandler);
    const [row] = await rawRows(config, 'workflow_status', 'workflow_uuid = ?', [key]);
    assert.deepEqual(JSON.parse(String(row?.request)), inHandler);
    assert.equal(DBOS.getRequest(), undefined, 'outside a request');
  });

  test(`${adapter.name}: one idempotency key runs the workflow once, sequentially and concurrently`, async () => {
    const url = await serve();
    const before = countedRuns;
    const key = `key-${randomUUID()}`;
    const send = () => fetch(`${url}/counted`, { method: 'POST', headers: { 'dbos-idempotency-key': key } });
    const first = await send();
    assert.equal(first.status, 200);
    assert.equal(await first.json(), 'done-a');
    const concurrent = await Promise.all(Array.from({ length: 10 }, send));
    for (const response of concurrent) assert.equal(await response.json(), 'done-a');
    const concurrentKey = `key-${randomUUID()}`;
    const burst = await Promise.all(
      Array.from({ length: 10 }, () => fetch(`${url}/counted`, { method: 'POST', headers: { 'dbos-idempotency-key': concurrentKey } })),
    );
    for (const response of burst) assert.equal(await response.json(), 'done-a');
    assert.equal(countedRuns - before, 2, 'one run per key');
    assert.equal((await DBOS.getWorkflowStatus(key))?.status, 'SUCCESS');
  });

  test(`${adapter.name}: errors become JSON with their status, without a stack`, async () => {
    const url = await serve();
    const teapotResponse = await fetch(`${url}/teapot`);
    assert.equal(teapotResponse.status, 418);
    const body = (await teapotResponse.json()) as Record<string, unknown>;
    assert.equal(body.message, 'short and stout');
    assert.equal(body.dbos_error, 'DBOSResponseError');
    assert.equal(typeof body.dbos_error_code, 'number');
    const internal = await fetch(`${url}/internal`);
    assert.equal(internal.status, 500);
    const text = await internal.text();
    assert.deepEqual(JSON.parse(text), { message: 'internal trouble', dbos_error_code: 1, dbos_error: 'DBOSError' });
    assert.doesNotMatch(text, /at .*\.ts/);
    const hidden = await fetch(`${url}/hidden`);
    assert.equal(hidden.status, 503);
    assert.deepEqual(await hidden.json(), { message: 'Internal Server Error', dbos_error_code: 503, dbos_error: 'Error' });
  });

  test(`${adapter.name}: bad idempotency keys get 400 and start nothing; a key reused for another workflow gets 409`, async () => {
    const url = await serve();
    const before = countedRuns;
    const long = await fetch(`${url}/counted`, { method: 'POST', headers: { 'dbos-idempotency-key': 'k'.repeat(513) } });
    assert.equal(long.status, 400);
    assert.match(((await long.json()) as { message: string }).message, /513 characters/);
    const control = await fetch(`${url}/counted`, { method: 'POST', headers: { 'dbos-idempotency-key': 'a\tb' } });
    assert.equal(control.status, 400);
    assert.equal(countedRuns, before);
    const key = `key-${randomUUID()}`;
    assert.equal((await fetch(`${url}/other`, { method: 'POST', headers: { 'dbos-idempotency-key': key } })).status, 200);
    const reused = await fetch(`${url}/counted`, { method: 'POST', headers: { 'dbos-idempotency-key': key } });
    assert.equal(reused.status, 409);
    assert.equal(((await reused.json()) as { dbos_error: string }).dbos_error, 'DBOSConflictingWorkflowError');
    assert.equal(countedRuns, before);
  });

  test(`${adapter.name}: requests before launch get 503 JSON`, async () => {
    const url = await serve(false);
    const response = await fetch(`${url}/other`, { method: 'POST' });
    assert.equal(response.status, 503);
    assert.match(((await response.json()) as { message: string }).message, /not launched/);
  });
}
