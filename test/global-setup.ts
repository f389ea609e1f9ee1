/**
 * Runs once before the whole suite (node --test-global-setup).
 *
 * Every Postgres test works in a fresh schema that it drops afterwards, so one
 * run creates and drops thousands of schemas. Their catalog rows (pg_attribute,
 * pg_class, pg_depend...) die faster than autovacuum reclaims them, and the test
 * databases grew run after run (pg_attribute reached 286 MB of 1.36 million dead
 * rows), slowing every later run's DDL by minutes. Compacting those catalogs
 * here keeps each run as fast as the first, whatever state the server was left
 * in. It never fails the suite: a server that is down is reported by
 * backends.ts, and a user without the rights to vacuum is told so.
 */
import pg from 'pg';
import { withDatabase } from '../src/system-database/postgres/postgres-url.ts';

const catalogs = [
  'pg_attribute',
  'pg_depend',
  'pg_class',
  'pg_index',
  'pg_attrdef',
  'pg_constraint',
  'pg_type',
  'pg_namespace',
  'pg_description',
  'pg_statistic',
].map((name) => `pg_catalog.${name}`);

async function withClient<T>(connectionString: string, use: (client: pg.Client) => Promise<T>): Promise<T> {
  const client = new pg.Client({ connectionString, connectionTimeoutMillis: 5_000 });
  client.on('error', () => undefined);
  await client.connect();
  try {
    return await use(client);
  } finally {
    await client.end().catch(() => undefined);
  }
}

/** The test database and the ones the suite derives from its name (for example `<name>_app`). */
async function testDatabases(base: string): Promise<string[]> {
  const name = new URL(base).pathname.slice(1);
  return withClient(withDatabase(base, 'postgres'), async (client) => {
    const rows = await client.query<{ datname: string }>(
      "SELECT datname FROM pg_database WHERE datname = $1 OR datname LIKE $2 || '\\_%'",
      [name, name],
    );
    return rows.rows.map((row) => row.datname);
  });
}

export async function globalSetup(): Promise<void> {
  const base = process.env.DBOS_TEST_POSTGRES_URL ?? 'postgresql://postgres@127.0.0.1:5432/durably_test';
  let databases: string[];
  try {
    databases = await testDatabases(base);
  } catch {
    return; // unreachable: backends.ts says so loudly when the first suite loads
  }
  for (const database of databases) {
    const started = Date.now();
    try {
      await withClient(withDatabase(base, database), (client) => client.query(`VACUUM FULL ${catalogs.join(', ')}`));
      const ms = Date.now() - started;
      if (ms > 1_000) console.log(`test setup: compacted the system catalogs of ${database} in ${ms} ms`);
    } catch (error) {
      console.warn(`test setup: could not compact the catalogs of ${database} (${(error as Error).message}); runs may slow down as they grow`);
    }
  }
}
