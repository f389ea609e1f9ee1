/**
 * The system database of a DBOSClient: opened from the same URLs as
 * DBOS.setConfig's systemDatabaseUrl, never migrated (a client is not the
 * owner of the schema; workers and `durably migrate` are), and wrapped in an
 * Engine with an empty registry, so the management, communication and
 * queue functions the facade uses serve the client unchanged. Nothing
 * registered means nothing can run here.
 */
import type { Pool } from 'pg';
import { DBOSConfigurationError, DBOSInitializationError } from '../errors/errors.ts';
import { callerPool } from '../runtime/caller-pool.ts';
import { Engine, type QueuePlanner } from '../engine/engine.ts';
import { Registry } from '../engine/registry.ts';
import { openSystemDatabase, type SystemDatabaseTarget } from '../system-database/open-system-database.ts';
import { parsePostgresUrl, redactUrl } from '../system-database/postgres/postgres-url.ts';
import { sqlitePath } from '../system-database/sqlite/sqlite-path.ts';
import type { DLogger } from '../telemetry/logger.ts';

/** What DBOSClient.create needs to reach the system database. */
export interface ClientDatabaseOptions {
  systemDatabaseUrl: string;
  /** A pg.Pool of yours on the (Postgres) system database: used instead of one of ours, and never ended by the client. */
  systemDatabasePool?: Pool;
  systemDatabaseSchemaName?: string;
  systemDatabasePoolSize?: number;
  /**
   * Statement timeout (ms) of the client's observability reads: listings, workflow status, steps (DBOS's default
   * 30 000; 0 or less: none). A read cut off fails with DBOSQueryTimeoutError. Postgres only: SQLite cannot
   * interrupt a statement.
   */
  observabilityQueryTimeoutMs?: number;
  /**
   * Postgres `idle_in_transaction_session_timeout` (ms) of the connections of the client's own pool (default
   * 60 000; 0 or less: the server's setting). Not applied to a `systemDatabasePool` of yours.
   */
  systemDatabaseIdleTransactionTimeoutMs?: number;
  /** How long an operation retries through a lost or stalled Postgres connection (default 60 s), as in DBOSConfig. */
  databaseOutageTimeoutMs?: number;
}

/** DBOS's defaults. */
export const defaultObservabilityQueryTimeoutMs = 30_000;
export const defaultIdleTransactionTimeoutMs = 60_000;

/** Rendered into SQL and a startup parameter: only an integer in Postgres's range is accepted (<= 0: off). */
function timeoutOption(name: string, value: unknown, fallback: number): number {
  if (value === undefined) return fallback;
  if (typeof value !== 'number' || !Number.isInteger(value) || value > 2_147_483_647) {
    throw new DBOSConfigurationError(
      `DBOSClient.create: ${name} must be an integer number of milliseconds up to 2147483647 (0 or less: no timeout), got ${JSON.stringify(value)}.`,
    );
  }
  return Math.max(0, value);
}

/** The executor ID stamped on rows a client writes (a worker claiming them stamps its own). */
export const clientExecutorID = 'dbos-client';

