/**
 * OTLP export, configured as in DBOS: `enableOTLP` turns it on;
 * `otlpTracesEndpoints` and `otlpLogsEndpoints` name the collectors (one
 * exporter per URL); without them each exporter follows the standard
 * `OTEL_EXPORTER_OTLP_*` environment variables (endpoint, headers, timeout),
 * or the OTLP default http://localhost:4318. Exports are OTLP/HTTP with JSON.
 *
 * What it installs, only where the application installed nothing itself (as
 * DBOS does): a tracer provider (durably's spans, and the application's), a
 * meter provider (durably's metrics, telemetry/workflow-metrics.ts), and a log
 * sink for the contextual logger (not with a custom logger: as in DBOS, that
 * logger owns its records).
 *
 * Never on the workflow path: batch processors with bounded queues (records
 * beyond them are dropped), failures are a warning (export-warnings.ts), and
 * shutdown flushes what is buffered for at most `flushTimeoutMs`.
 */
import { metrics, ROOT_CONTEXT, trace, TraceFlags, type AttributeValue } from '@opentelemetry/api';
import type { LogContext, LogRecordSink } from './contextual-logger.ts';
import { warnOnFailure } from './export-warnings.ts';
import type { RecordLevel } from './logger.ts';
import { loadOtlpPackages, type OtlpPackages } from './otlp-packages.ts';
import { tracerProviderRegistered } from './tracing.ts';
import { meterProviderRegistered } from './workflow-metrics.ts';

export interface OtlpSettings {
  /** Collector URLs; undefined: the exporter's environment variables or default. */
  readonly tracesEndpoints: readonly string[] | undefined;
  readonly logsEndpoints: readonly string[] | undefined;
  /** False with a custom logger: its records are its own. */
  readonly exportLogs: boolean;
  readonly serviceName: string;
  readonly executorID: string;
  readonly flushTimeoutMs?: number;
}

export interface OtlpExport {
  /** Where the contextual logger sends its records; undefined when logs are not exported. */
  readonly logSink: LogRecordSink | undefined;
  /** Flush and close everything installed, for at most the flush timeout; unregister the globals. */
  shutdown(): Promise<void>;
}

/** The OTLP severity numbers (logs data model). */
const severity: Record<RecordLevel, number> = { debug: 5, info: 9, warn: 13, error: 17 };

const bounded = { maxQueueSize: 2048, maxExportBatchSize: 512, scheduledDelayMillis: 500, exportTimeoutMillis: 10_000 };

/** An attribute value OTLP can carry: primitives and arrays of them as they are, anything else as JSON text. */
function attributeValue(value: unknown): AttributeValue | undefined {
  if (value === undefined || value === null) return undefined;
  if (typeof value === 'string' || typeof value === 'number' || typeof value === 'boolean') return value;
  if (value instanceof Error) return value.stack ?? value.message;
  try {
    return JSON.stringify(value) ?? String(value);
  } catch {
    return String(value);
  }
}

function logAttributes(attributes: Record<string, unknown>): Record<string, AttributeValue> {
  const converted: Record<string, AttributeValue> = {};
  for (const [key, value] of Object.entries(attributes)) {
    const attribute = attributeValue(value);
    if (attribute !== undefined) converted[key] = attribute;
  }
  return converted;
}

/** The span a record was written in, as the context the SDK correlates it with. */
function recordContext(context: LogContext) {
  if (!context.traceId || !context.spanId) return undefined;
  return trace.setSpanContext(ROOT_CONTEXT, { traceId: context.traceId, spanId: context.spanId, traceFlags: TraceFlags.SAMPLED });
}

function withTimeout(work: Promise<unknown>, timeoutMs: number): Promise<void> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<void>((resolve) => {
    timer = setTimeout(resolve, timeoutMs);
    timer.unref();
  });
  return Promise.race([work.then(() => undefined, () => undefined), timeout]).finally(() => clearTimeout(timer));
}

export async function startOtlpExport(
  settings: OtlpSettings,
  log: { warn(message: string): void; info(message: string): void },
  packages?: OtlpPackages,
): Promise<OtlpExport> {
  const sdk = packages ?? (await loadOtlpPackages());
  const resource = sdk.resources.resourceFromAttributes({
    'service.name': settings.serviceName,
    'service.instance.id': settings.executorID,
  });
  const urls = (endpoints: readonly string[] | undefined) => (endpoints && endpoints.length > 0 ? endpoints : [undefined]);
  const warn = (message: string) => log.warn(message);
  const closers: (() => Promise<void>)[] = [];
  /** Run after the flush, whether or not it finished in time, so a later launch can install its own. */
  const unregisters: (() => void)[] = [];

  if (tracerProviderRegistered()) {
    log.info('OTLP: the application registered its own tracer provider; durably\'s spans go to it, not to otlpTracesEndpoints.');
  } else {
    const spanProcessors = urls(settings.tracesEndpoints).map((url) => {
      const exporter = warnOnFailure(new sdk.traceExporter.OTLPTraceExporter(url ? { url } : {}), 'spans', url ?? 'the OTLP endpoint', warn);
      return new sdk.sdkTraceBase.BatchSpanProcessor(exporter, bounded);
    });
    const provider = new sdk.sdkTraceBase.BasicTracerProvider({ resource, spanProcessors });
    trace.setGlobalTracerProvider(provider);
    closers.push(() => provider.shutdown());
    unregisters.push(() => trace.disable());
  }

  if (!meterProviderRegistered()) {
    const exporter = warnOnFailure(new sdk.metricExporter.OTLPMetricExporter(), 'metrics', 'the OTLP endpoint', warn);
    const reader = new sdk.sdkMetrics.PeriodicExportingMetricReader({ exporter, exportIntervalMillis: 10_000, exportTimeoutMillis: 5_000 });
    const provider = new sdk.sdkMetrics.MeterProvider({ resource, readers: [reader] });
    metrics.setGlobalMeterProvider(provider);
    closers.push(() => provider.shutdown());
    unregisters.push(() => metrics.disable());
  }

  let logSink: LogRecordSink | undefined;
  if (settings.exportLogs) {
    const processors = urls(settings.logsEndpoints).map((url) => {
      const exporter = warnOnFailure(new sdk.logExporter.OTLPLogExporter(url ? { url } : {}), 'log records', url ?? 'the OTLP endpoint', warn);
      return new sdk.sdkLogs.BatchLogRecordProcessor({ exporter, ...bounded });
    });
    const provider = new sdk.sdkLogs.LoggerProvider({ resource, processors });
    const otelLogger = provider.getLogger('durably');
    logSink = (level, text, attributes, context) => {
      otelLogger.emit({
        severityNumber: severity[level],
        severityText: level.toUpperCase(),
        body: text,
        attributes: logAttributes(attributes),
        context: recordContext(context),
      });
    };
    closers.push(() => provider.shutdown());
  }

  const flushTimeoutMs = settings.flushTimeoutMs ?? 5_000;
  return {
    logSink,
    // Each provider's shutdown flushes its buffer first; a dead collector holds shutdown for the timeout at most.
    shutdown: async () => {
      await withTimeout(Promise.all(closers.map((close) => close())), flushTimeoutMs);
      for (const unregister of unregisters) unregister();
    },
  };
}
