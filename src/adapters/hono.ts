/**
 * durably/hono: `app.use(honoMiddleware())` before the routes and
 * `app.onError(honoErrorHandler)`. Hono 4 on Node through @hono/node-server.
 * Only types are imported from hono, and nothing from @hono/node-server: the
 * client's address is read from the Node request that the server hands Hono
 * as `c.env.incoming` (undefined on other runtimes).
 */
import type { Context, ErrorHandler, MiddlewareHandler } from 'hono';
import type { ContentfulStatusCode } from 'hono/utils/http-status';
import { prepareRequest, runInRequest, type DurablyHttpOptions, type RequestFacts } from './http-context.ts';
import { errorResponse } from './http-errors.ts';
import { endRequestSpan } from './request-span.ts';

export type { DurablyHttpOptions } from './http-context.ts';

/** What @hono/node-server passes as `c.env`: its bindings, or a wrapper's `{ server: bindings }` (as its conninfo helper reads them). */
interface NodeServerBindings {
  incoming?: { socket?: { remoteAddress?: string } };
  server?: { incoming?: { socket?: { remoteAddress?: string } } };
}

function remoteAddress(env: unknown): string | undefined {
  const bindings = env as NodeServerBindings | undefined;
  return (bindings?.server ?? bindings)?.incoming?.socket?.remoteAddress;
}

function requestFacts(c: Context): RequestFacts {
  const url = new URL(c.req.url);
  // A Web Headers object iterates with lower-cased names; repeated headers are already joined.
  return { method: c.req.method, url: url.pathname + url.search, ip: remoteAddress(c.env), headers: Object.fromEntries(c.req.raw.headers) };
}

/** Request ID, DBOS.request, idempotency key, and the 400/503 refusals, for every route after it. */
export function honoMiddleware(options?: DurablyHttpOptions): MiddlewareHandler {
  return async (c, next) => {
    const prepared = prepareRequest(requestFacts(c), options);
    c.header(prepared.responseHeader, prepared.requestID);
    if (!prepared.ok) return c.json(prepared.refusal.body, prepared.refusal.status as ContentfulStatusCode);
    // The handler, everything it awaits, and the onError handler all run inside next(), so inside this context.
    try {
      await runInRequest(prepared, () => next());
    } catch (error) {
      endRequestSpan(prepared.trace, 500, c.req.routePath, error);
      throw error;
    }
    endRequestSpan(prepared.trace, c.res.status, c.req.routePath);
  };
}

/**
 * durably's errors (and errors with a numeric `status`) as JSON. Every other
 * error gets exactly what Hono's default error handler gives it, since
 * `app.onError` replaces that handler: an error that carries its own response
 * (Hono's HTTPException, with its headers such as WWW-Authenticate) answers
 * with it, anything else is logged and answered with a plain-text 500.
 */
export const honoErrorHandler: ErrorHandler = (error, c) => {
  if ('getResponse' in error && typeof error.getResponse === 'function') {
    const own = (error.getResponse as () => Response)();
    return c.newResponse(own.body, own);
  }
  const response = errorResponse(error);
  if (response) return c.json(response.body, response.status as ContentfulStatusCode);
  // console.error, not durably's logger, on purpose: this is the application's own error, logged exactly as
  // Hono's default handler (which this one replaces) logs it, where the application expects to find it.
  console.error(error);
  return c.text('Internal Server Error', 500);
};
