/**
 * The OpenTelemetry SDK and OTLP exporter packages: optional peer
 * dependencies, imported only when `enableOTLP` is on, so an application
 * that exports nothing installs and loads none of them. A missing one fails
 * the launch with one error naming every package to install.
 */
import { DBOSTelemetryPackagesMissingError } from '../errors/errors.ts';

type SdkTraceBase = typeof import('@opentelemetry/sdk-trace-base');
type TraceExporter = typeof import('@opentelemetry/exporter-trace-otlp-http');
type SdkLogs = typeof import('@opentelemetry/sdk-logs');
type LogExporter = typeof import('@opentelemetry/exporter-logs-otlp-http');
type SdkMetrics = typeof import('@opentelemetry/sdk-metrics');
type MetricExporter = typeof import('@opentelemetry/exporter-metrics-otlp-http');
type Resources = typeof import('@opentelemetry/resources');

export interface OtlpPackages {
  sdkTraceBase: SdkTraceBase;
  traceExporter: TraceExporter;
  sdkLogs: SdkLogs;
  logExporter: LogExporter;
  sdkMetrics: SdkMetrics;
  metricExporter: MetricExporter;
  resources: Resources;
}

/** Each module by its package name (a literal per import, so bundlers and type checkers see them). */
const importers: { [K in keyof OtlpPackages]: [string, () => Promise<OtlpPackages[K]>] } = {
  sdkTraceBase: ['@opentelemetry/sdk-trace-base', () => import('@opentelemetry/sdk-trace-base')],
  traceExporter: ['@opentelemetry/exporter-trace-otlp-http', () => import('@opentelemetry/exporter-trace-otlp-http')],
  sdkLogs: ['@opentelemetry/sdk-logs', () => import('@opentelemetry/sdk-logs')],
  logExporter: ['@opentelemetry/exporter-logs-otlp-http', () => import('@opentelemetry/exporter-logs-otlp-http')],
  sdkMetrics: ['@opentelemetry/sdk-metrics', () => import('@opentelemetry/sdk-metrics')],
  metricExporter: ['@opentelemetry/exporter-metrics-otlp-http', () => import('@opentelemetry/exporter-metrics-otlp-http')],
  resources: ['@opentelemetry/resources', () => import('@opentelemetry/resources')],
};

export const otlpPackageNames: readonly string[] = Object.values(importers).map(([name]) => name);

function isModuleNotFound(error: unknown): boolean {
  const code = (error as { code?: string })?.code;
  return code === 'ERR_MODULE_NOT_FOUND' || code === 'MODULE_NOT_FOUND';
}

/** Import every package; `load` replaces the importer in tests (to simulate a missing package). */
export async function loadOtlpPackages(
  load: (name: string, importer: () => Promise<unknown>) => Promise<unknown> = (_name, importer) => importer(),
): Promise<OtlpPackages> {
  const entries = Object.entries(importers) as [keyof OtlpPackages, [string, () => Promise<unknown>]][];
  const settled = await Promise.allSettled(entries.map(([, [name, importer]]) => load(name, importer)));
  const missing: string[] = [];
  let firstCause: unknown;
  settled.forEach((outcome, index) => {
    if (outcome.status === 'fulfilled') return;
    if (!isModuleNotFound(outcome.reason)) throw outcome.reason;
    missing.push(entries[index]![1][0]);
    firstCause ??= outcome.reason;
  });
  if (missing.length > 0) throw new DBOSTelemetryPackagesMissingError(missing, firstCause);
  const loaded: Partial<Record<keyof OtlpPackages, unknown>> = {};
  settled.forEach((outcome, index) => {
    loaded[entries[index]![0]] = (outcome as PromiseFulfilledResult<unknown>).value;
  });
  return loaded as OtlpPackages;
}
