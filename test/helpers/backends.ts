/**
 * Every behaviour is tested on both backends through one test body:
 * `forEachBackend` runs a suite once on a fresh SQLite file and once on a
 * fresh Postgres schema. Postgres comes from DBOS_TEST_POSTGRES_URL, else the
 * server on 127.0.0.1:5432 (user postgres); when neither answers, the
 * Postgres runs are skipped and say so loudly.
 */
import { randomUUID } from 'node:crypto';
import { mkdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe } from 'node:test';
import pg from 'pg';
import type { DBOSConfig } from '../../src/index.ts';

export type BackendName = 'sqlite' | 'postgres';

export interface TestBackend {
  name: BackendName;
  /** A fresh system database for one test: a new SQLite file or a new Postgres schema. */
  freshConfig(extra?: DBOSConfig): DBOSConfig;
}

const [nodeMajor = 0, nodeMinor = 0] = process.versions.node.split('.').map(Number);
if (nodeMajor < 22 || (nodeMajor === 22 && nodeMinor < 13)) {
  throw new Error(
    `Tests need Node 22.13 or newer (node:sqlite); this is ${process.version}. Run them through npm test, ` +
      'which uses the Node 24 that npm install puts in node_modules/.bin.',
  );
}

const postgresBase = process.env.DBOS_TEST_POSTGRES_URL ?? 'postgresql://postgres@127.0.0.1:5432/durably_test';
export const testTempDir = join(tmpdir(), 'durably-tests');
mkdirSync(testTempDir, { recursive: true });

async function probePostgres(): Promise<string | undefined> {
  const admin = new URL(postgresBase);
  const database = admin.pathname.slice(1);
  admin.pathname = '/postgres';
  // A refused connection fails at once; the timeout only bounds a server too busy to answer (a loaded CI machine).
  const client = new pg.Client({ connectionString: admin.toString(), connectionTimeoutMillis: 10_000 });
  try {
    await client.connect();
    const exists = await client.query('SELECT 1 FROM pg_database WHERE datname = $1', [database]);
    if (exists.rowCount === 0) await client.query(`CREATE DATABASE "${database}"`).catch(() => undefined);
    return undefined;
  } catch (error) {
    return (error as Error).message;
  } finally {
    await client.end().catch(() => undefined);
  }
}

const postgresProblem = await probePostgres();
if (postgresProblem) {
  console.warn(
    `\n!!! POSTGRES TESTS SKIPPED: cannot reach ${postgresBase} (${postgresProblem}).\n` +
      '!!! Set DBOS_TEST_POSTGRES_URL or start Postgres on 127.0.0.1:5432 to run them.\n',
  );
}

const createdFiles: string[] = [];
const createdSchemas: string[] = [];

export const sqliteBackend: TestBackend = {
  name: 'sqlite',
  freshConfig: (extra = {}) => {
    const path = join(testTempDir, `${randomUUID()}.sqlite`);
    createdFiles.push(path);
    return { name: 'durably-test', systemDatabaseUrl: path, logLevel: 'warn', ...extra };
  },
};

/** DURABLY_TEST_NO_LISTEN=1 runs the Postgres suites without LISTEN/NOTIFY (useListenNotify: false). */
const pollingMode: DBOSConfig = process.env.DURABLY_TEST_NO_LISTEN ? { useListenNotify: false } : {};

export const postgresBackend: TestBackend = {
  name: 'postgres',
  freshConfig: (extra = {}) => {
    const schema = `t_${randomUUID().replaceAll('-', '').slice(0, 20)}`;
    createdSchemas.push(schema);
    return { name: 'durably-test', systemDatabaseUrl: postgresBase, systemDatabaseSchemaName: schema, logLevel: 'warn', ...pollingMode, ...extra };
  },
};

/** After each test file, remove the databases its tests made. */
after(async () => {
  for (const path of createdFiles.splice(0)) {
    for (const suffix of ['', '-wal', '-shm']) rmSync(`${path}${suffix}`, { force: true });
  }
  if (createdSchemas.length === 0 || !postgresAvailable) return;
  const client = new pg.Client({ connectionString: postgresBase });
  try {
    await client.connect();
    for (const schema of createdSchemas.splice(0)) await client.query(`DROP SCHEMA IF EXISTS "${schema}" CASCADE`);
  } catch (error) {
    console.warn(`Could not drop test schemas: ${(error as Error).message}`);
  } finally {
    await client.end().catch(() => undefined);
  }
});

export const postgresAvailable = postgresProblem === undefined;

/** Define `suite` once per backend, as `<title> [sqlite]` and `<title> [postgres]`. */
export function forEachBackend(title: string, suite: (backend: TestBackend) => void): void {
  for (const backend of [sqliteBackend, postgresBackend]) {
    const skip = backend.name === 'postgres' && !postgresAvailable ? 'Postgres unreachable' : false;
    describe(`${title} [${backend.name}]`, { skip }, () => suite(backend));
  }
}
