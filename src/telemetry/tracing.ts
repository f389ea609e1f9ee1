/**
 * OpenTelemetry spans, through `@opentelemetry/api` only: spans go to whatever
 * tracer provider the application registered (its own SDK). durably never
 * installs a provider or a context manager.
 *
 * Cost: whether a real provider is registered is checked once, at launch
 * (`detectTracerProvider`). Without one, the tracer is `disabledTracer` and
 * every call site checks `tracer.enabled` before building anything: the hot
 * path allocates no span, no attribute object, no context.
 *
 * Parenthood is carried explicitly (durably's own execution context holds the
 * current span; a stored W3C `traceparent` continues a trace in another
 * process), so spans nest correctly even when the application registered no
 * context manager. User code runs inside `context.with` so the application's
 * own instrumentation nests under durably's spans when it has one.
 *
 * Attribute names are DBOS's: legacy (`operationUUID`, ...) by default, or the
 * `dbos.*` names of DBOS's `otelAttributeFormat: 'semconv'`.
 */
import {
  context as otelContext,
  INVALID_SPAN_CONTEXT,
  isSpanContextValid,
  ProxyTracerProvider,
  ROOT_CONTEXT,
  SpanStatusCode,
  trace,
  type Attributes,
  type Context,
  type Link,
  type Span,
  type SpanContext,
  type Tracer,
} from '@opentelemetry/api';

export type OtelAttributeFormat = 'legacy' | 'semconv';
export type { Span, Context } from '@opentelemetry/api';

/** DBOS's legacy attribute names → its semantic-convention names (DBOS 5.3 telemetry/traces.ts). */
const semconvNames: Readonly<Record<string, string>> = {
  operationUUID: 'dbos.operation.workflow_id',
  operationType: 'dbos.operation.type',
  operationName: 'dbos.operation.name',
  applicationID: 'dbos.application.id',
  applicationVersion: 'dbos.application.version',
  executorID: 'dbos.executor.id',
  queueName: 'dbos.queue.name',
  authenticatedUser: 'dbos.user.name',
  authenticatedRoles: 'dbos.user.roles',
  assumedRole: 'dbos.user.assumed_role',
};

export interface TracingIdentity {
  readonly applicationVersion: string;
  readonly executorID: string;
  readonly applicationID?: string;
}

export interface DurablyTracer {
  /** False when no provider is registered (or tracing is off): call sites then do nothing at all. */
  readonly enabled: boolean;
  /** Start a span under `parent` (a context holding the parent span), with attributes under DBOS's names. */
  startSpan(name: string, attributes: Attributes, parent: Context, links?: Link[]): Span;
  /** Set an attribute under its name in the configured format. */
  setAttribute(span: Span, key: string, value: string | number | boolean): void;
  /** End a span: identity attributes, status OK, or ERROR with the exception recorded. */
  endSpan(span: Span, error?: unknown): void;
}

export const disabledTracer: DurablyTracer = {
  enabled: false,
  startSpan: () => trace.wrapSpanContext(INVALID_SPAN_CONTEXT),
  setAttribute: () => undefined,
  endSpan: () => undefined,
};

/** Whether the application registered a tracer provider (not the API's no-op default). */
export function tracerProviderRegistered(): boolean {
  const registered = trace.getTracerProvider();
  // A fresh proxy has no delegate: its delegate is the API's no-op provider singleton.
  const noop = new ProxyTracerProvider().getDelegate();
  if (registered instanceof ProxyTracerProvider) return registered.getDelegate() !== noop;
  // Another copy of the API registered the global: assume a real provider (spans are no-ops otherwise anyway).
  return registered !== noop;
}

/**
 * The tracer for one launch: `tracingEnabled` true forces spans (through
 * whatever provider is global), false turns them off, and by default they are
 * on when a provider is registered at launch.
 */
export function createTracer(
  settings: { tracingEnabled?: boolean; format: OtelAttributeFormat },
  identity: TracingIdentity,
): DurablyTracer {
  const on = settings.tracingEnabled ?? tracerProviderRegistered();
  return on ? new OtelTracer(trace.getTracer('durably'), settings.format, identity) : disabledTracer;
}

const statusOK = { code: SpanStatusCode.OK } as const;

class OtelTracer implements DurablyTracer {
  readonly enabled = true;
  /** The attributes every span gets at its end, named once (bench (o): a span's own cost is counted in µs). */
  private readonly identityAttributes: Attributes;

