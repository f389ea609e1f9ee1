/**
 * setConfig + environment -> the configuration launch uses, validated.
 * Database selection, in order: `systemDatabaseUrl`, the
 * DBOS_SYSTEM_DATABASE_URL variable, then the SQLite file `./<name>.sqlite`.
 * (The DBOS SDK reads that variable only in its cloud; durably always does.)
 */
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import type { DBOSConfig } from '../types/config-types.ts';
import type { DBOSSerializer } from '../types/serialization-types.ts';
import { serializerName } from '../engine/serializers.ts';
import type { RetentionOptions } from '../management/retention.ts';
import { DBOSConfigurationError } from '../errors/errors.ts';
import { WorkflowQueue } from '../queues/workflow-queue.ts';
import { defaultOutageTimeoutMs } from '../system-database/connection.ts';
import type { SystemDatabaseTarget } from '../system-database/open-system-database.ts';
import { parsePostgresUrl, redactUrl } from '../system-database/postgres/postgres-url.ts';
import { sqlitePath } from '../system-database/sqlite/sqlite-path.ts';
import { validateCompletionTimeout } from './shutdown-options.ts';
import { consoleLogger, type DLogger, type LogLevel } from '../telemetry/logger.ts';
import type { OtelAttributeFormat } from '../telemetry/tracing.ts';
import {
  checkAdminPort,
  checkBooleanOptions,
  checkLogger,
  checkOtelAttributeFormat,
  checkOtlpEndpoints,
  pollingConcurrency,
  resolveLogLevel,
  unknownOptionError,
} from './config-options.ts';
import { callerPool } from './caller-pool.ts';
import { resolveAdminOptions, type AdminServerOptions } from '../admin/admin-options.ts';

export interface ResolvedConfig {
  name: string;
  target: SystemDatabaseTarget;
  /** Null: compute it from the registered workflows' source at launch. */
  applicationVersion: string | null;
  enablePatching: boolean;
  schedulerPollingIntervalMs: number;
  executorID: string;
  /** The custom logger, or the console logger at `logLevel`; the Runtime wraps it to add each record's context. */
  logger: DLogger;
  logLevel: LogLevel;
  addContextMetadata: boolean;
  /** OTLP export (`enableOTLP`); the endpoint lists are undefined when not configured (the OTEL_EXPORTER_OTLP_* variables apply). */
  otlp: { enabled: boolean; tracesEndpoints: string[] | undefined; logsEndpoints: string[] | undefined; exportLogs: boolean };
  heartbeatIntervalMs: number;
  executorTimeoutMs: number;
  adoptCompatibleWorkflows: boolean;
  workflowRetention: RetentionOptions | undefined;
  /** The queues this process dequeues from (besides the internal one); null for all. */
  listenQueues: ReadonlySet<string> | null;
  /** Undefined: DBOS's superjson format. */
  serializer: DBOSSerializer | undefined;
  /** Null unless `runAdminServer`. */
  admin: AdminServerOptions | null;
  /** Tracing: forced on or off by `tracingEnabled`, else on when a tracer provider is registered at launch. */
  tracing: { tracingEnabled?: boolean; format: OtelAttributeFormat };
  /** DBOS.shutdown()'s grace period when it is called without one (0: interrupt at once). */
  workflowCompletionTimeoutMS: number;
}

const knownKeys = new Set<string>([
  'name', 'systemDatabaseUrl', 'systemDatabaseSchemaName', 'systemDatabasePoolSize', 'sqliteSynchronous', 'workflowCompletionTimeoutMS',
  'applicationVersion', 'enablePatching', 'schedulerPollingIntervalMs', 'executorID', 'heartbeatIntervalMs', 'executorTimeoutMs', 'adoptCompatibleWorkflows', 'workflowRetention', 'listenQueues', 'serializer', 'logLevel', 'logger', 'enableOTLP', 'tracingEnabled', 'otelAttributeFormat', 'addContextMetadata',
  'otlpTracesEndpoints', 'otlpLogsEndpoints', 'runAdminServer', 'adminPort',
  'adminHost', 'adminToken', 'adminCorsOrigins',
  'systemDatabasePool', 'systemDatabasePollingConcurrency', 'useListenNotify', 'runMigrations',
  'databaseOutageTimeoutMs',
]);

/** DBOS's application version when patching is enabled: one version for old and new code alike. */
const patchingVersion = 'PATCHING_ENABLED';

