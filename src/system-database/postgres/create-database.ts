/** Create the system database when it is missing, through the server's maintenance database. */
import pg from 'pg';
import { DBOSDatabaseUnreachableError, DBOSInitializationError } from '../../errors/errors.ts';
import { absorbClientErrors } from '../../support/pg-error-events.ts';
import { parsePostgresUrl, redactUrl, withDatabase } from './postgres-url.ts';

export function unreachable(url: string, error: unknown): DBOSDatabaseUnreachableError {
  return new DBOSDatabaseUnreachableError(
    `Cannot reach the Postgres system database at ${redactUrl(url)}: ${(error as Error).message}. ` +
      'Check that the server is running and the URL (host, port, user, password) is right.',
    { cause: error },
  );
}

/**
 * `create: false` (runMigrations: false): a missing database is an error naming it, not created. `connect`
 * opens a connection to `url` (the pool's first: the probe costs no connection of its own).
 */
export async function createDatabaseIfMissing(url: string, create: boolean, connect: () => Promise<void>): Promise<void> {
  const { databaseName, connectTimeoutMs } = parsePostgresUrl(url);
  try {
    await connect();
    return;
  } catch (error) {
    if ((error as { code?: string }).code !== '3D000') throw unreachable(url, error);
  }
  // 3D000: the database does not exist yet.
  if (!create) {
    throw new DBOSInitializationError(
      `The Postgres system database "${databaseName}" at ${redactUrl(url)} does not exist, and runMigrations is false. ` +
        'Launch once with runMigrations: true (the default) as a role that may create it, or fix the URL.',
      undefined,
      { code: 'SCHEMA_NOT_MIGRATED' },
    );
  }
  const admin = absorbClientErrors(new pg.Client({ connectionString: withDatabase(url, 'postgres'), connectionTimeoutMillis: connectTimeoutMs }));
  try {
    await admin.connect();
    await admin.query(`CREATE DATABASE "${databaseName.replaceAll('"', '""')}"`);
  } catch (error) {
    // 42P04: another process created it meanwhile.
    if ((error as { code?: string }).code !== '42P04') throw unreachable(url, error);
  } finally {
    await admin.end().catch(() => undefined);
  }
}
