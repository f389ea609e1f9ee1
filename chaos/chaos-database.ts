/**
 * The databases of one chaos run, seen from the driver: where they are (the
 * configuration handed to workers), plain SQL for the verifier, and the
 * database-side faults. Postgres: a fresh database, on a private cluster the
 * run may crash-restart when the fault harness is there (else on the shared
 * server, restarts skipped, loudly); a cut terminates every backend of that
 * database (and only that database: other users of the shared server are
 * left alone). SQLite: a fresh folder with the system file and the app file;
 * a "cut" there is another process holding the write lock for a while, the
 * closest thing SQLite has to the database going away.
 */
import { randomUUID } from 'node:crypto';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DatabaseSync } from 'node:sqlite';
import pg from 'pg';
import type { ChaosBackend } from './options.ts';

export interface WorkerDatabaseConfig {
  backend: ChaosBackend;
  systemDatabaseUrl: string;
  /** Postgres: the app schema in the system database. SQLite: the app file. */
  app: string;
}

export type DatabaseFault = { kind: 'cut'; backends: number } | { kind: 'lock'; ms: number };

export interface ChaosDatabase {
  readonly config: WorkerDatabaseConfig;
  /** Where it is, for the report. */
  readonly description: string;
  /** Why restarts are not possible, when they are not. */
  readonly restartsUnavailable: string | undefined;
  table(name: string): string;
  rows(sql: string): Promise<Record<string, any>[]>;
  fault(random: () => number): Promise<DatabaseFault>;
  /** Crash-restart the database server; resolves once it accepts connections again. */
  restart(): Promise<void>;
  dispose(keep: boolean): Promise<void>;
}

const sharedPostgres = process.env.DBOS_TEST_POSTGRES_URL ?? 'postgresql://postgres@127.0.0.1:5432/durably_test';
const appSchema = 'chaos_app';

async function withClient<T>(url: string, work: (client: pg.Client) => Promise<T>): Promise<T> {
  const client = new pg.Client({ connectionString: url, connectionTimeoutMillis: 5000 });
  client.on('error', () => undefined); // a cut or restart while we hold it must not crash the driver
  await client.connect();
  try {
    return await work(client);
  } finally {
    await client.end().catch(() => undefined);
  }
}

interface ClusterLike {
  readonly dataDir: string;
  url(database?: string): string;
  createDatabase(name: string): Promise<string>;
  restart(options?: { mode?: string }): Promise<void>;
  destroy(): Promise<void>;
}

/** The private cluster harness of the fault tests, when this checkout has it and the machine can run it. */
async function privateCluster(): Promise<ClusterLike | string> {
  const harness = new URL('../test/faults/support/private-cluster.ts', import.meta.url);
  if (!existsSync(harness)) return 'the private cluster harness (test/faults/support/private-cluster.ts) is not in this checkout';
  const module = (await import(harness.href)) as {
    findPostgresBinaries(): Promise<unknown>;
    PrivateCluster: { create(binaries: unknown): Promise<ClusterLike> };
  };
  const binaries = await module.findPostgresBinaries();
  if (typeof binaries === 'string') return binaries;
  return module.PrivateCluster.create(binaries);
}