  constructor(
    private readonly tracer: Tracer,
    private readonly format: OtelAttributeFormat,
    identity: TracingIdentity,
  ) {
    this.identityAttributes = { [this.name('applicationVersion')]: identity.applicationVersion, [this.name('executorID')]: identity.executorID };
    if (identity.applicationID) this.identityAttributes[this.name('applicationID')] = identity.applicationID;
  }

  private name(key: string): string {
    return this.format === 'semconv' ? (semconvNames[key] ?? key) : key;
  }

  startSpan(name: string, attributes: Attributes, parent: Context, links?: Link[]): Span {
    let named = attributes;
    if (this.format === 'semconv') {
      named = {};
      for (const key in attributes) named[this.name(key)] = attributes[key];
    }
    return this.tracer.startSpan(name, links ? { attributes: named, links } : { attributes: named }, parent);
  }

  setAttribute(span: Span, key: string, value: string | number | boolean): void {
    span.setAttribute(this.name(key), value);
  }

  endSpan(span: Span, error?: unknown): void {
    // A span the sampler dropped (or the API's no-op span) keeps nothing: only end it.
    if (!span.isRecording()) return span.end();
    span.setAttributes(this.identityAttributes);
    if (error === undefined) {
      span.setStatus(statusOK);
    } else {
      const exception = error instanceof Error ? error : new Error(String(error));
      span.recordException(exception);
      span.setStatus({ code: SpanStatusCode.ERROR, message: exception.message });
    }
    span.end();
  }
}

/** The context a new span nests under: `span` if given, else the application's active context. */
export function contextWithParent(span: Span | undefined): Context {
  const active = otelContext.active();
  return span ? trace.setSpan(active, span) : active;
}

/** Run `work` with `span` active in the application's context manager (its own instrumentation nests under it). */
export function withActiveSpan<T>(span: Span, work: () => T): T {
  return otelContext.with(trace.setSpan(otelContext.active(), span), work);
}

/** A span's context as a W3C `traceparent` header value; undefined for an invalid (no-op) span context. */
export function formatTraceparent(spanContext: SpanContext): string | undefined {
  if (!isSpanContextValid(spanContext)) return undefined;
  const flags = (spanContext.traceFlags & 0xff).toString(16).padStart(2, '0');
  return `00-${spanContext.traceId}-${spanContext.spanId}-${flags}`;
}

const traceparentPattern = /^([0-9a-f]{2})-([0-9a-f]{32})-([0-9a-f]{16})-([0-9a-f]{2})$/;

/** A W3C `traceparent` value as a remote span context; undefined when absent or malformed (then ignored). */
export function parseTraceparent(value: string | null | undefined): SpanContext | undefined {
  if (!value) return undefined;
  const match = traceparentPattern.exec(value.trim().toLowerCase());
  if (!match || match[1] === 'ff') return undefined;
  const spanContext: SpanContext = { traceId: match[2]!, spanId: match[3]!, traceFlags: parseInt(match[4]!, 16), isRemote: true };
  return isSpanContextValid(spanContext) ? spanContext : undefined;
}

/** The context continuing the trace of a stored or received `traceparent` (the application's active context without one). */
export function contextFromTraceparent(value: string | null | undefined): Context {
  const spanContext = parseTraceparent(value);
  return spanContext ? trace.setSpanContext(ROOT_CONTEXT, spanContext) : otelContext.active();
}

/**
 * A fork's stored trace context: the original's behind this prefix. A fork is
 * a new execution, so its runs start a trace of their own, with a span link
 * to the original's (storedTrace below).
 */
export const linkedTracePrefix = 'link:';

/**
 * What a dequeued or recovered run's workflow span starts from: the stored
 * context as its parent (the trace goes on), or, for a fork, a new trace with
 * a link to the original's (a fork of a fork links to the first original).
 */
export function storedTrace(stored: string | null | undefined): { parent: Context; links?: Link[] } {
  if (!stored?.startsWith(linkedTracePrefix)) return { parent: contextFromTraceparent(stored) };
  let linked = stored;
  while (linked.startsWith(linkedTracePrefix)) linked = linked.slice(linkedTracePrefix.length);
  const spanContext = parseTraceparent(linked);
  return { parent: ROOT_CONTEXT, links: spanContext ? [{ context: spanContext }] : undefined };
}

/** The `traceparent` of the span a context holds, if it holds a valid one. */
export function traceparentOf(parent: Context): string | undefined {
  const span = trace.getSpan(parent);
  return span ? formatTraceparent(span.spanContext()) : undefined;
}
