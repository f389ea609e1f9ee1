/**
 * The HTTP request span of each framework integration, on real servers on
 * loopback with the built-in fetch: an incoming W3C `traceparent` makes the
 * request span part of the caller's trace, the workflow the handler runs is
 * its child, and the span carries method, route (where the framework knows
 * it) and status code; a 500 marks it ERROR. Next's wrapper is a fetch
 * handler: it is called with a Request directly.
 */
import assert from 'node:assert/strict';
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterEach, describe, test } from 'node:test';
import { setTimeout as delay } from 'node:timers/promises';
import { SpanStatusCode } from '@opentelemetry/api';
import { serve } from '@hono/node-server';
import express from 'express';
import Fastify from 'fastify';
import { Hono } from 'hono';
import Koa from 'koa';
import { expressErrorHandler, expressMiddleware } from '../../src/adapters/express.ts';
import { fastifyPlugin } from '../../src/adapters/fastify.ts';
import { honoErrorHandler, honoMiddleware } from '../../src/adapters/hono.ts';
import { koaMiddleware } from '../../src/adapters/koa.ts';
import { withDurably } from '../../src/adapters/next.ts';
import { DBOS } from '../../src/index.ts';
import { forEachBackend, type TestBackend } from '../helpers/backends.ts';
import { recordSpans, type SpanRecord } from './span-recorder.ts';

const recorder = recordSpans();

const shipOrder = DBOS.registerStep(async (id: string) => `shipped:${id}`, { name: 'http-tracing.ship' });
const orderWorkflow = DBOS.registerWorkflow(async (id: string) => shipOrder(id), { name: 'http-tracing.order' });

interface Served {
  /** Base URL of a server, or a fetch function for a handler called directly. */
  fetch(path: string, init?: RequestInit): Promise<Response>;
  close(): Promise<void>;
  /** The route the span names, when the framework tells the integration. */
  route?: string;
}

function overHttp(url: string, close: () => Promise<void>, route?: string): Served {
  return { fetch: (path, init) => fetch(`${url}${path}`, init), close, route };
}

const boom = () => {
  throw new Error('boom');
};

const frameworks: Record<string, () => Promise<Served>> = {
  async express() {
    const app = express();
    app.set('env', 'test'); // the 500 below is expected: no stack on stderr
    app.use(expressMiddleware());
    app.post('/orders/:id', async (req, res) => void res.json({ result: await orderWorkflow(String(req.params.id)) }));
    app.get('/boom', boom);
    app.use(expressErrorHandler());
    const server = await new Promise<Server>((resolve) => {
      const listening = app.listen(0, '127.0.0.1', () => resolve(listening));
    });
    const { port } = server.address() as AddressInfo;
    return overHttp(`http://127.0.0.1:${port}`, () => new Promise((resolve) => server.close(() => resolve())), '/orders/:id');
  },
  async fastify() {
    const app = Fastify();
    await app.register(fastifyPlugin, { launch: false });
    app.post('/orders/:id', async (request) => ({ result: await orderWorkflow((request.params as { id: string }).id) }));
    app.get('/boom', boom);
    const url = await app.listen({ port: 0, host: '127.0.0.1' });
    return overHttp(url, () => app.close(), '/orders/:id');
  },
  async koa() {
    const app = new Koa();
    app.silent = true; // the 500 below is expected: no stack on stderr
    app.use(koaMiddleware());
    app.use(async (ctx) => {
      if (ctx.path === '/boom') boom();
      const match = /^\/orders\/(.+)$/.exec(ctx.path);
      if (ctx.method === 'POST' && match) ctx.body = { result: await orderWorkflow(match[1]!) };
    });
    const server = await new Promise<Server>((resolve) => {
      const listening = app.listen(0, '127.0.0.1', () => resolve(listening));
    });
    const { port } = server.address() as AddressInfo;
    return overHttp(`http://127.0.0.1:${port}`, () => new Promise((resolve) => server.close(() => resolve())));
  },
  async hono() {
    const app = new Hono();
    app.use(honoMiddleware());
    app.onError(honoErrorHandler);
    app.post('/orders/:id', async (c) => c.json({ result: await orderWorkflow(c.req.param('id')) }));
    app.get('/boom', boom);
    const originalError = console.error;
    const { url, server } = await new Promise<{ url: string; server: Server }>((resolve) => {
      const server = serve({ fetch: app.fetch, port: 0, hostname: '127.0.0.1' }, (info: AddressInfo) =>
        resolve({ url: `http://127.0.0.1:${info.port}`, server: server as Server }),
      ) as Server;
    });
    console.error = () => undefined; // Hono's default answer to a foreign error logs it
    return overHttp(url, async () => {
      console.error = originalError;
      await new Promise<void>((resolve) => server.close(() => resolve()));
    }, '/orders/:id');
  },
  async next() {
    const post = withDurably(async (request: Request) => Response.json({ result: await orderWorkflow(new URL(request.url).pathname.split('/').at(-1)!) }));
    const get = withDurably(async () => boom());
    return {
      fetch: async (path, init) => {
        const request = new Request(`http://localhost${path}`, init);
        return request.method === 'POST' ? post(request, {}) : get(request, {}).catch(() => new Response('Internal Server Error', { status: 500 }));
      },
      close: async () => undefined,
    };
  },
};

