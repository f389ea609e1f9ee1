/**
 * durably/hono: the shared HTTP behaviour table on a real Hono app served by
 * @hono/node-server on loopback, then what is Hono's own: errors that are not
 * durably's get exactly Hono's default handling (HTTPException's response, or
 * a logged plain-text 500).
 */
import assert from 'node:assert/strict';
import type { AddressInfo } from 'node:net';
import { afterEach, test } from 'node:test';
import { serve } from '@hono/node-server';
import { Hono } from 'hono';
import { HTTPException } from 'hono/http-exception';
import { honoErrorHandler, honoMiddleware } from '../../src/adapters/hono.ts';
import { DBOS } from '../../src/index.ts';
import { forEachBackend } from '../helpers/backends.ts';
import { defineHttpBehaviour, type FrameworkAdapter, type RunningServer } from './http-behaviour.ts';

function listen(app: Hono): Promise<RunningServer> {
  return new Promise((resolve) => {
    const server = serve({ fetch: app.fetch, port: 0, hostname: '127.0.0.1' }, (info: AddressInfo) => {
      resolve({
        url: `http://127.0.0.1:${info.port}`,
        close: () => new Promise<void>((closed) => server.close(() => closed())),
      });
    });
  });
}

export const honoAdapter: FrameworkAdapter = {
  name: 'hono',
  start(routes) {
    const app = new Hono();
    app.use(honoMiddleware());
    for (const route of routes) {
      const register = route.method === 'GET' ? app.get.bind(app) : app.post.bind(app);
      register(route.path, async (c) => c.json(await route.handler()));
    }
    app.onError(honoErrorHandler);
    return listen(app);
  },
};

forEachBackend('hono adapter', (backend) => defineHttpBehaviour(honoAdapter, backend));

forEachBackend('hono adapter: errors that are not durably\'s', (backend) => {
  let server: RunningServer | undefined;
  afterEach(async () => {
    await server?.close();
    server = undefined;
    await DBOS.shutdown();
  });

  test('an HTTPException keeps its own response; any other error is Hono\'s plain-text 500', async () => {
    DBOS.setConfig(backend.freshConfig());
    await DBOS.launch();
    const app = new Hono();
    app.use(honoMiddleware());
    app.get('/locked', () => {
      const res = new Response('Unauthorized', { status: 401, headers: { 'www-authenticate': 'Basic realm="orders"' } });
      throw new HTTPException(401, { res });
    });
    app.get('/plain', () => {
      throw new Error('not durably\'s');
    });
    app.onError(honoErrorHandler);
    server = await listen(app);

    const locked = await fetch(`${server.url}/locked`, { headers: { 'x-request-id': 'rid-401' } });
    assert.equal(locked.status, 401);
    assert.equal(locked.headers.get('www-authenticate'), 'Basic realm="orders"');
    assert.equal(locked.headers.get('x-request-id'), 'rid-401');
    assert.equal(await locked.text(), 'Unauthorized');

    const logged: unknown[] = [];
    const consoleError = console.error;
    console.error = (...args: unknown[]) => void logged.push(...args);
    try {
      const plain = await fetch(`${server.url}/plain`);
      assert.equal(plain.status, 500);
      assert.equal(await plain.text(), 'Internal Server Error');
      assert.equal(plain.headers.get('x-request-id')?.length, 36);
    } finally {
      console.error = consoleError;
    }
    assert.equal((logged[0] as Error).message, 'not durably\'s');
  });
});
