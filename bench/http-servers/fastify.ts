/** The Fastify apps of bench/http-server.ts: one bare, one with durably's plugin. */
import type { Server } from 'node:http';
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
  return [await listen(bare), await listen(wired)];
};
