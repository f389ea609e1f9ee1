/**
 * Opens the system database a resolved configuration names: the SQLite file
 * (the default) or a Postgres database, created and migrated when needed.
 */
import { existsSync } from 'node:fs';
import { rm } from 'node:fs/promises';
import pg from 'pg';
import type { DLogger } from '../telemetry/logger.ts';
import { DBOSDatabaseUnreachableError, DBOSInitializationError } from '../errors/errors.ts';
import { absorbClientErrors } from '../support/pg-error-events.ts';
import { defaultOutageTimeoutMs } from './connection.ts';
import type { Dialect } from './dialect.ts';
import { migrate, verifyMigrated } from './migrate.ts';
import type { Notifier } from './notifier.ts';
import { PollingNotifier } from './polling-notifier.ts';
import { preparePostgresSchema } from './postgres/prepare-schema.ts';
import { ReadLimiter } from './read-limiter.ts';
import { PostgresConnection } from './postgres/postgres-connection.ts';
import { workflowIDsOrderByCodePoint } from './postgres/text-order.ts';
import { postgresDialect } from './postgres/postgres-dialect.ts';
import { PostgresNotifier } from './postgres/postgres-notifier.ts';
import { createDatabaseIfMissing, unreachable } from './postgres/create-database.ts';
import { isConnectionError } from './postgres/postgres-errors.ts';
import { parsePostgresUrl, poolConfig, redactUrl } from './postgres/postgres-url.ts';
import { schemaMigrations } from './sql/schema.ts';
import { SqlSystemDatabase } from './sql-system-database.ts';
import { sqlSingleCommit } from './single-commit.ts';
import { postgresDatabaseIdentity } from './postgres/database-identity.ts';
import { sqliteDatabaseIdentity } from './sqlite/database-identity.ts';
import { SqliteConnection, type SqliteSynchronous } from './sqlite/sqlite-connection.ts';
import { sqliteDialect } from './sqlite/sqlite-dialect.ts';
import { SqliteNotifier } from './sqlite/sqlite-notifier.ts';
import { outcomeChannel, queueChannel, queueDefinitionsChannel, type SystemDatabase, messagesChannel, eventsChannel, streamsChannel, cancelChannel, schedulesChannel } from './system-database.ts';

/** Options common to both backends; optional so a target can be written by hand (tests). */
interface TargetOptions {
  /** Default true; false only checks that the schema is migrated (no DDL). */
  runMigrations?: boolean;
  /** Bound on concurrent polling reads; 0 or absent: unlimited. */
  pollingConcurrency?: number;
  /** Statement timeout of observability reads (list, status, steps); 0 or absent: none. Postgres only. */
  observabilityQueryTimeoutMs?: number;
  /** How long to retry through a lost or stalled connection (databaseOutageTimeoutMs); default 60 s. */
  outageTimeoutMs?: number;
}

export type SystemDatabaseTarget =
  | ({ backend: 'sqlite'; path: string; synchronous: SqliteSynchronous } & TargetOptions)
  | ({
      backend: 'postgres';
      url: string;
      schema: string;
      poolSize: number;
      /** A caller's pool: used instead of one of ours, and never ended by durably. */
      pool?: pg.Pool;
      /** Default true; false: no LISTEN, no NOTIFY, waits poll. */
      useListenNotify?: boolean;
      /** idle_in_transaction_session_timeout of the connections of our own pool (never a caller's); 0 or absent: the server's. */
      idleTransactionTimeoutMs?: number;
    } & TargetOptions);

type PostgresTarget = Extract<SystemDatabaseTarget, { backend: 'postgres' }>;

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
  return target.backend === 'sqlite' ? openSqlite(target) : openPostgres(target, logger);
}

async function openSqlite(target: Extract<SystemDatabaseTarget, { backend: 'sqlite' }>): Promise<SystemDatabase> {
  const { path } = target;
  const runMigrations = target.runMigrations ?? true;
  if (!runMigrations && !existsSync(path)) {
    throw new DBOSInitializationError(
      `There is no SQLite system database at "${path}", and runMigrations is false. Launch once with runMigrations: true ` +
        '(the default) to create it, or fix systemDatabaseUrl.',
      undefined,
      { code: 'SCHEMA_NOT_MIGRATED' },
    );
  }
  // SQLite's outages are faults of the file: locked by another process, read-only, disk full (sqlite-faults.ts).
  const connection = await SqliteConnection.open(path, target.synchronous, target.outageTimeoutMs);
  try {
    if (runMigrations) {
      await connection.transaction((tx) => migrate(tx, sqliteDialect, schemaMigrations(sqliteDialect), Date.now()));
    } else {
      const rows = await connection.query("SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'durably_migrations'");
      await verifyMigrated(connection, sqliteDialect, schemaMigrations(sqliteDialect), `"${path}"`, rows.length > 0);
    }
  } catch (error) {
    await connection.close();
    throw error;
  }
  connection.startWaitingOutFaults();
  // One connection, one writer: batches commit one at a time.
  const limiter = new ReadLimiter(target.pollingConcurrency ?? 0);
  const singleCommit = sqlSingleCommit(connection, sqliteDialect, sqliteDatabaseIdentity, (work) => connection.whileHeld(work));
  return new SqlSystemDatabase('sqlite', connection, sqliteDialect, sqliteNotifier(connection), 1, limiter, singleCommit);
}

