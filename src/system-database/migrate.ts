/**
 * Migration runner, shared by both backends. Migrations only add, are applied
 * in order inside one transaction, and are recorded in `durably_migrations`
 * (durably's own table, beside DBOS's schema, so DBOS tooling's own
 * `dbos_migrations` bookkeeping is never touched). A database migrated by a
 * newer durably is refused with an error naming both versions.
 *
 * A schema that DBOS's own SDK created (its `dbos_migrations` at the version
 * durably's schema matches, or later) is adopted rather than migrated from
 * scratch: of the migrations DBOS's schema already covers, only what durably
 * adds beyond it runs (`beyondDbos`), then later migrations as usual.
 */
import { DBOSInitializationError, DBOSSchemaVersionError } from '../errors/errors.ts';
import type { QueryRunner } from './connection.ts';
import type { Dialect } from './dialect.ts';

export interface Migration {
  version: number;
  name: string;
  statements: readonly string[];
  /**
   * Set on the migrations that DBOS's schema (at `dbosSchemaVersion`) already
   * covers: what of this migration that schema lacks (durably's own tables
   * and indexes).
   */
  beyondDbos?: readonly string[];
}

/** What migrate() found besides durably's own record. */
export interface ExistingSchema {
  /** The version DBOS's SDKs recorded in `dbos_migrations`, 0 when none did. */
  dbosVersion: number;
  /** The version durably's schema matches (what DBOS's SDK must have reached for durably to adopt its schema). */
  adoptableFrom: number;
}

export async function migrate(
  tx: QueryRunner,
  dialect: Dialect,
  migrations: readonly Migration[],
  now: number,
  existing: ExistingSchema = { dbosVersion: 0, adoptableFrom: 0 },
): Promise<{ from: number; to: number }> {
  const table = dialect.table('durably_migrations');
  await tx.query(
    `CREATE TABLE IF NOT EXISTS ${table} (version INTEGER PRIMARY KEY, name TEXT NOT NULL, applied_at BIGINT NOT NULL)`,
  );
  const rows = await tx.query<{ version: number | null }>(`SELECT MAX(version) AS version FROM ${table}`);
  const current = Number(rows[0]?.version ?? 0);
  const latest = migrations.at(-1)?.version ?? 0;
  if (current > latest) throw new DBOSSchemaVersionError(current, latest);
  const adopting = current === 0 && existing.dbosVersion > 0;
  if (adopting && existing.dbosVersion < existing.adoptableFrom) throw dbosSchemaTooOld(existing);
  for (const migration of migrations) {
    if (migration.version <= current) continue;
    const statements = adopting && migration.beyondDbos ? migration.beyondDbos : migration.statements;
    for (const statement of statements) await tx.query(statement);
    await tx.query(`INSERT INTO ${table} (version, name, applied_at) VALUES ($1, $2, $3)`, [
      migration.version,
      migration.name,
      now,
    ]);
  }
  return { from: current, to: latest };
}

function dbosSchemaTooOld(existing: ExistingSchema): DBOSInitializationError {
  return new DBOSInitializationError(
    `The system database schema was created by an older DBOS SDK (DBOS schema version ${existing.dbosVersion}); ` +
      `durably shares DBOS's schema from version ${existing.adoptableFrom} on (DBOS TypeScript SDK 5.3). Launch a ` +
      'DBOS 5.3 (or later) worker on it once to upgrade it, then launch durably.',
    undefined,
    { code: 'DBOS_SCHEMA_TOO_OLD' },
  );
}

/**
 * `runMigrations: false`: change nothing, only check that the schema is at
 * this code's version. A missing or older schema is refused with the remedy
 * (migrate with a role that may); a newer one as in `migrate`.
 */
export async function verifyMigrated(
  runner: QueryRunner,
  dialect: Dialect,
  migrations: readonly Migration[],
  where: string,
  migrationsTableExists: boolean,
): Promise<void> {
  const latest = migrations.at(-1)?.version ?? 0;
  let current = 0;
  if (migrationsTableExists) {
    const rows = await runner.query<{ version: number | null }>(
      `SELECT MAX(version) AS version FROM ${dialect.table('durably_migrations')}`,
    );
    current = Number(rows[0]?.version ?? 0);
  }
  if (current > latest) throw new DBOSSchemaVersionError(current, latest);
  if (current < latest) {
    throw new DBOSInitializationError(
      `The system database ${where} is ${current === 0 ? 'not migrated' : `at schema version ${current}`}, but this ` +
        `version of durably needs version ${latest}, and runMigrations is false. Launch once with runMigrations: true ` +
        '(the default) as a role that may create tables, then launch this one.',
      undefined,
      { code: 'SCHEMA_NOT_MIGRATED' },
    );
  }
}
