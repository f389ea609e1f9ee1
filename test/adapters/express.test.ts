/** durably/express: the shared HTTP behaviour table, on a real Express server on loopback. */
import type { AddressInfo } from 'node:net';
import express from 'express';
import { expressErrorHandler, expressMiddleware } from '../../src/adapters/express.ts';
import { forEachBackend } from '../helpers/backends.ts';
import { defineHttpBehaviour, type FrameworkAdapter } from './http-behaviour.ts';

export const expressAdapter: FrameworkAdapter = {
  name: 'express',
  async start(routes) {
    const app = express();
    app.use(expressMiddleware());
    for (const route of routes) {
      const register = route.method === 'GET' ? app.get.bind(app) : app.post.bind(app);
      register(route.path, async (_req, res) => {
        res.json(await route.handler());
      });
    }
    app.use(expressErrorHandler());
    const server = await new Promise<import('node:http').Server>((resolve) => {
      const listening = app.listen(0, '127.0.0.1', () => resolve(listening));
    });
    const { port } = server.address() as AddressInfo;
    return {
      url: `http://127.0.0.1:${port}`,
      close: () => new Promise<void>((resolve) => server.close(() => resolve())),
    };
  },
};

forEachBackend('express adapter', (backend) => defineHttpBehaviour(expressAdapter, backend));
