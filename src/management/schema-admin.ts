/**
 * Creating, upgrading and dropping a whole system database, for deploy
 * pipelines and operators (`durably migrate`, `durably reset`): the same
 * migrations a launching worker applies, run without launching anything.
 */
import { dropSystemDatabase, openSystemDatabase, type SystemDatabaseTarget } from '../system-database/open-system-database.ts';
import { schemaMigrations } from '../system-database/sql/schema.ts';
import { sqliteDialect } from '../system-database/sqlite/sqlite-dialect.ts';
import type { DLogger } from '../telemetry/logger.ts';

/** Create the system database (and Postgres database) if missing and apply every migration; returns the schema version. */
export async function migrateSystemDatabase(target: SystemDatabaseTarget, logger: DLogger): Promise<number> {
  const systemDatabase = await openSystemDatabase({ ...target, runMigrations: true }, logger);
  await systemDatabase.close();
  return latestSchemaVersion();
}

/** The schema version this code migrates to (the same on both backends). */
export function latestSchemaVersion(): number {
  return schemaMigrations(sqliteDialect).at(-1)?.version ?? 0;
}

/** Delete every workflow and the schema itself: the SQLite file, or the Postgres schema. */
export function resetSystemDatabase(target: SystemDatabaseTarget): Promise<void> {
  return dropSystemDatabase(target);
}
