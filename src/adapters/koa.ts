/**
 * durably/koa: `app.use(koaMiddleware())`, first. Koa's middleware wraps
 * everything after it (`await next()`), so this one middleware both runs the
 * rest of the request in durably's request context and answers the errors
 * thrown downstream; there is no separate error handler to install. Koa 3
 * and 2 (it uses only `ctx.method`, `originalUrl`, `ip`, `req.headers`, `set`,
 * `status`, `body` and `headerSent`, the same in both).
 */
import type { Middleware, ParameterizedContext } from 'koa';
import { clientAddress, prepareRequest, runInRequest, type DurablyHttpOptions } from './http-context.ts';
import { errorResponse } from './http-errors.ts';
import { endRequestSpan } from './request-span.ts';

export type { DurablyHttpOptions } from './http-context.ts';

const koaIP = (ctx: ParameterizedContext) => ctx.ip;

/**
 * Request ID, DBOS.request, idempotency key and the 400/503 refusals for every
 * later middleware and route; durably's errors (and errors with a numeric
 * `status`) thrown by them become JSON, other errors go on to Koa unchanged.
 */
export function koaMiddleware(options?: DurablyHttpOptions): Middleware {
  return async (ctx, next) => {
    const prepared = prepareRequest({ method: ctx.method, url: ctx.originalUrl, ip: clientAddress(ctx, koaIP), headers: ctx.req.headers }, options);
    ctx.set(prepared.responseHeader, prepared.requestID);
    if (!prepared.ok) {
      ctx.status = prepared.refusal.status;
      ctx.body = prepared.refusal.body;
      return;
    }
    // koa-router (@koa/router) names the matched route here.
    const route = () => (ctx as { _matchedRoute?: unknown })._matchedRoute?.toString();
    try {
      await runInRequest(prepared, () => next());
    } catch (error) {
      const response = errorResponse(error);
      // Once the headers are out the status cannot change: let Koa deal with it (it destroys the response).
      if (!response || ctx.headerSent) {
        endRequestSpan(prepared.trace, ctx.headerSent ? ctx.status : 500, route(), error);
        throw error;
      }
      ctx.status = response.status;
      ctx.body = response.body;
    }
    endRequestSpan(prepared.trace, ctx.status, route());
  };
}
