/**
 * What DBOS's own SDKs expect in a Postgres schema they share with durably,
 * beyond the tables written once in sql/schema.ts: the `dbos_migrations`
 * record (so a DBOS 5.3 worker finds nothing to migrate), the stored
 * procedures other-language clients call (`enqueue_workflow`, `send_message`),
 * the trigger that announces messages on DBOS's channel, and DBOS's indexes
 * (partial, covering and GIN: Postgres-only syntax). Written for durably from
 * DBOS 5.3's documented schema; the parity test (test/interop) compares the
 * result with the schema DBOS's own migrations build.
 */
import type { QueryRunner } from '../connection.ts';
import { dbosSchemaVersion } from '../sql/schema.ts';

/** DBOS's messages channel: its recv listens here whatever the schema is called. */
export const dbosMessagesChannel = 'dbos_notifications_channel';

function indexes(t: (name: string) => string): string[] {
  const status = t('workflow_status');
  const steps = t('operation_outputs');
  const versions = t('application_versions');
  const active = `status IN ('ENQUEUED', 'PENDING')`;
  return [
    `CREATE INDEX IF NOT EXISTS idx_workflow_status_pending ON ${status} (created_at) WHERE status = 'PENDING'`,
    // Recovery's lookup of an executor's PENDING workflows reads DBOS's index above: one index less per start.
    `DROP INDEX IF EXISTS ${t('idx_workflow_status_pending_executor')}`,
    `CREATE INDEX IF NOT EXISTS idx_workflow_status_failed ON ${status} (status, created_at)
       WHERE status IN ('ERROR', 'CANCELLED', 'MAX_RECOVERY_ATTEMPTS_EXCEEDED')`,
    `CREATE INDEX IF NOT EXISTS idx_workflow_status_rate_limited ON ${status} (queue_name, started_at_epoch_ms)
       WHERE rate_limited = TRUE`,
    `CREATE INDEX IF NOT EXISTS idx_workflow_status_started_at ON ${status} (started_at_epoch_ms)
       WHERE started_at_epoch_ms IS NOT NULL`,
    `CREATE INDEX IF NOT EXISTS idx_workflow_status_attributes ON ${status} USING GIN (attributes) WHERE attributes IS NOT NULL`,
    `CREATE INDEX IF NOT EXISTS idx_workflow_status_schedule_name ON ${status} (schedule_name) WHERE schedule_name IS NOT NULL`,
    `CREATE INDEX IF NOT EXISTS idx_workflow_status_in_flight_v2 ON ${status} (queue_name, status, priority, created_at)
       INCLUDE (application_name) WHERE ${active}`,
    `CREATE INDEX IF NOT EXISTS idx_workflow_status_partition_dequeue_v3 ON ${status}
       (queue_name, status, queue_partition_key, priority, created_at, workflow_uuid) INCLUDE (application_name)
       WHERE ${active} AND queue_partition_key IS NOT NULL`,
    `CREATE INDEX IF NOT EXISTS idx_workflow_status_deadline ON ${status} (workflow_deadline_epoch_ms)
       WHERE status IN ('ENQUEUED', 'PENDING', 'DELAYED') AND workflow_deadline_epoch_ms IS NOT NULL`,
    `CREATE INDEX IF NOT EXISTS idx_operation_outputs_completed_at_function_name_v2 ON ${steps}
       (completed_at_epoch_ms, function_name) INCLUDE (application_name)`,
    `CREATE INDEX IF NOT EXISTS idx_operation_outputs_retention ON ${steps} (retention_timestamp)`,
    `CREATE UNIQUE INDEX IF NOT EXISTS uq_application_versions_owner_version ON ${versions} (application_name, version_name)
       WHERE application_name IS NOT NULL`,
    `CREATE UNIQUE INDEX IF NOT EXISTS uq_application_versions_unclaimed_version ON ${versions} (version_name)
       WHERE application_name IS NULL`,
  ];
}

/** Column details where DBOS's types or defaults differ from the portable DDL of sql/schema.ts. */
function columnDetails(t: (name: string) => string): string[] {
  return [
    // DBOS garbage-collects steps by sweeping, not by cascade; durably deletes them explicitly.
    `ALTER TABLE ${t('operation_outputs')} DROP CONSTRAINT IF EXISTS operation_outputs_workflow_uuid_fkey`,
    `ALTER TABLE ${t('workflow_status')} ALTER COLUMN owner_xid TYPE TEXT`,
    `ALTER TABLE ${t('notifications')} ALTER COLUMN message_uuid SET DEFAULT gen_random_uuid()`,
    `ALTER TABLE ${t('queues')} ALTER COLUMN queue_id SET DEFAULT gen_random_uuid()::TEXT`,
  ];
}

