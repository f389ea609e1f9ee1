/** The Fastify apps of bench/http-server.ts: one bare, one with durably's plugin, one with the least such a plugin does. */
import type { Server } from 'node:http';
import { AsyncLocalStorage } from 'node:async_hooks';
import { randomUUID } from 'node:crypto';
import Fastify, { type FastifyInstance } from 'fastify';
import { fastifyPlugin } from '../../src/adapters/fastify.ts';
import type { BenchApps } from '../http-server.ts';

async function listen(app: FastifyInstance): Promise<Server> {
  await app.listen({ port: 0, host: '127.0.0.1' });
  return app.server;
}

export const serve: BenchApps = async (durable) => {
  const bare = Fastify();
  bare.post('/noop', async () => 'ok');
  const wired = Fastify();
  await wired.register(fastifyPlugin, { launch: false });
  wired.post('/noop', async () => 'ok');
  wired.post('/durable', async () => durable());
  // The least any request-context plugin does: a response header with a fresh ID, the rest run in a store.
  const floor = Fastify();
  const store = new AsyncLocalStorage<{ id: string }>();
  floor.addHook('onRequest', (_request, reply, done) => {
    const id = randomUUID();
    reply.header('x-request-id', id);
    store.run({ id }, done as () => void);
  });
  floor.post('/noop', async () => 'ok');
  return [await listen(bare), await listen(wired), await listen(floor)];
};