function defaultAppName(): string {
  try {
    const pkg = JSON.parse(readFileSync(resolve(process.cwd(), 'package.json'), 'utf8')) as { name?: unknown };
    if (typeof pkg.name === 'string' && pkg.name) return pkg.name.replace(/^@[^/]+\//, '');
  } catch {
    // No package.json here: fall through.
  }
  return 'durably';
}

function optionalString(config: DBOSConfig, key: keyof DBOSConfig): string | undefined {
  const value = config[key];
  if (value === undefined) return undefined;
  if (typeof value !== 'string' || value.trim() === '') {
    throw new DBOSConfigurationError(`Config option "${key}" must be a non-empty string, got ${JSON.stringify(value)}.`);
  }
  return value;
}

function positiveMs(
  config: DBOSConfig,
  key: 'heartbeatIntervalMs' | 'executorTimeoutMs' | 'schedulerPollingIntervalMs' | 'databaseOutageTimeoutMs',
  fallback: number,
): number {
  const value = config[key];
  if (value === undefined) return fallback;
  if (typeof value !== 'number' || !(value > 0) || !Number.isFinite(value)) {
    throw new DBOSConfigurationError(`Config option "${key}" must be a positive number of milliseconds, got ${JSON.stringify(value)}.`);
  }
  return value;
}

function retention(value: DBOSConfig['workflowRetention']): RetentionOptions | undefined {
  if (value === undefined) return undefined;
  for (const key of ['maxAgeMs', 'maxRows', 'intervalMs'] as const) {
    const n = value?.[key];
    if (n !== undefined && (typeof n !== 'number' || !(n > 0) || !Number.isFinite(n))) {
      throw new DBOSConfigurationError(`workflowRetention.${key} must be a positive number, got ${JSON.stringify(n)}.`);
    }
  }
  if (value.maxAgeMs === undefined && value.maxRows === undefined) {
    throw new DBOSConfigurationError('workflowRetention needs maxAgeMs, maxRows or both.');
  }
  return value;
}

/** listenQueues as a set of names: each entry a non-empty queue name or a WorkflowQueue. */
function listenQueues(value: DBOSConfig['listenQueues']): ReadonlySet<string> | null {
  if (value === undefined) return null;
  if (!Array.isArray(value)) {
    throw new DBOSConfigurationError(`Config option "listenQueues" must be an array of queue names or WorkflowQueues, got ${JSON.stringify(value)}.`);
  }
  return new Set(
    value.map((entry: unknown) => {
      if (entry instanceof WorkflowQueue) return entry.name;
      if (typeof entry === 'string' && entry.length > 0) return entry;
      throw new DBOSConfigurationError(
        `Config option "listenQueues": each entry must be a queue name (non-empty string) or a WorkflowQueue, got ${JSON.stringify(entry)}.`,
      );
    }),
  );
}

/** Which backend a URL (or path) names; a caller's pg.Pool names Postgres. */
export function databaseTarget(url: string, config: DBOSConfig): SystemDatabaseTarget {
  const runMigrations = config.runMigrations ?? true;
  const outageTimeoutMs = positiveMs(config, 'databaseOutageTimeoutMs', defaultOutageTimeoutMs);
  const pool = callerPool(config.systemDatabasePool);
  if (pool || /^postgres(ql)?:\/\//i.test(url)) {
    if (pool && config.systemDatabaseUrl !== undefined && !/^postgres(ql)?:\/\//i.test(config.systemDatabaseUrl)) {
      throw new DBOSConfigurationError(
        `systemDatabasePool is a Postgres pool, but systemDatabaseUrl "${redactUrl(config.systemDatabaseUrl)}" is not a Postgres URL: drop one of them.`,
      );
    }
    const postgresUrl = pool && config.systemDatabaseUrl === undefined ? pool.url : url;
    parsePostgresUrl(postgresUrl);
    const schema = config.systemDatabaseSchemaName ?? 'dbos';
    if (!/^[A-Za-z_][A-Za-z0-9_]{0,40}$/.test(schema)) {
      throw new DBOSConfigurationError(
        `systemDatabaseSchemaName must be a plain identifier (letters, digits, _; at most 41 characters), got "${schema}".`,
      );
    }
    const poolSize = pool ? pool.size : (config.systemDatabasePoolSize ?? 10);
    if (!Number.isInteger(poolSize) || poolSize < 2) {
      throw new DBOSConfigurationError(`systemDatabasePoolSize must be an integer >= 2, got ${poolSize}.`);
    }
    return {
      backend: 'postgres',
      url: postgresUrl,
      schema,
      poolSize,
      pool: pool?.pool,
      useListenNotify: config.useListenNotify ?? true,
      runMigrations,
      pollingConcurrency: pollingConcurrency(config.systemDatabasePollingConcurrency, poolSize),
      outageTimeoutMs,
    };
  }
  const synchronous = config.sqliteSynchronous ?? 'FULL';
  if (synchronous !== 'FULL' && synchronous !== 'NORMAL') {
    throw new DBOSConfigurationError(`sqliteSynchronous must be "FULL" or "NORMAL", got ${JSON.stringify(synchronous)}.`);
  }
  return {
    backend: 'sqlite',
    path: sqlitePath(url),
    synchronous,
    runMigrations,
    pollingConcurrency: pollingConcurrency(config.systemDatabasePollingConcurrency, undefined),
    outageTimeoutMs,
  };
}


export function resolveConfig(config: DBOSConfig = {}, env: NodeJS.ProcessEnv = process.env): ResolvedConfig {
  if (typeof config !== 'object' || config === null) {
    throw new DBOSConfigurationError(`DBOS.setConfig expects an object, got ${config === null ? 'null' : typeof config}.`);
  }
  for (const key of Object.keys(config)) {
    if (!knownKeys.has(key)) throw unknownOptionError(key, knownKeys);
  }
  checkBooleanOptions(config);
  checkAdminPort(config.adminPort);
  const admin = resolveAdminOptions(config, 'Config option', config.runAdminServer === true);
  checkOtlpEndpoints(config);
  const name = optionalString(config, 'name') ?? defaultAppName();
  const url = optionalString(config, 'systemDatabaseUrl') ?? (env.DBOS_SYSTEM_DATABASE_URL || `./${name.replace(/[^\w.-]/g, '_')}.sqlite`);
  const logLevel = resolveLogLevel(config.logLevel);
  const heartbeatIntervalMs = positiveMs(config, 'heartbeatIntervalMs', 10_000);
  const executorTimeoutMs = positiveMs(config, 'executorTimeoutMs', Math.max(60_000, 3 * heartbeatIntervalMs));
  if (executorTimeoutMs <= heartbeatIntervalMs) {
    throw new DBOSConfigurationError(
      `executorTimeoutMs (${executorTimeoutMs}) must exceed heartbeatIntervalMs (${heartbeatIntervalMs}), or live executors would look dead.`,
    );
  }
  if (config.enablePatching !== undefined && typeof config.enablePatching !== 'boolean') {
    throw new DBOSConfigurationError(`Config option "enablePatching" must be a boolean, got ${JSON.stringify(config.enablePatching)}.`);
  }
  const enablePatching = config.enablePatching === true;
  return {
    name,
    workflowRetention: retention(config.workflowRetention),
    listenQueues: listenQueues(config.listenQueues),
    heartbeatIntervalMs,
    executorTimeoutMs,
    adoptCompatibleWorkflows: config.adoptCompatibleWorkflows === true,
    target: databaseTarget(url, config),
    applicationVersion:
      optionalString(config, 'applicationVersion') ?? (enablePatching ? patchingVersion : null) ?? (env.DBOS__APPVERSION || null),
    enablePatching,
    schedulerPollingIntervalMs: positiveMs(config, 'schedulerPollingIntervalMs', 30_000),
    executorID: optionalString(config, 'executorID') ?? (env.DBOS__VMID || 'local'),
    logger: checkLogger(config.logger) ?? consoleLogger(logLevel),
    logLevel,
    addContextMetadata: config.addContextMetadata === true,
    otlp: {
      enabled: config.enableOTLP === true,
      tracesEndpoints: config.otlpTracesEndpoints,
      logsEndpoints: config.otlpLogsEndpoints,
      // As in DBOS: a custom logger owns its records, they are not exported.
      exportLogs: config.logger === undefined,
    },
    serializer: config.serializer === undefined ? undefined : (serializerName(config.serializer), config.serializer),
    admin: config.runAdminServer === true ? admin : null,
    tracing: { tracingEnabled: config.tracingEnabled, format: checkOtelAttributeFormat(config.otelAttributeFormat) },
    workflowCompletionTimeoutMS: validateCompletionTimeout(config.workflowCompletionTimeoutMS, 'Config option "workflowCompletionTimeoutMS"') ?? 0,
  };
}
