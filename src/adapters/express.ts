/**
 * durably/express: `app.use(expressMiddleware())` first and
 * `app.use(expressErrorHandler())` last. Express 5 and 4 (in Express 4, an
 * async handler must pass its rejection to `next` itself).
 */
import type { ErrorRequestHandler, Request, RequestHandler } from 'express';
import { clientAddress, prepareRequest, runInRequest, type DurablyHttpOptions } from './http-context.ts';
import { errorResponse } from './http-errors.ts';
import { endRequestSpan } from './request-span.ts';

export type { DurablyHttpOptions } from './http-context.ts';

/** Express computes req.ip on each read (its trust-proxy rules): read only when DBOS.request is built. */
const expressIP = (req: Request) => req.ip;

/** Request ID, DBOS.request, idempotency key, and the 400/503 refusals, for every route after it. */
export function expressMiddleware(options?: DurablyHttpOptions): RequestHandler {
  return (req, res, next) => {
    const prepared = prepareRequest({ method: req.method, url: req.originalUrl, ip: clientAddress(req, expressIP), headers: req.headers }, options);
    res.setHeader(prepared.responseHeader, prepared.requestID);
    if (!prepared.ok) {
      res.status(prepared.refusal.status).json(prepared.refusal.body);
      return;
    }
    const trace = prepared.trace;
    if (trace) {
      // The route is known once routing matched (req.route), which is over by the time the response is.
      const end = () => endRequestSpan(trace, res.statusCode, req.route ? `${req.baseUrl}${String(req.route.path)}` : undefined);
      res.once('finish', end);
      res.once('close', end);
    }
    runInRequest(prepared, () => next());
  };
}

/** durably's errors (and errors with a numeric `status`) as JSON; others go on to Express's own handling. */
export function expressErrorHandler(): ErrorRequestHandler {
  return (error, _req, res, next) => {
    const response = errorResponse(error);
    if (!response || res.headersSent) {
      next(error);
      return;
    }
    res.status(response.status).json(response.body);
  };
}
