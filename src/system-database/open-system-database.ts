/**
 * Opens the system database a resolved configuration names: the SQLite file
 * (the default) or a Postgres database, created and migrated when needed.
 */
import { rm } from 'node:fs/promises';
import pg from 'pg';
import type { DLogger } from '../telemetry/logger.ts';
import { migrate } from './migrate.ts';
import { PostgresConnection } from './postgres/postgres-connection.ts';
import { postgresDialect } from './postgres/postgres-dialect.ts';
import { PostgresNotifier } from './postgres/postgres-notifier.ts';
import { createDatabaseIfMissing, unreachable } from './postgres/create-database.ts';
import { isConnectionError } from './postgres/postgres-errors.ts';
import { parsePostgresUrl, poolConfig } from './postgres/postgres-url.ts';
import { schemaMigrations } from './sql/schema.ts';
import { SqlSystemDatabase } from './sql-system-database.ts';
import { SqliteConnection, type SqliteSynchronous } from './sqlite/sqlite-connection.ts';
import { sqliteDialect } from './sqlite/sqlite-dialect.ts';
import { SqliteNotifier } from './sqlite/sqlite-notifier.ts';
import { outcomeChannel, queueChannel, queueDefinitionsChannel, type SystemDatabase, messagesChannel, eventsChannel, streamsChannel, cancelChannel, schedulesChannel } from './system-database.ts';

export type SystemDatabaseTarget =
  | { backend: 'sqlite'; path: string; synchronous: SqliteSynchronous }
  | { backend: 'postgres'; url: string; schema: string; poolSize: number };

/** Every notifier channel, listened to from the start so no early notification is missed. */
const channels = [
  outcomeChannel,
  queueChannel,
  queueDefinitionsChannel,
  messagesChannel,
  eventsChannel,
  streamsChannel,
  cancelChannel,
  schedulesChannel,
];

export async function openSystemDatabase(target: SystemDatabaseTarget, logger: DLogger): Promise<SystemDatabase> {
  return target.backend === 'sqlite' ? openSqlite(target.path, target.synchronous) : openPostgres(target, logger);
}

async function openSqlite(path: string, synchronous: SqliteSynchronous): Promise<SystemDatabase> {
  const connection = await SqliteConnection.open(path, synchronous);
  try {
    await connection.transaction((tx) => migrate(tx, sqliteDialect, schemaMigrations(sqliteDialect), Date.now()));
  } catch (error) {
    await connection.close();
    throw error;
  }
  // One connection, one writer: batches commit one at a time.
  return new SqlSystemDatabase('sqlite', connection, sqliteDialect, new SqliteNotifier(), 1);
}

async function openPostgres(
  target: Extract<SystemDatabaseTarget, { backend: 'postgres' }>,
  logger: DLogger,
): Promise<SystemDatabase> {
  const { url, schema } = target;
  await createDatabaseIfMissing(url);
  const dialect = postgresDialect(schema);
  const pool = new pg.Pool(poolConfig(url, target.poolSize));
  const connection = new PostgresConnection(pool, (error) =>
    logger.warn(`An idle system database connection failed: ${error.message}`),
  );
  try {
    await connection.transaction(async (tx) => {
      // Launches racing on a fresh database take turns here.
      await tx.query('SELECT pg_advisory_xact_lock(hashtext($1))', [`durably-migrate-${schema}`]);
      await tx.query(`CREATE SCHEMA IF NOT EXISTS "${schema.replaceAll('"', '""')}"`);
      await migrate(tx, dialect, schemaMigrations(dialect), Date.now());
    });
    const notifier = await PostgresNotifier.start({
      url,
      schema,
      channels,
      connectTimeoutMs: parsePostgresUrl(url).connectTimeoutMs,
      onError: (message, error) => logger.warn(`${message}: ${(error as Error)?.message ?? error}`),
    });
    // Two batches in flight keep Postgres busy while JS prepares the next one.
    return new SqlSystemDatabase('postgres', connection, dialect, notifier, 2);
  } catch (error) {
    await connection.close().catch(() => undefined);
    throw isConnectionError(error) ? unreachable(url, error) : error;
  }
}

/** Delete the whole system database (tests and development): the SQLite files, or the Postgres schema. */
export async function dropSystemDatabase(target: SystemDatabaseTarget): Promise<void> {
  if (target.backend === 'sqlite') {
    for (const suffix of ['', '-wal', '-shm']) await rm(`${target.path}${suffix}`, { force: true });
    return;
  }
  const client = new pg.Client({ connectionString: target.url });
  try {
    await client.connect();
  } catch (error) {
    // 3D000: no such database, so nothing to drop.
    if ((error as { code?: string }).code === '3D000') return;
    throw unreachable(target.url, error);
  }
  try {
    await client.query(`DROP SCHEMA IF EXISTS "${target.schema.replaceAll('"', '""')}" CASCADE`);
  } finally {
    await client.end().catch(() => undefined);
  }
}
