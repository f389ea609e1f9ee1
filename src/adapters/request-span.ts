/**
 * One span per HTTP request, shared by every framework adapter: started by
 * prepareRequest (http-context.ts) when tracing is on, made the parent of the
 * workflows the handler starts (runInRequest puts it in durably's context),
 * and ended by the adapter with the status code and, where the framework
 * knows it, the matched route. An incoming W3C `traceparent` header makes the
 * span, and so the workflows, part of the caller's trace.
 *
 * Attribute names follow OpenTelemetry's HTTP semantic conventions, plus
 * DBOS's `operationUUID` (the request ID) and `operationType: handler`.
 */
import { currentRuntime } from '../runtime/runtime.ts';
import { contextFromTraceparent, type DurablyTracer, type Span } from '../telemetry/tracing.ts';

export interface RequestTrace {
  readonly span: Span;
  readonly tracer: DurablyTracer;
  readonly method: string;
  ended: boolean;
}

/** What the span needs of the request: method, path (no query: it may hold secrets), headers. */
export interface RequestSpanFacts {
  method: string;
  url: string;
  headers: Readonly<Record<string, string | string[] | undefined>>;
}

/** The request's span, under the caller's trace when a `traceparent` came with it; undefined when tracing is off. */
export function startRequestSpan(facts: RequestSpanFacts, requestID: string): RequestTrace | undefined {
  const tracer = currentRuntime()?.engine.tracer;
  if (!tracer?.enabled) return undefined;
  const header = facts.headers.traceparent;
  const parent = contextFromTraceparent(Array.isArray(header) ? header[0] : header);
  const path = facts.url.split('?')[0] ?? facts.url;
  const span = tracer.startSpan(
    facts.method,
    {
      operationUUID: requestID,
      operationType: 'handler',
      'http.request.method': facts.method,
      'url.path': path,
    },
    parent,
  );
  return { span, tracer, method: facts.method, ended: false };
}

/**
 * End the request's span (once: adapters may report both a finish and a
 * close). A 5xx status, or an error the framework answers, marks it ERROR.
 */
export function endRequestSpan(trace: RequestTrace | undefined, statusCode: number, route?: string, error?: unknown): void {
  if (!trace || trace.ended) return;
  trace.ended = true;
  const { span, tracer } = trace;
  span.setAttribute('http.response.status_code', statusCode);
  if (route) {
    span.setAttribute('http.route', route);
    span.updateName(`${trace.method} ${route}`);
  }
  const failure = error ?? (statusCode >= 500 ? new Error(`HTTP ${statusCode}`) : undefined);
  tracer.endSpan(span, failure);
}

