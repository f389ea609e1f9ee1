/**
 * A real OpenTelemetry SDK for the tracing tests: a BasicTracerProvider with an
 * in-memory exporter (or one that prints each span as a JSON line, for child
 * processes that may be SIGKILLed) and the async-hooks context manager,
 * registered globally once per process, before durably launches.
 */
import { context, trace } from '@opentelemetry/api';
import { AsyncLocalStorageContextManager } from '@opentelemetry/context-async-hooks';
import {
  BasicTracerProvider,
  InMemorySpanExporter,
  SimpleSpanProcessor,
  type ReadableSpan,
  type SpanExporter,
} from '@opentelemetry/sdk-trace-base';

/** A span as the tests compare it (also what a child process prints). */
export interface SpanRecord {
  name: string;
  traceId: string;
  spanId: string;
  parentSpanId: string | undefined;
  attributes: Record<string, unknown>;
  events: { name: string; attributes: Record<string, unknown> }[];
  status: { code: number; message?: string };
  links: { traceId: string; spanId: string }[];
}

export function toRecord(span: ReadableSpan): SpanRecord {
  return {
    name: span.name,
    traceId: span.spanContext().traceId,
    spanId: span.spanContext().spanId,
    parentSpanId: span.parentSpanContext?.spanId,
    attributes: { ...span.attributes },
    events: span.events.map((event) => ({ name: event.name, attributes: { ...(event.attributes ?? {}) } })),
    status: { ...span.status },
    links: span.links.map((link) => ({ traceId: link.context.traceId, spanId: link.context.spanId })),
  };
}

function register(exporter: SpanExporter): void {
  const provider = new BasicTracerProvider({ spanProcessors: [new SimpleSpanProcessor(exporter)] });
  if (!trace.setGlobalTracerProvider(provider)) throw new Error('A tracer provider was registered already.');
  context.setGlobalContextManager(new AsyncLocalStorageContextManager().enable());
}

/** Register an in-memory exporter; read its spans with `spans()`, clear them with `reset()`. */
export function recordSpans(): { spans(): SpanRecord[]; reset(): void } {
  const exporter = new InMemorySpanExporter();
  register(exporter);
  return { spans: () => exporter.getFinishedSpans().map(toRecord), reset: () => exporter.reset() };
}

/** Register an exporter that prints `SPAN <json>` for each span as it ends (survives a SIGKILL right after). */
export function printSpans(): void {
  register({
    export(spans, done) {
      for (const span of spans) process.stdout.write(`SPAN ${JSON.stringify(toRecord(span))}\n`);
      done({ code: 0 });
    },
    shutdown: async () => undefined,
  });
}

/** The spans a child process printed. */
export function printedSpans(lines: readonly string[]): SpanRecord[] {
  return lines.filter((line) => line.startsWith('SPAN ')).map((line) => JSON.parse(line.slice(5)) as SpanRecord);
}

/** Run `work` inside a span of the test's own (the caller of durably), which ends after it. */
export async function inCallerSpan<T>(name: string, work: () => Promise<T>): Promise<{ value: T; traceId: string; spanId: string }> {
  const span = trace.getTracer('test').startSpan(name);
  try {
    const value = await context.with(trace.setSpan(context.active(), span), work);
    return { value, traceId: span.spanContext().traceId, spanId: span.spanContext().spanId };
  } finally {
    span.end();
  }
}
