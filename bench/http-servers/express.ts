/** The Express apps of bench/http-server.ts: one bare, one with durably's middleware. */
import type { Server } from 'node:http';
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
  return [await listen(bare), await listen(wired)];
};