/** The finished spans once `done` holds for them (a response may reach the client before its span ends). */
async function spansWhen(done: (spans: SpanRecord[]) => boolean): Promise<SpanRecord[]> {
  for (let waited = 0; waited < 2000; waited += 10) {
    const spans = recorder.spans();
    if (done(spans)) return spans;
    await delay(10);
  }
  return recorder.spans();
}

const callerTrace = '4bf92f3577b34da6a3ce929d0e0e4736';
const callerSpan = '00f067aa0ba902b7';

function defineRequestSpans(framework: string, start: () => Promise<Served>, backend: TestBackend): void {
  describe(framework, () => {
    let served: Served | undefined;
    afterEach(async () => {
      await served?.close();
      served = undefined;
      await DBOS.shutdown();
    });

    async function launchAndServe(): Promise<Served> {
      DBOS.setConfig(backend.freshConfig());
      await DBOS.launch();
      served = await start();
      recorder.reset();
      return served;
    }

    test('an incoming traceparent: the request span and the workflow span share the caller\'s trace', async () => {
      const server = await launchAndServe();
      const response = await server.fetch('/orders/o-1', { method: 'POST', headers: { traceparent: `00-${callerTrace}-${callerSpan}-01` } });
      assert.equal(response.status, 200);
      assert.deepEqual(await response.json(), { result: 'shipped:o-1' });
      const spans = await spansWhen((all) => all.some((span) => span.attributes.operationType === 'handler'));
      const request = spans.find((span) => span.attributes.operationType === 'handler');
      assert.ok(request, `a request span among ${JSON.stringify(spans.map((span) => span.name))}`);
      assert.equal(request.traceId, callerTrace);
      assert.equal(request.parentSpanId, callerSpan);
      assert.equal(request.attributes['http.request.method'], 'POST');
      assert.equal(request.attributes['url.path'], '/orders/o-1');
      assert.equal(request.attributes['http.response.status_code'], 200);
      assert.equal(request.attributes['http.route'], server.route);
      assert.equal(request.name, server.route ? `POST ${server.route}` : 'POST');
      assert.deepEqual(request.status, { code: SpanStatusCode.OK });
      const workflow = spans.find((span) => span.name === 'http-tracing.order');
      assert.equal(workflow?.traceId, callerTrace);
      assert.equal(workflow?.parentSpanId, request.spanId);
      assert.equal(spans.find((span) => span.name === 'http-tracing.ship')?.parentSpanId, workflow?.spanId);
    });

    test('a request failing with 500: its span is ERROR with the status code; no traceparent starts a new trace', async () => {
      const server = await launchAndServe();
      const response = await server.fetch('/boom');
      assert.equal(response.status, 500);
      const spans = await spansWhen((all) => all.some((span) => span.attributes.operationType === 'handler'));
      const request = spans.find((span) => span.attributes.operationType === 'handler');
      assert.equal(request?.attributes['http.response.status_code'], 500);
      assert.equal(request?.status.code, SpanStatusCode.ERROR);
      assert.equal(request?.parentSpanId, undefined);
    });
  });
}

forEachBackend('HTTP request spans', (backend) => {
  for (const [framework, start] of Object.entries(frameworks)) defineRequestSpans(framework, start, backend);
});
