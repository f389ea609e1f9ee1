/**
 * durably/fastify: the shared HTTP behaviour table on a real Fastify server on
 * loopback, then what only the plugin does: its lifecycle (launch on ready,
 * shut down on close, and only what it launched) and errors that are not
 * durably's reaching Fastify's own handler.
 */
import assert from 'node:assert/strict';
import { afterEach, test } from 'node:test';
import Fastify, { type FastifyInstance } from 'fastify';
import { fastifyPlugin, type DurablyFastifyOptions } from '../../src/adapters/fastify.ts';
import { DBOS, DBOSResponseError } from '../../src/index.ts';
import { forEachBackend } from '../helpers/backends.ts';
import { defineHttpBehaviour, type FrameworkAdapter } from './http-behaviour.ts';

async function listening(app: FastifyInstance): Promise<string> {
  return app.listen({ port: 0, host: '127.0.0.1' });
}

export const fastifyAdapter: FrameworkAdapter = {
  name: 'fastify',
  async start(routes) {
    const app = Fastify();
    // The table launches and shuts down durably itself (and checks the 503 before launch).
    await app.register(fastifyPlugin, { launch: false });
    for (const route of routes) {
      // As JSON even when the result is a string (Fastify would send a string as text).
      app.route({
        method: route.method,
        url: route.path,
        handler: async (_request, reply) => reply.type('application/json').send(JSON.stringify(await route.handler())),
      });
    }
    const url = await listening(app);
    return { url, close: () => app.close() };
  },
};

const greet = DBOS.registerWorkflow(async (name: string) => `hello ${name}`, { name: 'fastify.greet' });

forEachBackend('fastify adapter', (backend) => {
  defineHttpBehaviour(fastifyAdapter, backend);

  let app: FastifyInstance | undefined;
  afterEach(async () => {
    await app?.close();
    app = undefined;
    await DBOS.shutdown();
  });

  async function serve(options?: DurablyFastifyOptions): Promise<string> {
    app = Fastify();
    await app.register(fastifyPlugin, options ?? {});
    app.post('/greet', async () => greet('fastify'));
    app.post('/body', async (request) => ({ body: request.body, requestID: DBOS.getRequest()?.requestID }));
    app.get('/plain', async () => {
      throw new Error('not durably');
    });
    app.get('/coded', async () => {
      throw Object.assign(new Error('teapot, the Fastify way'), { statusCode: 418 });
    });
    return listening(app);
  }

  test('fastify: the plugin launches durably when the app is ready and shuts it down on close', async () => {
    DBOS.setConfig(backend.freshConfig());
    assert.equal(DBOS.isInitialized(), false);
    const url = await serve();
    assert.equal(DBOS.isInitialized(), true, 'launched on ready');
    const response = await fetch(`${url}/greet`, { method: 'POST' });
    assert.equal(response.status, 200);
    assert.equal(await response.text(), 'hello fastify');
    await app!.close();
    app = undefined;
    assert.equal(DBOS.isInitialized(), false, 'shut down on close');
  });

  test('fastify: an app closing does not shut down the durably it did not launch', async () => {
    DBOS.setConfig(backend.freshConfig());
    await DBOS.launch();
    await serve();
    await app!.close();
    app = undefined;
    assert.equal(DBOS.isInitialized(), true, 'still launched: the application owns it');
  });

  test('fastify: with launch false the plugin leaves the lifecycle alone', async () => {
    DBOS.setConfig(backend.freshConfig());
    const url = await serve({ launch: false });
    assert.equal(DBOS.isInitialized(), false);
    assert.equal((await fetch(`${url}/greet`, { method: 'POST' })).status, 503);
  });

  test('fastify: errors that are not durably\'s go to Fastify\'s own handler', async () => {
    DBOS.setConfig(backend.freshConfig());
    const url = await serve();
    const plain = await fetch(`${url}/plain`, { headers: { 'x-request-id': 'rid-plain' } });
    assert.equal(plain.status, 500);
    assert.equal(plain.headers.get('x-request-id'), 'rid-plain', 'the request ID on error responses too');
    assert.deepEqual(await plain.json(), { statusCode: 500, error: 'Internal Server Error', message: 'not durably' });
    const coded = await fetch(`${url}/coded`);
    assert.equal(coded.status, 418);
    assert.deepEqual(await coded.json(), { statusCode: 418, error: "I'm a Teapot", message: 'teapot, the Fastify way' });
    const missing = await fetch(`${url}/nowhere`, { headers: { 'x-request-id': 'rid-404' } });
    assert.equal(missing.status, 404);
    assert.equal(missing.headers.get('x-request-id'), 'rid-404');
  });

  test('fastify: a child context\'s own error handler rethrows to durably\'s, then to Fastify\'s', async () => {
    DBOS.setConfig(backend.freshConfig());
    app = Fastify();
    await app.register(fastifyPlugin);
    await app.register(async (scope) => {
      scope.setErrorHandler((error, _request, reply) => {
        if ((error as Error).message === 'mine') return reply.code(499).send({ handledBy: 'user' });
        throw error;
      });
      scope.get('/mine', async () => {
        throw new Error('mine');
      });
      scope.get('/durably', async () => {
        throw new DBOSResponseError('payment required', 402);
      });
      scope.get('/plain', async () => {
        throw new Error('plain');
      });
    });
    const url = await listening(app);
    assert.deepEqual(await (await fetch(`${url}/mine`)).json(), { handledBy: 'user' });
    const durably = await fetch(`${url}/durably`);
    assert.equal(durably.status, 402);
    assert.equal(((await durably.json()) as { dbos_error: string }).dbos_error, 'DBOSResponseError');
    const plain = await fetch(`${url}/plain`);
    assert.equal(plain.status, 500);
    assert.equal(((await plain.json()) as { error: string }).error, 'Internal Server Error');
  });

  test('fastify: the request context reaches a handler whose body arrives in pieces', async () => {
    DBOS.setConfig(backend.freshConfig());
    const url = await serve();
    const body = new ReadableStream<Uint8Array>({
      async start(controller) {
        controller.enqueue(new TextEncoder().encode('{"order":'));
        await new Promise((resolve) => setTimeout(resolve, 50));
        controller.enqueue(new TextEncoder().encode('42}'));
        controller.close();
      },
    });
    const response = await fetch(`${url}/body`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'x-request-id': 'rid-body' },
      body,
      duplex: 'half',
    } as RequestInit);
    assert.equal(response.status, 200);
    assert.deepEqual(await response.json(), { body: { order: 42 }, requestID: 'rid-body' });
  });
});
