/**
 * durably/next: the shared HTTP behaviour table, with each route a
 * `withDurably` handler (the shape of a Next.js App Router route handler)
 * served through the fetch bridge; then what only a fetch-style handler has
 * (immutable response headers, no socket, launch on first request). A real
 * Next.js server: next-app.test.ts.
 */
import assert from 'node:assert/strict';
import { afterEach, test } from 'node:test';
import { withDurably } from '../../src/adapters/next.ts';
import { DBOS, type HTTPRequest } from '../../src/index.ts';
import { forEachBackend } from '../helpers/backends.ts';
import { serveFetch, type BridgedServer } from './fetch-bridge.ts';
import { defineHttpBehaviour, type FrameworkAdapter } from './http-behaviour.ts';

export const nextAdapter: FrameworkAdapter = {
  name: 'next',
  async start(routes) {
    const handlers = new Map(
      routes.map((route) => [`${route.method} ${route.path}`, withDurably(async () => Response.json(await route.handler()))]),
    );
    return serveFetch((request) => {
      const handler = handlers.get(`${request.method} ${new URL(request.url).pathname}`);
      return handler ? handler(request, undefined) : new Response('not found', { status: 404 });
    });
  },
};

const greet = DBOS.registerWorkflow(async (name: string) => `hello ${name}`, { name: 'next.greet' });

forEachBackend('next adapter', (backend) => {
  defineHttpBehaviour(nextAdapter, backend);

  let server: BridgedServer | undefined;
  afterEach(async () => {
    await server?.close();
    server = undefined;
    await DBOS.shutdown();
  });

  test('next: a Response with immutable headers (Response.redirect) still gets the request ID', async () => {
    DBOS.setConfig(backend.freshConfig());
    await DBOS.launch();
    const handler = withDurably(async () => Response.redirect('http://127.0.0.1:1/elsewhere', 307));
    server = await serveFetch((request) => handler(request, undefined));
    const response = await fetch(server.url, { redirect: 'manual', headers: { 'x-request-id': 'redirected' } });
    assert.equal(response.status, 307);
    assert.equal(response.headers.get('location'), 'http://127.0.0.1:1/elsewhere');
    assert.equal(response.headers.get('x-request-id'), 'redirected');
  });

  test('next: errors that are not durably\'s are rethrown to the server (Next answers them itself)', async () => {
    DBOS.setConfig(backend.freshConfig());
    await DBOS.launch();
    const handler = withDurably(async () => {
      throw new TypeError('a plain bug');
    });
    await assert.rejects(handler(new Request('http://localhost/bug'), undefined), { name: 'TypeError', message: 'a plain bug' });
  });

  test('next: the ip comes from x-forwarded-for, else x-real-ip, else is undefined', async () => {
    DBOS.setConfig(backend.freshConfig());
    await DBOS.launch();
    const handler = withDurably(async () => Response.json(DBOS.getRequest() ?? null));
    const ipOf = async (headers: Record<string, string>) =>
      ((await (await handler(new Request('http://localhost/ip?q=1', { headers }), undefined)).json()) as HTTPRequest).ip;
    assert.equal(await ipOf({ 'x-forwarded-for': '203.0.113.7, 10.0.0.1', 'x-real-ip': '10.0.0.2' }), '203.0.113.7');
    assert.equal(await ipOf({ 'x-real-ip': '10.0.0.2' }), '10.0.0.2');
    assert.equal(await ipOf({}), undefined);
  });

  test('next: { launch: true } launches durably at the first request; the context argument is passed through', async () => {
    DBOS.setConfig(backend.freshConfig());
    assert.equal(DBOS.isInitialized(), false);
    const handler = withDurably(
      async (_request: Request, context: { params: Promise<{ name: string }> }) => Response.json(await greet((await context.params).name)),
      { launch: true },
    );
    const request = () => handler(new Request('http://localhost/greet', { method: 'POST' }), { params: Promise.resolve({ name: 'next' }) });
    const [first, second] = await Promise.all([request(), request()]);
    assert.equal(await first.json(), 'hello next');
    assert.equal(await second.json(), 'hello next');
    assert.equal(DBOS.isInitialized(), true);
  });

  test('next: a launch that fails is answered as durably JSON, and the next request tries again', async () => {
    DBOS.setConfig({ ...backend.freshConfig(), systemDatabaseUrl: 'postgresql://postgres@127.0.0.1:1/nowhere' });
    const handler = withDurably(async () => Response.json('unreachable'), { launch: true });
    const response = await handler(new Request('http://localhost/greet', { method: 'POST' }), undefined);
    assert.equal(response.status, 500);
    const body = (await response.json()) as { dbos_error: string; message: string };
    assert.equal(body.dbos_error, 'DBOSDatabaseUnreachableError', body.message);
    assert.equal(DBOS.isInitialized(), false);
    DBOS.setConfig(backend.freshConfig());
    assert.equal((await handler(new Request('http://localhost/greet', { method: 'POST' }), undefined)).status, 200);
  });
});