/**
 * `enqueue_workflow`: how clients in any language enqueue by name with
 * portable JSON arguments. Same signature and row meanings as DBOS 5.3's;
 * it also wakes durably's queue runners on the queue's channel.
 */
function enqueueProcedure(t: (name: string) => string, queueChannel: string): string[] {
  const signature = `${t('enqueue_workflow')}(TEXT, TEXT, JSON[], JSON, TEXT, TEXT, TEXT, TEXT, BIGINT, BIGINT, TEXT, INT4, TEXT,
    TEXT, TEXT, BIGINT, TEXT)`;
  return [
    `CREATE OR REPLACE FUNCTION ${t('enqueue_workflow')}(
       workflow_name TEXT, queue_name TEXT, positional_args JSON[] DEFAULT ARRAY[]::JSON[], named_args JSON DEFAULT '{}'::JSON,
       class_name TEXT DEFAULT NULL, config_name TEXT DEFAULT NULL, workflow_id TEXT DEFAULT NULL, app_version TEXT DEFAULT NULL,
       timeout_ms BIGINT DEFAULT NULL, deadline_epoch_ms BIGINT DEFAULT NULL, deduplication_id TEXT DEFAULT NULL,
       priority INT4 DEFAULT NULL, queue_partition_key TEXT DEFAULT NULL, authenticated_user TEXT DEFAULT NULL,
       authenticated_roles TEXT DEFAULT NULL, delay_until_epoch_ms BIGINT DEFAULT NULL, application_name TEXT DEFAULT NULL
     ) RETURNS TEXT AS $body$
     DECLARE
       new_id TEXT := COALESCE(workflow_id, gen_random_uuid()::TEXT);
       now_ms BIGINT := (EXTRACT(EPOCH FROM now()) * 1000)::BIGINT;
     BEGIN
       IF COALESCE(workflow_name, '') = '' THEN RAISE EXCEPTION 'Workflow name cannot be null or empty'; END IF;
       IF COALESCE(queue_name, '') = '' THEN RAISE EXCEPTION 'Queue name cannot be null or empty'; END IF;
       IF named_args IS NOT NULL AND json_typeof(named_args) <> 'object' THEN
         RAISE EXCEPTION 'Named args must be a JSON object';
       END IF;
       IF workflow_id = '' THEN RAISE EXCEPTION 'Workflow ID cannot be an empty string if provided.'; END IF;
       IF delay_until_epoch_ms < 0 THEN RAISE EXCEPTION 'delay_until_epoch_ms must be >= 0'; END IF;
       INSERT INTO ${t('workflow_status')} AS s (workflow_uuid, status, name, class_name, config_name, queue_name,
           deduplication_id, priority, queue_partition_key, application_version, created_at, updated_at, recovery_attempts,
           workflow_timeout_ms, workflow_deadline_epoch_ms, owner_xid, serialization, authenticated_user,
           authenticated_roles, delay_until_epoch_ms, application_name)
         VALUES (new_id, CASE WHEN delay_until_epoch_ms IS NULL THEN 'ENQUEUED' ELSE 'DELAYED' END, workflow_name,
           class_name, config_name, queue_name, deduplication_id, COALESCE(priority, 0), queue_partition_key, app_version,
           now_ms, now_ms, 0, timeout_ms, deadline_epoch_ms, gen_random_uuid()::TEXT, 'portable_json', authenticated_user,
           authenticated_roles, delay_until_epoch_ms, application_name)
         ON CONFLICT (workflow_uuid) DO UPDATE SET updated_at = EXCLUDED.updated_at;
       INSERT INTO ${t('workflow_input')} (workflow_uuid, inputs, retention_timestamp)
         VALUES (new_id, json_build_object('positionalArgs', positional_args, 'namedArgs', named_args)::TEXT, now_ms)
         ON CONFLICT (workflow_uuid) DO NOTHING;
       PERFORM pg_notify('${queueChannel}', queue_name);
       RETURN new_id;
     EXCEPTION WHEN unique_violation THEN
       RAISE EXCEPTION 'DBOS queue duplicated' USING ERRCODE = 'unique_violation',
         DETAIL = format('Workflow %s with queue %s and deduplication ID %s already exists', new_id, queue_name, deduplication_id);
     END;
     $body$ LANGUAGE plpgsql`,
    `ALTER FUNCTION ${signature} SET search_path = pg_catalog, pg_temp`,
  ];
}

