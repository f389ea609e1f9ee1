/**
 * The admin server: DBOS's admin routes, the dashboard's JSON API under
 * /api/ with its change stream, and the dashboard's static files, on
 * node:http (no framework). Started by the Runtime at launch when
 * `runAdminServer` is set (or by serveDashboard without an app) and stopped
 * with it; it only talks to management/, the system database's reads and
 * the AdminTarget, never to engine internals.
 *
 * Every request passes the guards (request-guards.ts) first; every failure
 * is a JSON answer with a stable `code`.
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import type { DLogger } from '../telemetry/logger.ts';
import type { AdminServerOptions } from './admin-options.ts';
import type { AdminTarget } from './admin-target.ts';
import { apiRoutes } from './api-routes.ts';
import { ChangeFeed } from './change-feed.ts';
import { dbosRoutes } from './dbos-routes.ts';
import { errorReply } from './error-replies.ts';
import { readJsonBody, writeReply } from './http-io.ts';
import { checkHost, checkSameSite, checkToken, corsHeaders } from './request-guards.ts';
import { findRoute, type Route } from './router.ts';
import { DashboardFiles } from './dashboard-files.ts';

export class AdminServer {
  private readonly server: Server;
  private readonly routes: Route[];
  private readonly sockets = new Set<Socket>();
  private readonly files = new DashboardFiles();
  readonly changes: ChangeFeed;
  private listening = false;

  constructor(
    private readonly options: AdminServerOptions,
    target: AdminTarget,
    private readonly logger: DLogger,
  ) {
    this.changes = new ChangeFeed(target.engine);
    this.routes = [...dbosRoutes(target), ...apiRoutes(target, this.changes)];
    this.server = createServer((request, response) => void this.handle(request, response));
    this.server.on('connection', (socket) => {
      this.sockets.add(socket);
      socket.on('close', () => this.sockets.delete(socket));
    });
  }

  /** Listen; resolves once bound (rejects if the port is taken). */
  async start(): Promise<void> {
    await new Promise<void>((resolve, reject) => {
      this.server.once('error', reject);
      this.server.listen(this.options.port, this.options.host, () => {
        this.server.off('error', reject);
        resolve();
      });
    });
    this.listening = true;
    this.logger.info(`Admin server and dashboard at ${this.url}`);
  }

  get port(): number {
    return (this.server.address() as AddressInfo).port;
  }

  get url(): string {
    const host = this.options.host.includes(':') ? `[${this.options.host}]` : this.options.host;
    return `http://${host}:${this.port}/`;
  }

  /** Stop listening, end open streams and connections. */
  async stop(): Promise<void> {
    this.changes.close();
    if (!this.listening) return;
    this.listening = false;
    const closed = new Promise<void>((resolve) => this.server.close(() => resolve()));
    for (const socket of this.sockets) socket.destroy();
    await closed;
  }

  private async handle(request: IncomingMessage, response: ServerResponse): Promise<void> {
    const url = new URL(request.url ?? '/', 'http://admin.invalid');
    const method = request.method ?? 'GET';
    let headers: Record<string, string> = {};
    try {
      checkHost(request, this.options);
      headers = corsHeaders(request, this.options);
      if (method === 'OPTIONS') return writeReply(response, { status: 204 }, headers);
      if (method === 'GET' && this.files.serves(url.pathname)) return await this.files.send(url.pathname, response);
      checkSameSite(request, this.options);
      if (!(method === 'GET' && url.pathname === '/dbos-healthz')) checkToken(request, this.options.token);
      const { route, params } = findRoute(this.routes, method, url.pathname);
      const body = method === 'POST' ? await readJsonBody(request) : undefined;
      const reply = await route.handler({ raw: request, response, url, params, body, replyHeaders: headers });
      if (reply) writeReply(response, reply, headers);
    } catch (error) {
      if (response.headersSent) {
        response.destroy();
        return;
      }
      writeReply(response, errorReply(error, this.logger, `${method} ${url.pathname}`), headers);
    }
  }
}
