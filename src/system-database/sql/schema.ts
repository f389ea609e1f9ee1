/**
 * The system database schema, written once for both backends. Table and
 * column names follow DBOS Transact's system database (see
 * shared/spec/system-database.md) so DBOS tooling and other-language clients
 * can read it. Migrations only ever add: append a new entry, never edit one.
 */
import type { Dialect } from '../dialect.ts';
import type { Migration } from '../migrate.ts';

function initialSchema(d: Dialect): string[] {
  const t = (name: string) => d.table(name);
  const now = `(${d.nowEpochMs})`;
  return [
    `CREATE TABLE ${t('workflow_status')} (
      workflow_uuid TEXT PRIMARY KEY,
      status TEXT,
      name TEXT,
      authenticated_user TEXT,
      assumed_role TEXT,
      authenticated_roles TEXT,
      request TEXT,
      output TEXT,
      error TEXT,
      executor_id TEXT,
      created_at BIGINT NOT NULL DEFAULT ${now},
      updated_at BIGINT NOT NULL DEFAULT ${now},
      application_version TEXT,
      application_id TEXT,
      class_name VARCHAR(255) DEFAULT NULL,
      config_name VARCHAR(255) DEFAULT NULL,
      recovery_attempts BIGINT DEFAULT 0,
      queue_name TEXT,
      workflow_timeout_ms BIGINT,
      workflow_deadline_epoch_ms BIGINT,
      inputs TEXT,
      started_at_epoch_ms BIGINT,
      deduplication_id TEXT,
      priority INTEGER NOT NULL DEFAULT 0,
      queue_partition_key TEXT,
      forked_from TEXT,
      was_forked_from BOOLEAN NOT NULL DEFAULT FALSE,
      owner_xid VARCHAR(40),
      parent_workflow_id TEXT,
      serialization TEXT,
      delay_until_epoch_ms BIGINT,
      rate_limited BOOLEAN NOT NULL DEFAULT FALSE,
      completed_at BIGINT,
      attributes ${d.jsonType},
      schedule_name TEXT,
      debounce_deadline_epoch_ms BIGINT,
      is_debounced BOOLEAN NOT NULL DEFAULT FALSE,
      application_name TEXT
    )`,
    `CREATE INDEX workflow_status_created_at_index ON ${t('workflow_status')} (created_at)`,
    `CREATE UNIQUE INDEX uq_workflow_status_dedup_id ON ${t('workflow_status')} (queue_name, deduplication_id)
       WHERE deduplication_id IS NOT NULL`,
    // Queued rows only: a directly started workflow costs no entry here.
    `CREATE INDEX idx_workflow_status_in_flight ON ${t('workflow_status')} (queue_name, status, priority, created_at)
       WHERE status IN ('ENQUEUED', 'DELAYED', 'PENDING') AND queue_name IS NOT NULL`,
    `CREATE INDEX idx_workflow_status_pending_executor ON ${t('workflow_status')} (executor_id, application_version)
       WHERE status = 'PENDING'`,
    `CREATE INDEX idx_workflow_status_delayed ON ${t('workflow_status')} (delay_until_epoch_ms) WHERE status = 'DELAYED'`,
    `CREATE INDEX idx_workflow_status_parent_workflow_id ON ${t('workflow_status')} (parent_workflow_id)
       WHERE parent_workflow_id IS NOT NULL`,
    `CREATE INDEX idx_workflow_status_completed_at ON ${t('workflow_status')} (completed_at) WHERE completed_at IS NOT NULL`,
    `CREATE INDEX idx_workflow_status_forked_from ON ${t('workflow_status')} (forked_from) WHERE forked_from IS NOT NULL`,
    `CREATE TABLE ${t('operation_outputs')} (
      workflow_uuid TEXT NOT NULL REFERENCES ${t('workflow_status')} (workflow_uuid) ON UPDATE CASCADE ON DELETE CASCADE,
      function_id INTEGER NOT NULL,
      function_name TEXT NOT NULL DEFAULT '',
      output TEXT,
      error TEXT,
      child_workflow_id TEXT,
      started_at_epoch_ms BIGINT,
      completed_at_epoch_ms BIGINT,
      serialization TEXT,
      application_name TEXT,
      PRIMARY KEY (workflow_uuid, function_id)
    )`,
    `CREATE TABLE ${t('notifications')} (
      message_uuid TEXT PRIMARY KEY,
      destination_uuid TEXT NOT NULL REFERENCES ${t('workflow_status')} (workflow_uuid) ON UPDATE CASCADE ON DELETE CASCADE,
      topic TEXT,
      message TEXT NOT NULL,
      created_at_epoch_ms BIGINT NOT NULL DEFAULT ${now},
      serialization TEXT,
      consumed BOOLEAN NOT NULL DEFAULT FALSE
    )`,
    `CREATE INDEX idx_workflow_topic ON ${t('notifications')} (destination_uuid, topic)`,
    `CREATE TABLE ${t('workflow_events')} (
      workflow_uuid TEXT NOT NULL REFERENCES ${t('workflow_status')} (workflow_uuid) ON UPDATE CASCADE ON DELETE CASCADE,
      key TEXT NOT NULL,
      value TEXT NOT NULL,
      serialization TEXT,
      PRIMARY KEY (workflow_uuid, key)
    )`,
    `CREATE TABLE ${t('workflow_events_history')} (
      workflow_uuid TEXT NOT NULL REFERENCES ${t('workflow_status')} (workflow_uuid) ON UPDATE CASCADE ON DELETE CASCADE,
      function_id INTEGER NOT NULL,
      key TEXT NOT NULL,
      value TEXT NOT NULL,
      serialization TEXT,
      PRIMARY KEY (workflow_uuid, function_id, key)
    )`,
    `CREATE TABLE ${t('streams')} (
      workflow_uuid TEXT NOT NULL REFERENCES ${t('workflow_status')} (workflow_uuid) ON UPDATE CASCADE ON DELETE CASCADE,
      key TEXT NOT NULL,
      value TEXT NOT NULL,
      "offset" INTEGER NOT NULL,
      function_id INTEGER NOT NULL DEFAULT 0,
      serialization TEXT,
      PRIMARY KEY (workflow_uuid, key, "offset")
    )`,
    `CREATE TABLE ${t('event_dispatch_kv')} (
      service_name TEXT NOT NULL,
      workflow_fn_name TEXT NOT NULL,
      key TEXT NOT NULL,
      value TEXT,
      update_seq DECIMAL(38, 0),
      update_time DECIMAL(38, 15),
      PRIMARY KEY (service_name, workflow_fn_name, key)
    )`,
    `CREATE TABLE ${t('workflow_schedules')} (
      schedule_id TEXT PRIMARY KEY,
      schedule_name TEXT NOT NULL UNIQUE,
      workflow_name TEXT NOT NULL,
      workflow_class_name TEXT,
      schedule TEXT NOT NULL,
      status TEXT NOT NULL DEFAULT 'ACTIVE',
      context TEXT NOT NULL,
      last_fired_at TEXT,
      automatic_backfill BOOLEAN NOT NULL DEFAULT FALSE,
      cron_timezone TEXT,
      queue_name TEXT,
      application_name TEXT
    )`,
    `CREATE TABLE ${t('application_versions')} (
      version_id TEXT PRIMARY KEY,
      version_name TEXT NOT NULL UNIQUE,
      version_timestamp BIGINT NOT NULL DEFAULT ${now},
      created_at BIGINT NOT NULL DEFAULT ${now},
      application_name TEXT
    )`,
    `CREATE TABLE ${t('queues')} (
      queue_id TEXT PRIMARY KEY,
      name TEXT NOT NULL UNIQUE,
      concurrency INTEGER,
      worker_concurrency INTEGER,
      rate_limit_max INTEGER,
      rate_limit_period_sec DOUBLE PRECISION,
      priority_enabled BOOLEAN NOT NULL DEFAULT FALSE,
      partition_queue BOOLEAN NOT NULL DEFAULT FALSE,
      partition_concurrency INTEGER,
      partition_worker_concurrency INTEGER,
      partition_rate_limit_max INTEGER,
      partition_rate_limit_period_sec DOUBLE PRECISION,
      polling_interval_sec DOUBLE PRECISION NOT NULL DEFAULT 1.0,
      created_at BIGINT NOT NULL DEFAULT ${now},
      updated_at BIGINT NOT NULL DEFAULT ${now},
      application_name TEXT
    )`,
  ];
}