export async function openPostgresChaosDatabase(wantRestarts: boolean): Promise<ChaosDatabase> {
  const name = `durably_chaos_${randomUUID().replaceAll('-', '').slice(0, 12)}`;
  const cluster = wantRestarts ? await privateCluster() : 'restarts turned off (--no-restarts)';
  let url: string;
  let adminUrl: string;
  if (typeof cluster === 'string') {
    const admin = new URL(sharedPostgres);
    admin.pathname = '/postgres';
    adminUrl = admin.toString();
    await withClient(adminUrl, (client) => client.query(`CREATE DATABASE "${name}"`));
    const own = new URL(sharedPostgres);
    own.pathname = `/${name}`;
    url = own.toString();
  } else {
    url = await cluster.createDatabase(name);
    adminUrl = cluster.url();
  }
  // A crash restart must not lose a commit a client was told about, whatever the cluster's defaults
  // (a database-level setting outranks the server's command line).
  await withClient(adminUrl, (client) => client.query(`ALTER DATABASE "${name}" SET synchronous_commit = on`));
  await withClient(url, (client) =>
    client.query(`CREATE SCHEMA ${appSchema}; CREATE TABLE ${appSchema}.deliveries (workflow_id TEXT NOT NULL, n INT NOT NULL, nonce TEXT NOT NULL)`),
  );
  return {
    config: { backend: 'postgres', systemDatabaseUrl: url, app: appSchema },
    description: typeof cluster === 'string' ? `database ${name} on the shared server` : `database ${name} on a private cluster`,
    restartsUnavailable: typeof cluster === 'string' ? cluster : undefined,
    table: (table) => (table === 'deliveries' ? `${appSchema}.deliveries` : `dbos.${table}`),
    rows: (sql) => withClient(url, async (client) => (await client.query(sql)).rows),
    async fault() {
      const terminated = await withClient(adminUrl, (client) =>
        client.query('SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = $1 AND pid <> pg_backend_pid()', [name]),
      );
      return { kind: 'cut', backends: terminated.rowCount ?? 0 };
    },
    async restart() {
      if (typeof cluster === 'string') throw new Error(`cannot restart Postgres: ${cluster}`);
      await cluster.restart({ mode: 'immediate' });
    },
    async dispose(keep) {
      if (typeof cluster !== 'string') {
        if (!keep) await cluster.destroy();
        else console.log(`chaos: the private cluster is left running at ${url} (data in ${cluster.dataDir}; stop it with pg_ctl -D <data> stop)`);
        return;
      }
      if (keep) return;
      await withClient(adminUrl, (client) => client.query(`DROP DATABASE IF EXISTS "${name}" WITH (FORCE)`)).catch((error: Error) =>
        console.warn(`could not drop ${name}: ${error.message}`),
      );
    },
  };
}

export async function openSQLiteChaosDatabase(): Promise<ChaosDatabase> {
  const folder = mkdtempSync(join(tmpdir(), 'durably-chaos-'));
  const systemPath = join(folder, 'system.sqlite');
  const appPath = join(folder, 'app.sqlite');
  const app = new DatabaseSync(appPath);
  app.exec('PRAGMA journal_mode = WAL; CREATE TABLE deliveries (workflow_id TEXT NOT NULL, n INTEGER NOT NULL, nonce TEXT NOT NULL)');
  app.close();
  return {
    config: { backend: 'sqlite', systemDatabaseUrl: systemPath, app: appPath },
    description: `files in ${folder}`,
    restartsUnavailable: 'SQLite has no server to restart',
    // The app table lives in its own file: `app.deliveries` names it through an attached database.
    table: (table) => (table === 'deliveries' ? 'app.deliveries' : table),
    async rows(sql) {
      const db = new DatabaseSync(systemPath);
      try {
        db.exec('PRAGMA busy_timeout = 10000');
        db.exec(`ATTACH DATABASE '${appPath.replaceAll("'", "''")}' AS app`);
        return db.prepare(sql).all() as Record<string, any>[];
      } finally {
        db.close();
      }
    },
    async fault(random) {
      // Another process (here: the driver) holding the write lock of the system file for 0.5-3 s.
      const ms = Math.round(500 + random() * 2500);
      const db = new DatabaseSync(systemPath);
      try {
        db.exec('PRAGMA busy_timeout = 10000');
        db.exec('BEGIN IMMEDIATE');
        await new Promise((resolve) => setTimeout(resolve, ms));
        db.exec('COMMIT');
      } finally {
        db.close();
      }
      return { kind: 'lock', ms };
    },
    async restart() {
      throw new Error('SQLite has no server to restart');
    },
    async dispose(keep) {
      if (!keep) rmSync(folder, { recursive: true, force: true });
    },
  };
}
