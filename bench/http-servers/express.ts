/** The Express apps of bench/http-server.ts: one bare, one with durably's middleware, one with the least such a middleware does. */
import type { Server } from 'node:http';
import { AsyncLocalStorage } from 'node:async_hooks';
import { randomUUID } from 'node:crypto';
import express from 'express';
import { expressErrorHandler, expressMiddleware } from '../../src/adapters/express.ts';
import type { BenchApps } from '../http-server.ts';

function listen(app: express.Express): Promise<Server> {
  return new Promise((resolve) => {
    const server = app.listen(0, '127.0.0.1', () => resolve(server));
  });
}

export const serve: BenchApps = async (durable) => {
  const bare = express();
  bare.post('/noop', (_req, res) => void res.json('ok'));
  const wired = express();
  wired.use(expressMiddleware());
  wired.post('/noop', (_req, res) => void res.json('ok'));
  wired.post('/durable', async (_req, res) => void res.json(await durable()));
  wired.use(expressErrorHandler());
  // The least any request-context middleware does: a response header with a fresh ID, the rest run in a store.
  const floor = express();
  const store = new AsyncLocalStorage<{ id: string }>();
  floor.use((_req, res, next) => {
    const id = randomUUID();
    res.setHeader('x-request-id', id);
    store.run({ id }, next);
  });
  floor.post('/noop', (_req, res) => void res.json('ok'));
  return [await listen(bare), await listen(wired), await listen(floor)];
};
