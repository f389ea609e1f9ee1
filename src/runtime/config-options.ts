/**
 * Checks of single config options, for resolve-config.ts: each bad value is
 * refused with a DBOSConfigurationError naming the option and the value, so a
 * typo fails at setConfig()/launch() instead of being ignored.
 */
import type { DBOSConfig } from '../types/config-types.ts';
import { DBOSConfigurationError } from '../errors/errors.ts';
import { logLevelNamed, logLevelNames, type DLogger, type LogLevel } from '../telemetry/logger.ts';
import type { OtelAttributeFormat } from '../telemetry/tracing.ts';

/** DBOS options durably does not implement: named as such, so they are not mistaken for typos. */
const unsupportedDbosOptions = new Set([
  'maxConcurrentQueueDispatches', 'notificationCoalesceMs',
  'observabilityQueryTimeoutMs', 'systemDatabaseIdleTransactionTimeoutMs',
]);

export function unknownOptionError(key: string, known: ReadonlySet<string>): DBOSConfigurationError {
  if (unsupportedDbosOptions.has(key)) {
    return new DBOSConfigurationError(
      `Config option "${key}" is a DBOS option durably does not support; remove it (see README, "Differences from DBOS").`,
    );
  }
  const sameButCase = [...known].find((name) => name.toLowerCase() === key.toLowerCase());
  const hint = sameButCase ? ` Did you mean "${sameButCase}"?` : ` Known options: ${[...known].join(', ')}.`;
  return new DBOSConfigurationError(`Unknown config option "${key}".${hint}`);
}

const booleanOptions = ['enableOTLP', 'tracingEnabled', 'addContextMetadata', 'runAdminServer', 'useListenNotify', 'runMigrations', 'adoptCompatibleWorkflows'] as const;

export function checkBooleanOptions(config: DBOSConfig): void {
  for (const key of booleanOptions) {
    const value = config[key];
    if (value !== undefined && typeof value !== 'boolean') {
      throw new DBOSConfigurationError(`Config option "${key}" must be true or false, got ${JSON.stringify(value)}.`);
    }
  }
}

export function checkAdminPort(value: unknown): void {
  if (value === undefined) return;
  if (typeof value !== 'number' || !Number.isInteger(value) || value < 1 || value > 65535) {
    throw new DBOSConfigurationError(`Config option "adminPort" must be an integer from 1 to 65535, got ${JSON.stringify(value)}.`);
  }
}

/** DBOS's span attribute names: `legacy` (default, `operationUUID`, ...) or `semconv` (`dbos.operation.workflow_id`, ...). */
export function checkOtelAttributeFormat(value: unknown): OtelAttributeFormat {
  if (value === undefined) return 'legacy';
  if (value === 'legacy' || value === 'semconv') return value;
  throw new DBOSConfigurationError(`Config option "otelAttributeFormat" must be 'legacy' or 'semconv', got ${JSON.stringify(value)}.`);
}

export function checkOtlpEndpoints(config: DBOSConfig): void {
  for (const key of ['otlpTracesEndpoints', 'otlpLogsEndpoints'] as const) {
    const value: unknown = config[key];
    if (value === undefined) continue;
    if (!Array.isArray(value)) {
      throw new DBOSConfigurationError(`Config option "${key}" must be an array of URLs, got ${JSON.stringify(value)}.`);
    }
    for (const entry of value) {
      if (typeof entry !== 'string' || !URL.canParse(entry) || !/^https?:$/.test(new URL(entry).protocol)) {
        throw new DBOSConfigurationError(`Config option "${key}" must hold http(s) URLs, got ${JSON.stringify(entry)}.`);
      }
    }
  }
}

/** The configured level, in any case, as DBOS accepts it. */
export function resolveLogLevel(value: unknown): LogLevel {
  if (value === undefined) return 'info';
  const level = logLevelNamed(value);
  if (!level) {
    throw new DBOSConfigurationError(
      `Config option "logLevel" must be one of ${logLevelNames.join(', ')} (any case), got ${JSON.stringify(value)}.`,
    );
  }
  return level;
}

export function checkLogger(value: unknown): DLogger | undefined {
  if (value === undefined) return undefined;
  const missing = ['debug', 'info', 'warn', 'error'].filter(
    (method) => typeof (value as Record<string, unknown> | null)?.[method] !== 'function',
  );
  if (missing.length > 0) {
    throw new DBOSConfigurationError(`Config option "logger" must have debug, info, warn and error methods; it lacks ${missing.join(', ')}.`);
  }
  return value as DLogger;
}

/**
 * The bound on concurrent polling reads: the configured number (0 or less:
 * unlimited, as in DBOS), else half the Postgres pool (at least 1); SQLite's
 * one connection serializes reads anyway, so unlimited there by default.
 */
export function pollingConcurrency(value: unknown, postgresPoolSize: number | undefined): number {
  if (value === undefined) return postgresPoolSize === undefined ? 0 : Math.max(1, Math.floor(postgresPoolSize / 2));
  if (typeof value !== 'number' || !Number.isInteger(value)) {
    throw new DBOSConfigurationError(
      `Config option "systemDatabasePollingConcurrency" must be an integer (0 or less: unlimited), got ${JSON.stringify(value)}.`,
    );
  }
  return Math.max(0, value);
}