/** Cross-process wake-ups on SQLite: the connection's data_version, watched (sqlite-notifier.ts). */
function sqliteNotifier(connection: SqliteConnection): SqliteNotifier {
  return new SqliteNotifier(() => connection.dataVersion(), new Set([queueDefinitionsChannel, schedulesChannel]));
}

async function openPostgres(target: PostgresTarget, logger: DLogger): Promise<SystemDatabase> {
  const { url, schema } = target;
  const runMigrations = target.runMigrations ?? true;
  const useListenNotify = target.useListenNotify ?? true;
  const dialect = postgresDialect(schema, { notify: useListenNotify });
  const idleTimeout = target.idleTransactionTimeoutMs ?? 0;
  const pool =
    target.pool ??
    new pg.Pool({
      ...poolConfig(url, target.poolSize, target.outageTimeoutMs ?? defaultOutageTimeoutMs),
      // A startup parameter of each connection: no statement per checkout.
      ...(idleTimeout > 0 ? { idle_in_transaction_session_timeout: Math.floor(idleTimeout) } : {}),
    });
  const connection = new PostgresConnection(
    pool,
    (error) => logger.warn(`An idle system database connection failed: ${error.message}`),
    // Never end a caller's pool: its owner does.
    target.pool === undefined,
    target.outageTimeoutMs ?? defaultOutageTimeoutMs,
  );
  let listening: Promise<Notifier> | undefined;
  try {
    // A caller's pool names a database that must exist; so must ours when we may not migrate. The probe is the
    // pool's first connection, kept for the migration (a connection costs a server process: ~10-20 ms).
    if (!target.pool) await createDatabaseIfMissing(url, runMigrations, async () => (await pool.connect()).release());
    // The LISTEN connection opens while the schema is prepared: launch waits for the slower, not for both.
    listening = useListenNotify ? startListening(target, logger) : Promise.resolve(new PollingNotifier(20, 1000));
    listening.catch(() => undefined); // awaited below; a failure meanwhile is the launch's error there
    await preparePostgresSchema(connection, dialect, { url, schema, runMigrations });
    // Learned once: whether an ID prefix is an index range here (text-order.ts).
    const readDialect: Dialect = { ...dialect, codePointTextOrder: await workflowIDsOrderByCodePoint(connection, schema) };
    const notifier = await listening;
    const limiter = new ReadLimiter(target.pollingConcurrency ?? 0);
    // Two batches in flight keep Postgres busy while JS prepares the next one.
    const singleCommit = sqlSingleCommit(connection, dialect, postgresDatabaseIdentity, (work) => work((inside) => inside()));
    return new SqlSystemDatabase('postgres', connection, readDialect, notifier, 2, limiter, singleCommit, target.observabilityQueryTimeoutMs);
  } catch (error) {
    await listening?.then((notifier) => notifier.close(), () => undefined);
    await connection.close().catch(() => undefined);
    if (error instanceof DBOSDatabaseUnreachableError) throw error;
    throw isConnectionError(error) ? unreachable(url, error) : (missingDatabase(url, error) ?? error);
  }
}

/** 3D000 through a caller's pool, which durably never creates a database for. */
function missingDatabase(url: string, error: unknown): DBOSInitializationError | undefined {
  if ((error as { code?: string }).code !== '3D000') return undefined;
  return new DBOSInitializationError(
    `The Postgres system database named by systemDatabasePool (${redactUrl(url)}) does not exist: ` +
      `${(error as Error).message}. Create it, or launch once without systemDatabasePool so durably creates it.`,
    error as Error,
    { code: 'DATABASE_MISSING' },
  );
}

function startListening(target: PostgresTarget, logger: DLogger): Promise<PostgresNotifier> {
  return PostgresNotifier.start({
    url: target.url,
    clientConfig: target.pool?.options,
    schema: target.schema,
    channels,
    connectTimeoutMs: parsePostgresUrl(target.url).connectTimeoutMs,
    onError: (message, error) => logger.warn(`${message}: ${(error as Error)?.message ?? error}`),
  });
}

/** Delete the whole system database (tests and development): the SQLite files, or the Postgres schema. */
export async function dropSystemDatabase(target: SystemDatabaseTarget): Promise<void> {
  if (target.backend === 'sqlite') {
    for (const suffix of ['', '-wal', '-shm']) await rm(`${target.path}${suffix}`, { force: true });
    return;
  }
  if (target.pool) {
    await target.pool.query(`DROP SCHEMA IF EXISTS "${target.schema.replaceAll('"', '""')}" CASCADE`);
    return;
  }
  const client = absorbClientErrors(new pg.Client({ connectionString: target.url }));
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
