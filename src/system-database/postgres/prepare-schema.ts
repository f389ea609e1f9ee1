/**
 * Launch-time preparation of the Postgres schema: migrate it (default) or,
 * with `runMigrations: false`, only check that it is migrated (a role that
 * cannot run DDL). Then check, in two cheap queries, that the role can write
 * and holds the table privileges durably uses, so a least-privilege or
 * read-only role fails at launch with the privilege named instead of with a
 * raw 42501/25006 from the first workflow.
 */
import { DBOSInitializationError } from '../../errors/errors.ts';
import type { QueryRunner } from '../connection.ts';
import type { Dialect } from '../dialect.ts';
import { migrate, verifyMigrated } from '../migrate.ts';
import { dbosSchemaVersion, schemaMigrations } from '../sql/schema.ts';
import { recordedDbosSchemaVersion } from './dbos-shared-schema.ts';
import type { PostgresConnection } from './postgres-connection.ts';
import { redactUrl } from './postgres-url.ts';

export interface SchemaPreparation {
  url: string;
  schema: string;
  runMigrations: boolean;
}

const insufficientPrivilege = '42501';
const readOnlyTransaction = '25006';

export async function preparePostgresSchema(connection: PostgresConnection, dialect: Dialect, options: SchemaPreparation): Promise<void> {
  if (!options.runMigrations) {
    await verifySchema(connection, dialect, options);
    await checkWritable(connection, options);
    return;
  }
  try {
    await migrateSchema(connection, dialect, options.schema);
  } catch (error) {
    throw privilegeFailure(error, options) ?? error;
  }
  await checkWritable(connection, options);
  await checkTablePrivileges(connection, options);
}

async function migrateSchema(connection: PostgresConnection, dialect: Dialect, schema: string): Promise<void> {
  await connection.transaction(async (tx) => {
    // Launches racing on a fresh database take turns here.
    await tx.query('SELECT pg_advisory_xact_lock(hashtext($1))', [`durably-migrate-${schema}`]);
    await tx.query(`CREATE SCHEMA IF NOT EXISTS "${schema.replaceAll('"', '""')}"`);
    const existing = { dbosVersion: await recordedDbosSchemaVersion(tx, schema), adoptableFrom: dbosSchemaVersion };
    await migrate(tx, dialect, schemaMigrations(dialect), Date.now(), existing);
  });
}

/** The catalog, not to_regclass: it needs no privilege on the schema, so a missing grant is reported as such. */
async function verifySchema(runner: QueryRunner, dialect: Dialect, options: SchemaPreparation): Promise<void> {
  const rows = await runner.query<{ present: boolean }>(
    "SELECT EXISTS (SELECT 1 FROM pg_tables WHERE schemaname = $1 AND tablename = 'durably_migrations') AS present",
    [options.schema],
  );
  const present = rows[0]?.present === true;
  if (present) await checkTablePrivileges(runner, options);
  const where = `${redactUrl(options.url)} (schema "${options.schema}")`;
  await verifyMigrated(runner, dialect, schemaMigrations(dialect), where, present);
}

function roleOf(url: string): string {
  return URL.canParse(url) ? decodeURIComponent(new URL(url).username) || 'the connecting role' : 'the connecting role';
}

/** A typed error for a DDL statement the role may not run, or undefined for any other failure. */
function privilegeFailure(error: unknown, options: SchemaPreparation): DBOSInitializationError | undefined {
  const code = (error as { code?: string }).code;
  const role = roleOf(options.url);
  if (code === readOnlyTransaction) return readOnly(role, options, error);
  if (code !== insufficientPrivilege) return undefined;
  return new DBOSInitializationError(
    `Postgres role "${role}" may not create or migrate the system database schema "${options.schema}" ` +
      `(${(error as Error).message}): it needs the CREATE privilege on the database (to create the schema) and on ` +
      `schema "${options.schema}" (to create its tables). Grant them, or migrate once with a role that has them and ` +
      'launch this role with runMigrations: false.',
    error as Error,
    { code: 'DATABASE_PRIVILEGE_MISSING' },
  );
}

function readOnly(role: string, options: SchemaPreparation, cause?: unknown): DBOSInitializationError {
  return new DBOSInitializationError(
    `Postgres role "${role}" gets read-only transactions on ${redactUrl(options.url)} (default_transaction_read_only, ` +
      'or a standby server): durably writes workflow state to its system database, so it needs a writable ' +
      'primary and a role without default_transaction_read_only. runMigrations: false only avoids DDL, not writes.',
    cause as Error | undefined,
    { code: 'DATABASE_READ_ONLY' },
  );
}

async function checkWritable(runner: QueryRunner, options: SchemaPreparation): Promise<void> {
  const rows = await runner.query<{ read_only: string }>("SELECT current_setting('transaction_read_only') AS read_only");
  if (rows[0]?.read_only === 'on') throw readOnly(roleOf(options.url), options);
}

/** Every table of the schema needs SELECT, INSERT, UPDATE and DELETE (only SELECT for the migrations record). */
async function checkTablePrivileges(runner: QueryRunner, options: SchemaPreparation): Promise<void> {
  const rows = await runner.query<{ missing: string }>(
    // Tables by OID, not by name: a name lookup would itself fail without USAGE on the schema.
    `SELECT 'USAGE on schema ' || quote_ident($1) AS missing WHERE NOT has_schema_privilege($1, 'USAGE')
     UNION ALL
     SELECT p.privilege || ' on ' || quote_ident($1) || '.' || quote_ident(c.relname)
       FROM pg_class AS c
       JOIN pg_namespace AS n ON n.oid = c.relnamespace
       CROSS JOIN unnest(ARRAY['SELECT', 'INSERT', 'UPDATE', 'DELETE']) AS p(privilege)
      WHERE n.nspname = $1 AND c.relkind IN ('r', 'p')
        AND (c.relname <> 'durably_migrations' OR p.privilege = 'SELECT')
        AND NOT has_table_privilege(c.oid, p.privilege)`,
    [options.schema],
  );
  if (rows.length === 0) return;
  const missing = rows.map((row) => row.missing);
  const shown = missing.length > 6 ? [...missing.slice(0, 6), `and ${missing.length - 6} more`] : missing;
  throw new DBOSInitializationError(
    `Postgres role "${roleOf(options.url)}" lacks privileges durably needs on its system database: ${shown.join(', ')}. ` +
      `Grant USAGE on schema "${options.schema}" and SELECT, INSERT, UPDATE, DELETE on all its tables.`,
    undefined,
    { code: 'DATABASE_PRIVILEGE_MISSING' },
  );
}
