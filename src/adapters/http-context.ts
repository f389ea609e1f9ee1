/**
 * What every HTTP framework adapter shares, framework-neutral: the request ID,
 * the request context that DBOS.request returns (recorded on the workflows the
 * request starts), the idempotency-key header that becomes the next workflow's
 * ID, and the refusals (bad key 400, not launched 503) answered before any
 * handler runs. An adapter turns its framework's request into RequestFacts,
 * calls prepareRequest, and runs the rest of the request in runInRequest.
 */
import { randomUUID } from 'node:crypto';
import { DBOS } from '../api/dbos.ts';
import { currentContext, DeferredRequest, runInContext, type ExecutionContext } from '../engine/workflow-context.ts';
import type { HTTPRequest } from '../types/workflow-types.ts';
import type { ErrorResponse } from './http-errors.ts';
import { withActiveSpan } from '../telemetry/tracing.ts';
import { startRequestSpan, type RequestTrace } from './request-span.ts';

export interface DurablyHttpOptions {
  /** The header carrying the request ID, echoed on the response (default `x-request-id`, then `dbos-request-id`). */
  requestIDHeader?: string;
  /** The header whose value becomes the ID of the first workflow the handler starts (default `dbos-idempotency-key`). */
  idempotencyKeyHeader?: string;
}

export type HeaderValues = Readonly<Record<string, string | string[] | undefined>>;

/** What an adapter reads from its framework's request. */
export interface RequestFacts {
  method: string;
  url: string;
  /**
   * The client address, or where to read it when DBOS.request is built (some frameworks compute it on every read:
   * Express walks its proxy rules). Not a getter: an accessor in an object literal gives each request's object a
   * hidden class of its own in V8, which cost more than the whole middleware.
   */
  readonly ip: string | undefined | ClientAddress<never>;
  /** Node's headers: names already lower-cased. */
  headers: HeaderValues;
}

/** `read(from)` is the client address; `read` a module-level function, so that no closure is made per request. */
export interface ClientAddress<Source> {
  readonly from: Source;
  readonly read: (from: Source) => string | undefined;
}

/** Where an adapter's framework keeps the client address. */
export function clientAddress<Source>(from: Source, read: (from: Source) => string | undefined): ClientAddress<never> {
  return { from, read } as unknown as ClientAddress<never>;
}

function ipOf(facts: RequestFacts): string | undefined {
  const ip = facts.ip as string | undefined | ClientAddress<unknown>;
  return typeof ip === 'object' ? ip.read(ip.from) : ip;
}

export type PreparedRequest =
  | {
      readonly ok: true;
      readonly requestID: string;
      readonly responseHeader: string;
      /** DBOS.request's object, built on first use (most requests start no workflow and never read it). */
      readonly request: LazyRequest;
      readonly idempotencyKey?: string;
      /** The request's span when tracing is on: the adapter ends it (request-span.ts endRequestSpan). */
      readonly trace?: RequestTrace;
    }
  | { readonly ok: false; readonly requestID: string; readonly responseHeader: string; readonly refusal: ErrorResponse };

export const defaultRequestIDHeader = 'x-request-id';
export const fallbackRequestIDHeader = 'dbos-request-id';
export const defaultIdempotencyKeyHeader = 'dbos-idempotency-key';
export const maxIdempotencyKeyLength = 512;

/** Headers never recorded: they are credentials, and the request is stored in the database. */
const secretHeaders = new Set(['authorization', 'cookie']);

function firstValue(value: string | string[] | undefined): string | undefined {
  return Array.isArray(value) ? value[0] : value;
}

function resolveRequestID(headers: HeaderValues, options: DurablyHttpOptions | undefined): string {
  const custom = options?.requestIDHeader;
  const value = custom
    ? firstValue(headers[custom.toLowerCase()])
    : firstValue(headers[defaultRequestIDHeader]) || firstValue(headers[fallbackRequestIDHeader]);
  return value || randomUUID();
}

/** The headers kept with the request. Runs on every request: a plain for-in, as names are lower-cased already (RequestFacts). */
function recordedHeaders(headers: HeaderValues): Record<string, string | string[]> {
  const kept: Record<string, string | string[]> = {};
  for (const name in headers) {
    const value = headers[name];
    if (value !== undefined && !secretHeaders.has(name)) kept[name] = value;
  }
  return kept;
}

function badRequest(message: string): ErrorResponse {
  return { status: 400, body: { message, dbos_error_code: 400, dbos_error: 'DBOSDataValidationError' } };
}

/** The key's problem, or undefined when it can be a workflow ID. */
function idempotencyKeyProblem(name: string, value: string | string[]): string | undefined {
  if (Array.isArray(value)) return `The ${name} header was sent ${value.length} times; send it once.`;
  if (value.length === 0) return `The ${name} header is empty.`;
  if (value.length > maxIdempotencyKeyLength) {
    return `The ${name} header is ${value.length} characters long; at most ${maxIdempotencyKeyLength} are allowed.`;
  }
  // eslint-disable-next-line no-control-regex
  if (/[\u0000-\u001f\u007f]/.test(value)) return `The ${name} header ${JSON.stringify(value)} contains control characters.`;
  return undefined;
}

/** Everything decided about a request before its handler runs; nothing is written. */
export function prepareRequest(facts: RequestFacts, options?: DurablyHttpOptions): PreparedRequest {
  const requestID = resolveRequestID(facts.headers, options);
  const responseHeader = options?.requestIDHeader?.toLowerCase() ?? defaultRequestIDHeader;
  if (!DBOS.isInitialized()) {
    const body = { message: 'durably is not launched yet: call DBOS.launch() before serving requests.', dbos_error_code: 503, dbos_error: 'DBOSNotLaunched' };
    return { ok: false, requestID, responseHeader, refusal: { status: 503, body } };
  }
  const keyHeader = options?.idempotencyKeyHeader?.toLowerCase() ?? defaultIdempotencyKeyHeader;
  const key = facts.headers[keyHeader];
  const problem = key === undefined ? undefined : idempotencyKeyProblem(keyHeader, key);
  if (problem) return { ok: false, requestID, responseHeader, refusal: badRequest(problem) };
  const request = new LazyRequest(requestID, facts);
  const trace = startRequestSpan(facts, requestID);
  return { ok: true, requestID, responseHeader, request, idempotencyKey: key as string | undefined, trace };
}

/**
 * Copying the headers and reading the client address (Express's req.ip walks proxy rules) cost more than the rest of
 * the middleware, and only a request that starts a workflow or reads DBOS.request needs them: built on first use.
 */
export class LazyRequest extends DeferredRequest {
  private built: HTTPRequest | undefined;

  constructor(
    private readonly requestID: string,
    private readonly facts: RequestFacts,
  ) {
    super();
  }

  get(): HTTPRequest {
    const { facts } = this;
    return (this.built ??= { requestID: this.requestID, method: facts.method, url: facts.url, ip: ipOf(facts), headers: recordedHeaders(facts.headers) });
  }
}

/** Run the rest of the request (the handler and all it awaits) with DBOS.request set and the key as the next workflow ID. */
export function runInRequest<T>(prepared: PreparedRequest & { ok: true }, work: () => T): T {
  const span = prepared.trace?.span;
  // The request span is the parent of the workflows started here, and active for the application's own spans.
  const key = prepared.idempotencyKey;
  const context: ExecutionContext = {
    ...currentContext(),
    request: prepared.request,
    ...(span && { span }),
    ...(key !== undefined && { assignedWorkflowID: { id: key, used: false } }),
  };
  return runInContext(context, span ? () => withActiveSpan(span, work) : work);
}
