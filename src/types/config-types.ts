/** Configuration types. Declarations only; validation lives in runtime/resolve-config.ts. */
import type { Pool } from 'pg';
import type { DLogger } from '../telemetry/logger.ts';
import type { DBOSSerializer } from './serialization-types.ts';

export interface DBOSConfig {
  /** Application name; also names the default SQLite file, `./<name>.sqlite`. */
  name?: string;
  /**
   * `postgresql://...` for Postgres; `sqlite:<path>`, `file:<path>` or a path ending in `.sqlite`/`.db`
   * for SQLite. Default: the DBOS_SYSTEM_DATABASE_URL variable, else `./<name>.sqlite`.
   */
  systemDatabaseUrl?: string;
  /** Postgres schema holding the system tables (default `dbos`). */
  systemDatabaseSchemaName?: string;
  /** Postgres pool size (default 10). */
  systemDatabasePoolSize?: number;
  /**
   * SQLite `synchronous` mode (durably extension): `FULL` (default) survives power loss;
   * `NORMAL` survives a process crash but may lose the last commits on power loss, for ~7x the commit rate.
   */
  sqliteSynchronous?: 'FULL' | 'NORMAL';
  /**
   * DBOS.shutdown()'s grace period when it is called without one (durably extension, named after DBOS's
   * shutdown option; default 0): it stops claiming queued work and schedules, lets the workflows running
   * here go on for up to this long, then interrupts the rest, which stay PENDING for recovery. So
   * `shutdownOnSignals` and adapters that call `DBOS.shutdown()` let running steps finish.
   */
  workflowCompletionTimeoutMS?: number;
  /** Version stamped on workflows; recovery only resumes workflows of this version. Default: a hash of the workflows' source. */
  applicationVersion?: string;
  /**
   * Let workflow code branch with DBOS.patch()/deprecatePatch(). The default application version
   * becomes `PATCHING_ENABLED` (not a source hash), so new code recovers workflows started by old code.
   */
  enablePatching?: boolean;
  /**
   * How often each process re-reads the dynamic schedules (default 30 s). Changes made by this process
   * apply at once, and on Postgres so do other processes' (NOTIFY); this bounds the delay on SQLite.
   */
  schedulerPollingIntervalMs?: number;
  /**
   * Dequeue only from these queues (names or WorkflowQueue objects) in this process; the internal
   * queue is always dequeued. A name unknown at launch is not an error: a queue registered under
   * it later (DBOS.registerQueue) is dequeued then. Default: every queue.
   */
  listenQueues?: readonly (string | { readonly name: string })[];
  /** Default `local` (or the DBOS__VMID variable). */
  executorID?: string;
  /**
   * How often this executor records that it is alive (durably extension; default 10 s). A process
   * that finds an executor silent for `executorTimeoutMs` (default 60 s) puts that executor's
   * unfinished workflows back on their queues, to be resumed by a live process.
   * Give each process its own executorID for this to work.
   */
  heartbeatIntervalMs?: number;
  executorTimeoutMs?: number;
  /**
   * Adopt stranded workflows (durably extension; default false): every heartbeat, this process looks
   * for PENDING or ENQUEUED workflows of other application versions that no live process runs, replays
   * each one's recorded history against its own code without executing anything, and when it replays
   * cleanly (DBOS.patch branches included) restamps it with this version and resumes it from its last
   * recorded operation. A workflow whose history diverges is left alone, with a warning naming the
   * divergence. See "No workflow stranded by a deploy" in the README.
   */
  adoptCompatibleWorkflows?: boolean;
  /**
   * Delete finished workflows older than `maxAgeMs` or beyond the newest `maxRows`, every
   * `intervalMs` (default 1 h); PENDING, ENQUEUED and DELAYED ones are never deleted (durably extension).
   */
  workflowRetention?: { maxAgeMs?: number; maxRows?: number; intervalMs?: number };
  /**
   * The format of stored values (default DBOS's superjson, `js_superjson`). Its name() is stored beside each
   * value, so rows written in other formats stay readable; portable values are always plain JSON.
   */
  serializer?: DBOSSerializer;
  /** `debug`, `info` (default), `warn`, `error` or `silent`, in any case (DBOS accepts `INFO`). */
  logLevel?: string;
  logger?: DLogger;
  /**
   * Export traces, logs and metrics over OTLP/HTTP (default false). Needs the optional packages
   * @opentelemetry/sdk-trace-base, sdk-logs, sdk-metrics, resources and the three exporter-*-otlp-http.
   * durably installs a tracer and a meter provider only where the application registered none.
   */
  enableOTLP?: boolean;
  /**
   * OpenTelemetry spans through the tracer provider the application registered: true always, false never,
   * default: when a provider is registered at launch (DBOS needs true; durably detects it).
   */
  tracingEnabled?: boolean;
  /** Span attribute names: DBOS's `legacy` names (default: `operationUUID`, ...) or `semconv` (`dbos.*`). */
  otelAttributeFormat?: 'legacy' | 'semconv';
  addContextMetadata?: boolean;
  /** Collector URLs for spans (one exporter each); default: OTEL_EXPORTER_OTLP_TRACES_ENDPOINT / OTEL_EXPORTER_OTLP_ENDPOINT, else localhost:4318. */
  otlpTracesEndpoints?: string[];
  /** Collector URLs for log records; not used with a custom `logger` (as in DBOS). */
  otlpLogsEndpoints?: string[];
  /**
   * Serve the admin API and the dashboard (default false) on `adminHost:adminPort` (default 127.0.0.1:3001).
   * Any other address than loopback needs `adminToken`, which every request must then carry as
   * `Authorization: Bearer <token>`; launch refuses otherwise. No CORS headers unless `adminCorsOrigins` names
   * the browser origins (or `*`) allowed to call it.
   */
  runAdminServer?: boolean;
  adminPort?: number;
  adminHost?: string;
  adminToken?: string;
  adminCorsOrigins?: string[];
  /**
   * Your own `pg.Pool` for the system database (Postgres). durably uses it instead of opening one and
   * never ends it; the database must already exist. The LISTEN connection is a separate client made
   * with the pool's connection settings.
   */
  systemDatabasePool?: Pool;
  /**
   * At most this many wait reads (getResult, recv, getEvent, readStream polls) run at once, so many
   * waiters cannot take every pool connection. Default: half the Postgres pool (at least 1);
   * unlimited on SQLite. 0 or less: unlimited.
   */
  systemDatabasePollingConcurrency?: number;
  /**
   * How long an operation keeps retrying through a lost, refused or stalled system database connection
   * (a restart, a failover, a network cut) before failing with DBOSDatabaseUnavailableError (retriable;
   * nothing half-written; a workflow that meets it stays PENDING). On Postgres, a statement unanswered
   * for this long counts as a stalled connection. Default 60 s (durably extension).
   */
  databaseOutageTimeoutMs?: number;
  /** Postgres only; default true. false: no LISTEN and no NOTIFY (poolers, CockroachDB): waits poll. */
  useListenNotify?: boolean;
  /**
   * Default true: create and migrate the system database at launch. false: only check that it is
   * migrated to this version (for a role that cannot run DDL; migrate with another role first).
   */
  runMigrations?: boolean;
}

export interface DBOSLaunchOptions {
  /** Accepted for compatibility; durably has no Conductor: launch warns and runs without one. */
  conductorURL?: string;
  conductorKey?: string;
  conductorExecutorMetadata?: Record<string, unknown>;
}
