/**
 * Migration runner, shared by both backends. Migrations only add, are applied
 * in order inside one transaction, and are recorded in `durably_migrations`
 * (durably's own table, beside DBOS's schema, so DBOS tooling's own
 * `dbos_migrations` bookkeeping is never touched). A database migrated by a
 * newer durably is refused with an error naming both versions.
 */
import { DBOSInitializationError, DBOSSchemaVersionError } from '../errors/errors.ts';
import type { QueryRunner } from './connection.ts';
import type { Dialect } from './dialect.ts';

export interface Migration {
  version: number;
  name: string;
  statements: readonly string[];
}

export async function migrate(
  tx: QueryRunner,
  dialect: Dialect,
  migrations: readonly Migration[],
  now: number,
): Promise<{ from: number; to: number }> {
  const table = dialect.table('durably_migrations');
  await tx.query(
    `CREATE TABLE IF NOT EXISTS ${table} (version INTEGER PRIMARY KEY, name TEXT NOT NULL, applied_at BIGINT NOT NULL)`,
  );
  const rows = await tx.query<{ version: number | null }>(`SELECT MAX(version) AS version FROM ${table}`);
  const current = Number(rows[0]?.version ?? 0);
  const latest = migrations.at(-1)?.version ?? 0;
  if (current > latest) throw new DBOSSchemaVersionError(current, latest);
  for (const migration of migrations) {
    if (migration.version <= current) continue;
    for (const statement of migration.statements) await tx.query(statement);
    await tx.query(`INSERT INTO ${table} (version, name, applied_at) VALUES ($1, $2, $3)`, [
      migration.version,
      migration.name,
      now,
    ]);
  }
  return { from: current, to: latest };
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
