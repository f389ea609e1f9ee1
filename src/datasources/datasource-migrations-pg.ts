/**
 * DBOS 5.3's versioned schema for a Postgres data source's completion table, for custom data sources written
 * against `@dbos-inc/dbos-sdk/datasource`: the migrations in order, a migrator that records the version in
 * its own table (`dbos_transaction_completion_migrations`, apart from the system database's record, since
 * both may live in one schema), a verifier for `runMigrations: false`, and the grants a runtime role needs.
 * Written over a bare executor (one parameter-free statement, its rows) so any driver can run them.
 */
import { createHash } from 'node:crypto';
import { DBOSInitializationError } from '../errors/errors.ts';
import { createTransactionCompletionTablePG, quotePGIdentifier } from './postgres-transactions.ts';

/** Where the data source schema's version is recorded (one row). */
export const DATASOURCE_MIGRATIONS_TABLE = 'dbos_transaction_completion_migrations';

/** Options shared by data source constructors. */
export interface DataSourceMigrationOptions {
  /** Create and migrate the completion schema at initialize (default true); false only verifies it. */
  runMigrations?: boolean;
}

/** Runs one parameter-free SQL statement and returns its rows. */
export type DataSourceSQLExecutor = (sql: string) => Promise<ReadonlyArray<Record<string, unknown>>>;

/** A migrator left idle inside its transaction (frozen, partitioned) is ended, releasing the lock. */
const migrationIdleTimeout = '60s';

/**
 * The advisory lock key DBOS's migrator takes for the same schema (the first 8 bytes of the name's SHA-256, a
 * signed 64-bit integer), so a DBOS application and a durably one migrating together take turns.
 */
function migrationLockKey(schemaName: string): string {
  return createHash('sha256').update(`dbos.datasource_migrations.${schemaName}`).digest().readBigInt64BE(0).toString();
}

function quoteLiteral(value: string): string {
  return `'${value.replaceAll("'", "''")}'`;
}

/** The migrations, in order: migration N brings the schema to version N. The first adopts a table made before versioning. */
export function getDataSourceMigrationsPG(schemaName = 'dbos'): string[] {
  return [createTransactionCompletionTablePG(schemaName)];
}

async function tableExists(exec: DataSourceSQLExecutor, schemaName: string, table: string): Promise<boolean> {
  // pg_catalog, not information_schema, which hides tables the role holds no grant on.
  const rows = await exec(
    `SELECT 1 AS present FROM pg_catalog.pg_tables
     WHERE schemaname = ${quoteLiteral(schemaName)} AND tablename = ${quoteLiteral(table)}`,
  );
  return rows.length > 0;
}

async function recordedVersion(exec: DataSourceSQLExecutor, schemaName: string): Promise<number> {
  if (!(await tableExists(exec, schemaName, DATASOURCE_MIGRATIONS_TABLE))) return 0;
  const rows = await exec(`SELECT version FROM ${quotePGIdentifier(schemaName)}.${DATASOURCE_MIGRATIONS_TABLE}`);
  return rows.length > 0 ? Number(rows[0]?.version) : 0;
}

/**
 * Bring the schema to the latest version. `exec` must run every statement in one transaction: the advisory
 * lock then serializes concurrent migrators until it commits. No DDL when already at (or past) the latest.
 */
export async function migrateDataSourcePG(exec: DataSourceSQLExecutor, schemaName = 'dbos'): Promise<void> {
  const migrations = getDataSourceMigrationsPG(schemaName);
  const latest = migrations.length;
  if ((await recordedVersion(exec, schemaName)) >= latest) return;
  await exec(`SET LOCAL idle_in_transaction_session_timeout = '${migrationIdleTimeout}'`);
  // In FROM, so no driver has to decode the function's void result.
  await exec(`SELECT 1 AS locked FROM pg_advisory_xact_lock(${migrationLockKey(schemaName)})`);
  const current = await recordedVersion(exec, schemaName);
  if (current >= latest) return;
  const schema = quotePGIdentifier(schemaName);
  const versionTable = `${schema}.${DATASOURCE_MIGRATIONS_TABLE}`;
  // Checked first: CREATE SCHEMA IF NOT EXISTS still needs the CREATE privilege on the database.
  const schemas = await exec(`SELECT 1 AS present FROM pg_catalog.pg_namespace WHERE nspname = ${quoteLiteral(schemaName)}`);
  if (schemas.length === 0) await exec(`CREATE SCHEMA ${schema}`);
  if (!(await tableExists(exec, schemaName, DATASOURCE_MIGRATIONS_TABLE))) {
    await exec(`CREATE TABLE ${versionTable} (version BIGINT NOT NULL PRIMARY KEY)`);
  }
  for (let version = current + 1; version <= latest; version++) await exec(migrations[version - 1]!);
  const record = current === 0 ? `INSERT INTO ${versionTable} (version) VALUES (${latest})` : `UPDATE ${versionTable} SET version = ${latest}`;
  await exec(record);
}

/** Throw DBOSInitializationError unless the schema is migrated; creates and changes nothing. A newer schema passes. */
export async function verifyDataSourcePG(
  exec: DataSourceSQLExecutor,
  schemaName = 'dbos',
  dataSourceName?: string,
): Promise<void> {
  const current = await recordedVersion(exec, schemaName);
  const latest = getDataSourceMigrationsPG(schemaName).length;
  if (current >= latest) return;
  const which = dataSourceName ? `Data source '${dataSourceName}'` : 'Data source';
  throw new DBOSInitializationError(
    `${which} schema '${schemaName}' is at transaction schema version ${current}, but this version requires ${latest}. ` +
      'This data source is configured with runMigrations disabled, so it will not migrate it: either migrate it out of ' +
      "band (the data source's static `initializeDBOSSchema`, or initializeDataSourceSchemaPG) or enable runMigrations.",
    undefined,
    { code: 'DATASOURCE_SCHEMA_NOT_MIGRATED' },
  );
}

/** The least a runtime role needs: read the version, read and write completion rows. */
export function getDataSourcePermissionsSQL(schemaName: string, roleName: string): string[] {
  const schema = quotePGIdentifier(schemaName);
  const role = quotePGIdentifier(roleName);
  return [
    `GRANT USAGE ON SCHEMA ${schema} TO ${role}`,
    `GRANT SELECT, INSERT, DELETE ON ${schema}.transaction_completion TO ${role}`,
    `GRANT SELECT ON ${schema}.${DATASOURCE_MIGRATIONS_TABLE} TO ${role}`,
  ];
}

/** Migrate (in one transaction: see migrateDataSourcePG), then grant `applicationRole` its runtime permissions. */
export async function initializeDataSourceSchemaPG(
  exec: DataSourceSQLExecutor,
  schemaName = 'dbos',
  applicationRole?: string,
): Promise<void> {
  await migrateDataSourcePG(exec, schemaName);
  if (!applicationRole) return;
  for (const statement of getDataSourcePermissionsSQL(schemaName, applicationRole)) await exec(statement);
}