/** Executors' heartbeats (durably's own table): how a live process finds a dead one's work. */
function executorLiveness(d: Dialect): string[] {
  return [
    `CREATE TABLE ${d.table('durably_executors')} (
      executor_id TEXT PRIMARY KEY,
      application_version TEXT,
      heartbeat_at BIGINT NOT NULL,
      started_at BIGINT NOT NULL
    )`,
    // Rate limits count a queue's recent starts.
    `CREATE INDEX idx_workflow_status_queue_started ON ${d.table('workflow_status')} (queue_name, started_at_epoch_ms)
       WHERE started_at_epoch_ms IS NOT NULL AND queue_name IS NOT NULL`,
  ];
}

/**
 * DBOS 5.3's layout (shared/spec/system-database.md): inputs and outputs in
 * their own tables, so a status update never rewrites a large payload; the
 * legacy workflow_status columns stay, read as a fallback (rows written before
 * this migration, or by an older DBOS). Then what only the backend has
 * (Postgres: what DBOS's own SDKs need in a schema they share with durably).
 */
function dbosLayout(d: Dialect): string[] {
  const t = (name: string) => d.table(name);
  const now = `(${d.nowEpochMs})`;
  return [
    `CREATE TABLE ${t('workflow_input')} (
      workflow_uuid TEXT NOT NULL PRIMARY KEY,
      inputs TEXT,
      retention_timestamp BIGINT NOT NULL DEFAULT ${now}
    )`,
    `CREATE TABLE ${t('workflow_output')} (
      workflow_uuid TEXT NOT NULL PRIMARY KEY,
      output TEXT,
      error TEXT,
      retention_timestamp BIGINT NOT NULL DEFAULT ${now}
    )`,
    `CREATE INDEX idx_workflow_input_retention ON ${t('workflow_input')} (retention_timestamp)`,
    `CREATE INDEX idx_workflow_output_retention ON ${t('workflow_output')} (retention_timestamp)`,
    `ALTER TABLE ${t('operation_outputs')} ADD COLUMN retention_timestamp BIGINT NOT NULL DEFAULT ${d.addedColumnNowDefault}`,
    `ALTER TABLE ${t('notifications')} ADD COLUMN consumed_by_function_id INTEGER`,
    `ALTER TABLE ${t('workflow_status')} ADD COLUMN creator_xid TEXT DEFAULT NULL`,
    ...d.backendOnlySchema(3),
  ];
}

