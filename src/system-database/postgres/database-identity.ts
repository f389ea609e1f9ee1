/**
 * Which Postgres database a connection reaches, for single-commit transactions (../single-commit.ts): the
 * server (its start time to the microsecond, and its port) and the database's OID. Host names, addresses,
 * poolers and URL spellings differ between two connections to one database; these do not. Readable by any
 * role. The probe also checks that the connection may write checkpoints (the system schema's
 * operation_outputs exists there and its role may insert and select).
 */
import type { QueryRunner } from '../connection.ts';
import type { Dialect } from '../dialect.ts';

const identitySQL = `SELECT pg_postmaster_start_time()::text || ' port ' || current_setting('port') || ' database ' || d.oid::text AS identity,
    CASE WHEN to_regclass($1) IS NULL THEN false
      ELSE has_table_privilege(to_regclass($1), 'INSERT') AND has_table_privilege(to_regclass($1), 'SELECT') END AS writable
  FROM pg_database d WHERE d.datname = current_database()`;

export async function postgresDatabaseIdentity(runner: QueryRunner, dialect: Dialect): Promise<string | undefined> {
  const [row] = await runner.query<{ identity: string; writable: boolean }>(identitySQL, [dialect.table('operation_outputs')]);
  return row?.writable === true ? row.identity : undefined;
}
