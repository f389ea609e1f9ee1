/** durably/koa: the shared HTTP behaviour table, on a real Koa server on loopback (routed by hand: no router needed). */
import assert from 'node:assert/strict';
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterEach, test } from 'node:test';
import Koa from 'koa';
import { DBOS } from '../../src/index.ts';
import { koaMiddleware } from '../../src/adapters/koa.ts';
import { forEachBackend } from '../helpers/backends.ts';
import { defineHttpBehaviour, type FrameworkAdapter } from './http-behaviour.ts';

async function listen(app: Koa): Promise<{ url: string; close(): Promise<void> }> {
  const server = await new Promise<Server>((resolve) => {
    const listening = app.listen(0, '127.0.0.1', () => resolve(listening));
  });
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}

export const koaAdapter: FrameworkAdapter = {
  name: 'koa',
  async start(routes) {
    const app = new Koa();
    app.use(koaMiddleware());
    app.use(async (ctx, next) => {
      const route = routes.find((candidate) => candidate.method === ctx.method && candidate.path === ctx.path);
      if (!route) return next();
      // JSON even for a bare string result, as Express's res.json answers.
      ctx.type = 'application/json';
      ctx.body = JSON.stringify(await route.handler());
    });
    return listen(app);
  },
};

forEachBackend('koa adapter', (backend) => defineHttpBehaviour(koaAdapter, backend));

forEachBackend('koa adapter, what stays with Koa', (backend) => {
  let close: (() => Promise<void>) | undefined;
  afterEach(async () => {
    await close?.();
    close = undefined;
    await DBOS.shutdown();
  });

  test('later middleware sees DBOS.request; an error that is not durably\'s gets Koa\'s own 500, without a stack', async () => {
    DBOS.setConfig(backend.freshConfig());
    await DBOS.launch();
    const app = new Koa();
    const koaErrors: unknown[] = [];
    app.on('error', (error) => koaErrors.push(error));
    app.use(koaMiddleware());
    app.use(async (ctx, next) => {
      ctx.state.seenByMiddleware = DBOS.getRequest()?.requestID;
      await next();
    });
    app.use(async (ctx) => {
      if (ctx.path === '/fail') throw new Error('plain trouble');
      ctx.body = { seenByMiddleware: ctx.state.seenByMiddleware };
    });
    const server = await listen(app);
    close = server.close;
    const ok = await fetch(`${server.url}/ok`, { headers: { 'x-request-id': 'rid-koa' } });
    assert.deepEqual(await ok.json(), { seenByMiddleware: 'rid-koa' });
    const failed = await fetch(`${server.url}/fail`);
    assert.equal(failed.status, 500);
    assert.equal(await failed.text(), 'Internal Server Error');
    assert.equal(koaErrors.length, 1, 'Koa saw the error itself');
    assert.equal((koaErrors[0] as Error).message, 'plain trouble');
  });
});
