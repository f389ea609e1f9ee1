/**
 * A minimal Node http server for fetch-style handlers `(Request) => Response`,
 * the shape of Next.js route handlers: IncomingMessage → Request,
 * Response → ServerResponse. Like Next's own server, it fills in
 * `x-forwarded-for` with the socket's address (a Web Request has no socket).
 * A handler that throws gets a plain 500, as Next answers an unhandled error.
 */
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

export type FetchRoute = (request: Request) => Response | Promise<Response>;

export interface BridgedServer {
  url: string;
  port: number;
  close(): Promise<void>;
}

async function toRequest(message: IncomingMessage): Promise<Request> {
  const headers = new Headers();
  for (const [name, value] of Object.entries(message.headers)) {
    for (const one of Array.isArray(value) ? value : value === undefined ? [] : [value]) headers.append(name, one);
  }
  if (!headers.has('x-forwarded-for') && message.socket.remoteAddress) headers.set('x-forwarded-for', message.socket.remoteAddress);
  const method = message.method ?? 'GET';
  let body: Buffer | undefined;
  if (method !== 'GET' && method !== 'HEAD') {
    const chunks: Buffer[] = [];
    for await (const chunk of message) chunks.push(chunk as Buffer);
    body = Buffer.concat(chunks);
  }
  return new Request(`http://${message.headers.host ?? 'localhost'}${message.url ?? '/'}`, { method, headers, body });
}

async function send(response: Response, out: ServerResponse): Promise<void> {
  const headers: Record<string, string | string[]> = {};
  for (const [name, value] of response.headers) if (name !== 'set-cookie') headers[name] = value;
  const cookies = response.headers.getSetCookie();
  if (cookies.length > 0) headers['set-cookie'] = cookies;
  out.writeHead(response.status, response.statusText, headers);
  out.end(Buffer.from(await response.arrayBuffer()));
}

/** Serve `route` on an ephemeral loopback port. */
export async function serveFetch(route: FetchRoute): Promise<BridgedServer> {
  const server = createServer((message, out) => {
    toRequest(message)
      .then((request) => route(request))
      .then((response) => send(response, out))
      .catch((error: unknown) => {
        console.error('fetch-bridge: the handler threw', error);
        if (!out.headersSent) out.writeHead(500, { 'content-type': 'text/plain' });
        out.end('Internal Server Error');
      });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    port,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