/**
 * The `dbos_migrations` version of DBOS's schema that migration 3 matches
 * (DBOS TypeScript SDK 5.3). A schema DBOS created at this version or later
 * is adopted: durably adds only its own objects (`beyondDbos`).
 */
export const dbosSchemaVersion = 123;

/** Every migration, in order. */
export function schemaMigrations(dialect: Dialect): Migration[] {
  const t = (name: string) => dialect.table(name);
  return [
    {
      version: 1,
      name: 'initial schema',
      statements: initialSchema(dialect),
      // durably's index for its claim queries; DBOS's schema has every other object of this migration but
      // idx_workflow_status_pending_executor, which migration 3 drops on Postgres (DBOS's idx_workflow_status_pending serves recovery).
      beyondDbos: [
        `CREATE INDEX IF NOT EXISTS idx_workflow_status_in_flight ON ${t('workflow_status')} (queue_name, status, priority, created_at)
           WHERE status IN ('ENQUEUED', 'DELAYED', 'PENDING') AND queue_name IS NOT NULL`,
      ],
    },
    { version: 2, name: 'executor liveness', statements: executorLiveness(dialect), beyondDbos: executorLiveness(dialect) },
    { version: 3, name: 'DBOS 5.3 layout', statements: dbosLayout(dialect), beyondDbos: [] },
    // durably's own column (DBOS 5.3 has none for it): the W3C traceparent a dequeued or recovered run continues.
    { version: 4, name: 'trace context', statements: [`ALTER TABLE ${t('workflow_status')} ADD COLUMN trace_context TEXT`] },
    // DBOS's index for failed workflows (on Postgres since migration 3), so a dashboard page of them does not
    // walk every workflow; partial, so only failed rows pay for it on the hot path.
    {
      version: 5,
      name: 'failed workflows index',
      statements: [
        `CREATE INDEX IF NOT EXISTS idx_workflow_status_failed ON ${t('workflow_status')} (status, created_at)
           WHERE status IN ('ERROR', 'CANCELLED', 'MAX_RECOVERY_ATTEMPTS_EXCEEDED')`,
      ],
      beyondDbos: [],
    },
    // A message inserted by another program without a message_uuid gets one, as DBOS's column default gives
    // it on Postgres (where migration 3 already set that default: nothing to do there).
    { version: 6, name: 'message ID default', statements: dialect.backendOnlySchema(6), beyondDbos: dialect.backendOnlySchema(6) },
    // Postgres: room on each status page for its rows' final updates (postgres-dialect.ts says why); also on a
    // schema DBOS created (a storage parameter, nothing DBOS's tools read). SQLite has no such setting.
    { version: 7, name: 'status rows updated in place', statements: dialect.backendOnlySchema(7) },
  ];
}