function clientTarget(options: ClientDatabaseOptions): SystemDatabaseTarget {
  const observabilityQueryTimeoutMs = timeoutOption('observabilityQueryTimeoutMs', options.observabilityQueryTimeoutMs, defaultObservabilityQueryTimeoutMs);
  const idleTransactionTimeoutMs = timeoutOption(
    'systemDatabaseIdleTransactionTimeoutMs',
    options.systemDatabaseIdleTransactionTimeoutMs,
    defaultIdleTransactionTimeoutMs,
  );
  const pool = callerPool(options.systemDatabasePool);
  const url = options.systemDatabaseUrl ?? pool?.url;
  if (typeof url !== 'string' || url === '') {
    throw new DBOSConfigurationError(`DBOSClient.create: systemDatabaseUrl must be a non-empty string, got ${JSON.stringify(url)}.`);
  }
  if (!pool && !/^postgres(ql)?:\/\//i.test(url)) return { backend: 'sqlite', path: sqlitePath(url), synchronous: 'FULL', runMigrations: false };
  // A caller's pool names the database; a URL that is not Postgres's then only names nothing.
  const postgresUrl = pool && !/^postgres(ql)?:\/\//i.test(url) ? pool.url : url;
  parsePostgresUrl(postgresUrl);
  const schema = options.systemDatabaseSchemaName ?? 'dbos';
  if (typeof schema !== 'string' || !/^[A-Za-z_][A-Za-z0-9_]{0,40}$/.test(schema)) {
    throw new DBOSConfigurationError(
      `DBOSClient.create: systemDatabaseSchemaName must be a plain identifier (letters, digits, _), got ${JSON.stringify(schema)}.`,
    );
  }
  const poolSize = pool?.size ?? options.systemDatabasePoolSize ?? 10;
  if (!Number.isInteger(poolSize) || poolSize < 2) {
    throw new DBOSConfigurationError(`DBOSClient.create: systemDatabasePoolSize must be an integer >= 2, got ${JSON.stringify(poolSize)}.`);
  }
  const pollingConcurrency = Math.max(1, Math.floor(poolSize / 2));
  const outageTimeoutMs = options.databaseOutageTimeoutMs;
  const validTimeout = typeof outageTimeoutMs === 'number' && outageTimeoutMs > 0 && Number.isFinite(outageTimeoutMs);
  if (outageTimeoutMs !== undefined && !validTimeout) {
    throw new DBOSConfigurationError(
      `DBOSClient.create: databaseOutageTimeoutMs must be a positive number of milliseconds, got ${JSON.stringify(outageTimeoutMs)}.`,
    );
  }
  return {
    backend: 'postgres',
    url: postgresUrl,
    schema,
    poolSize,
    pool: pool?.pool,
    runMigrations: false,
    pollingConcurrency,
    outageTimeoutMs,
    observabilityQueryTimeoutMs,
    // A caller's pool is configured by its owner (DBOS: not applied to a custom pool).
    idleTransactionTimeoutMs: pool ? 0 : idleTransactionTimeoutMs,
  };
}

/** Open without migrating; a missing or older schema is refused with the remedy for a client. */
export async function openClientEngine(options: ClientDatabaseOptions, applicationName: string | undefined, logger: DLogger): Promise<Engine> {
  const target = clientTarget(options);
  try {
    return await openClientEngineOn(target, applicationName, logger);
  } catch (error) {
    if (!(error instanceof DBOSInitializationError) || error.code !== 'SCHEMA_NOT_MIGRATED') throw error;
    throw new DBOSInitializationError(
      `DBOSClient: the system database ${describeTarget(target)} does not have this version of durably's schema, and a client never ` +
        'migrates. Launch a worker (DBOS.launch) on it or run `durably migrate`, then create the client.',
      error,
      { code: 'SCHEMA_NOT_MIGRATED' },
    );
  }
}

/** Where a target is, for messages (a Postgres password is redacted). */
export function describeTarget(target: SystemDatabaseTarget): string {
  return target.backend === 'sqlite' ? `"${target.path}"` : `${redactUrl(target.url)} (schema "${target.schema}")`;
}

/**
 * A client's Engine over an already resolved target (the CLI resolves its own), opened without
 * migrating whatever the target says: SCHEMA_NOT_MIGRATED from the database as it is.
 */
export async function openClientEngineOn(target: SystemDatabaseTarget, applicationName: string | undefined, logger: DLogger): Promise<Engine> {
  const systemDatabase = await openSystemDatabase({ ...target, runMigrations: false }, logger);
  const registry = new Registry(() => {
    throw new Error('unreachable: a DBOSClient registers no steps');
  });
  registry.freeze('a DBOSClient runs no workflows');
  // An empty application name scopes listings to no application: an unnamed client sees every application's rows.
  const identity = { executorID: clientExecutorID, applicationVersion: '', applicationName: applicationName ?? '' };
  return new Engine(systemDatabase, registry, identity, logger, placeOnTrust);
}

/**
 * A client knows no queues (they are declared in the workers' code or registered in the database),
 * so a named queue is taken on trust, as an enqueue by name takes it; the options were validated before.
 */
const placeOnTrust: QueuePlanner = async (params) => {
  const queueName = params?.queueName;
  if (queueName === undefined) return null;
  const options = params?.enqueueOptions ?? {};
  const delayed = options.delaySeconds !== undefined && options.delaySeconds > 0;
  return {
    queueName,
    status: delayed ? 'DELAYED' : 'ENQUEUED',
    deduplicationID: options.deduplicationID ?? null,
    priority: options.priority ?? 0,
    queuePartitionKey: options.queuePartitionKey ?? null,
    delayUntilEpochMs: delayed ? Date.now() + Math.ceil(options.delaySeconds! * 1000) : null,
  };
};