/** `send_message`: how clients in any language send a portable JSON message to a workflow. */
function sendProcedure(t: (name: string) => string): string[] {
  return [
    `CREATE OR REPLACE FUNCTION ${t('send_message')}(
       destination_id TEXT, message JSON, topic TEXT DEFAULT NULL, message_id TEXT DEFAULT NULL
     ) RETURNS VOID AS $body$
     BEGIN
       INSERT INTO ${t('notifications')} (destination_uuid, topic, message, message_uuid, serialization)
         VALUES (destination_id, COALESCE(topic, '__null__topic__'), message, COALESCE(message_id, gen_random_uuid()::TEXT),
           'portable_json')
         ON CONFLICT (message_uuid) DO NOTHING;
     EXCEPTION WHEN foreign_key_violation THEN
       RAISE EXCEPTION 'DBOS non-existent workflow' USING ERRCODE = 'foreign_key_violation',
         DETAIL = format('Destination workflow %s does not exist', destination_id);
     END;
     $body$ LANGUAGE plpgsql`,
    `ALTER FUNCTION ${t('send_message')}(TEXT, JSON, TEXT, TEXT) SET search_path = pg_catalog, pg_temp`,
  ];
}

/**
 * DBOS's recv listens on one fixed channel and learns of messages from this
 * trigger, whoever inserts them. (In schema "dbos" durably's own notice is
 * the same channel and payload, which Postgres delivers once per transaction.)
 */
function messageTrigger(t: (name: string) => string): string[] {
  return [
    `CREATE OR REPLACE FUNCTION ${t('notifications_function')}() RETURNS TRIGGER AS $body$
     BEGIN
       PERFORM pg_notify('${dbosMessagesChannel}', NEW.destination_uuid || '::' || NEW.topic);
       RETURN NEW;
     END;
     $body$ LANGUAGE plpgsql`,
    `ALTER FUNCTION ${t('notifications_function')}() SET search_path = pg_catalog, pg_temp`,
    `DROP TRIGGER IF EXISTS dbos_notifications_trigger ON ${t('notifications')}`,
    `CREATE TRIGGER dbos_notifications_trigger AFTER INSERT ON ${t('notifications')}
       FOR EACH ROW EXECUTE FUNCTION ${t('notifications_function')}()`,
  ];
}

/** DBOS's migration record: one row, the version of DBOS's migrations this schema matches. */
function migrationRecord(t: (name: string) => string): string[] {
  return [
    `CREATE TABLE IF NOT EXISTS ${t('dbos_migrations')} (version BIGINT NOT NULL, CONSTRAINT dbos_migrations_pkey PRIMARY KEY (version))`,
    `DELETE FROM ${t('dbos_migrations')} WHERE version < ${dbosSchemaVersion}`,
    `INSERT INTO ${t('dbos_migrations')} (version) SELECT ${dbosSchemaVersion}
       WHERE NOT EXISTS (SELECT 1 FROM ${t('dbos_migrations')})`,
  ];
}

/** The Postgres-only part of migration 3 (DBOS 5.3 layout). */
export function dbosSharedSchema(t: (name: string) => string, queueChannel: string): string[] {
  return [
    ...columnDetails(t),
    ...indexes(t),
    ...enqueueProcedure(t, queueChannel),
    ...sendProcedure(t),
    ...messageTrigger(t),
    ...migrationRecord(t),
  ];
}

/** The version DBOS's SDKs recorded in this schema, 0 when none did (no `dbos_migrations`, or no row). */
export async function recordedDbosSchemaVersion(runner: QueryRunner, schema: string): Promise<number> {
  const [table] = await runner.query<{ present: boolean }>(
    "SELECT EXISTS (SELECT 1 FROM pg_tables WHERE schemaname = $1 AND tablename = 'dbos_migrations') AS present",
    [schema],
  );
  if (!table?.present) return 0;
  const [row] = await runner.query<{ version: string | null }>(
    `SELECT MAX(version) AS version FROM "${schema.replaceAll('"', '""')}".dbos_migrations`,
  );
  return Number(row?.version ?? 0);
}
