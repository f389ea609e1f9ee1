/**
 * durably/next: `export const POST = withDurably(async (request, context) => Response)`
 * in a Next.js (15+) App Router route handler. Only Web APIs are used (Request,
 * Response, Headers): `next` is never imported, so any fetch-style handler
 * `(request: Request) => Response` can be wrapped the same way.
 *
 * Next has no `listen` to launch before, and instrumentation.ts cannot do it:
 * Next compiles it apart from the route handlers (another webpack layer), so it
 * would launch a copy of durably that the routes never see. The routes launch
 * durably themselves (`{ launch: true }`) at their first request, after the one
 * module they all import has registered every workflow.
 */
import { DBOS } from '../api/dbos.ts';
import { prepareRequest, runInRequest, type DurablyHttpOptions, type HeaderValues, type RequestFacts } from './http-context.ts';
import { errorResponse, type ErrorResponse } from './http-errors.ts';
import { endRequestSpan } from './request-span.ts';

export type { DurablyHttpOptions } from './http-context.ts';

export interface WithDurablyOptions extends DurablyHttpOptions {
  /**
   * Launch durably (`DBOS.launch()`, with the config given to `DBOS.setConfig`) at the first
   * request if it is not launched yet. Every workflow must be registered by then: register
   * them all in one module that every wrapped route imports.
   */
  launch?: boolean;
}

/** Where the last launched copy of durably is kept, process-wide: module copies share globalThis. */
const launchedCopy = Symbol.for('durably.next.launched');
type LaunchedCopies = { [launchedCopy]?: typeof DBOS };

/**
 * Launch this copy of durably. Next's dev server evaluates the route modules
 * again when it compiles another route, making a second copy of durably (and of
 * the workflows): the stale copy is shut down first, so that one runtime runs
 * (and recovers) the workflows, never two.
 */
async function launchThisCopy(): Promise<void> {
  const copies = globalThis as LaunchedCopies;
  const previous = copies[launchedCopy];
  if (previous && previous !== DBOS && previous.isInitialized()) await previous.shutdown();
  await DBOS.launch();
  copies[launchedCopy] = DBOS;
}

let launching: Promise<void> | undefined;

/** A fetch-style handler; `context` is Next's second argument (`{ params }`), passed through. */
export type FetchHandler<Context> = (request: Request, context: Context) => Response | Promise<Response>;

function lowerCasedHeaders(headers: Headers): HeaderValues {
  const values: Record<string, string> = {};
  // Headers iterates lower-cased names, with repeated headers already joined by ", ".
  for (const [name, value] of headers) values[name] = value;
  return values;
}

/** The client address a proxy (or Next's own server) reported; a Web Request carries no socket. */
function clientIP(headers: Headers): string | undefined {
  const forwarded = headers.get('x-forwarded-for')?.split(',')[0]?.trim();
  return forwarded || headers.get('x-real-ip')?.trim() || undefined;
}

function requestFacts(request: Request): RequestFacts {
  const url = new URL(request.url);
  return { method: request.method, url: url.pathname + url.search, ip: clientIP(request.headers), headers: lowerCasedHeaders(request.headers) };
}

function jsonResponse(response: ErrorResponse, header: string, requestID: string): Response {
  return Response.json(response.body, { status: response.status, headers: { [header]: requestID } });
}

/** The response with the request ID header; a copy when its headers are immutable (Response.redirect, fetch results). */
function withHeader(response: Response, header: string, requestID: string): Response {
  try {
    response.headers.set(header, requestID);
    return response;
  } catch {
    const copy = new Response(response.body, { status: response.status, statusText: response.statusText, headers: response.headers });
    copy.headers.set(header, requestID);
    return copy;
  }
}

/** Request ID, DBOS.request, the idempotency key, 400/503 refusals and durably's errors as JSON, around `handler`. */
export function withDurably<Context = unknown>(
  handler: FetchHandler<Context>,
  options?: WithDurablyOptions,
): (request: Request, context: Context) => Promise<Response> {
  return async (request, context) => {
    if (options?.launch && !DBOS.isInitialized()) {
      // Concurrent first requests share one launch; a failed launch is answered like any durably error.
      launching ??= launchThisCopy().finally(() => (launching = undefined));
      try {
        await launching;
      } catch (error) {
        const response = errorResponse(error);
        if (!response) throw error;
        return Response.json(response.body, { status: response.status });
      }
    }
    const prepared = prepareRequest(requestFacts(request), options);
    if (!prepared.ok) return jsonResponse(prepared.refusal, prepared.responseHeader, prepared.requestID);
    // Next knows the route (its file path), but does not hand it to the handler: the span has the path only.
    try {
      const response = await runInRequest(prepared, () => handler(request, context));
      endRequestSpan(prepared.trace, response.status);
      return withHeader(response, prepared.responseHeader, prepared.requestID);
    } catch (error) {
      const response = errorResponse(error);
      endRequestSpan(prepared.trace, response?.status ?? 500, undefined, response ? undefined : error);
      if (!response) throw error; // not durably's: Next's own error handling (a 500) takes it
      return jsonResponse(response, prepared.responseHeader, prepared.requestID);
    }
  };
}
