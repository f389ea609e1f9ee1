/**
 * What durably/drizzle-datasource has beyond the shared behaviour table (drizzle.test.ts): drizzle's own
 * transaction settings, an application's pg.Pool, relational queries over the `entities`, nested
 * transactions as savepoints, and initializeDBOSSchema.
 */
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { afterEach, beforeEach, test } from 'node:test';
import { sql } from 'drizzle-orm';
import pg from 'pg';
import { DBOS, DBOSConfigurationError } from '../../src/index.ts';
import { DrizzleDataSource } from '../../src/datasources/drizzle.ts';
import { pgErrorCode } from '../../src/datasources/postgres-transactions.ts';
import { forEachBackend, postgresAvailable } from '../helpers/backends.ts';
import type { AppDatabase, AppSpec } from './fixtures/app-database.ts';
import { appDatabase, tablesIn } from './fixtures/drizzle-app.ts';

if (!postgresAvailable) throw new Error('The drizzle data source tests need Postgres (DBOS_TEST_POSTGRES_URL or 127.0.0.1:5432).');

forEachBackend('DrizzleDataSource specifics', (backend) => {
  let spec: AppSpec;
  let app: AppDatabase;
  let pool: pg.Pool;
  beforeEach(async () => {
    spec = await appDatabase.create();
    app = appDatabase.open(spec);
    pool = new pg.Pool({ connectionString: spec.url, max: 3 });
  });
  afterEach(async () => {
    await DBOS.shutdown({ deregister: true });
    await pool.end();
    await app.close();
    await appDatabase.drop(spec);
  });
  const launch = async () => {
    DBOS.setConfig(backend.freshConfig());
    await DBOS.launch();
  };
  const dataSource = (configOrPool: pg.PoolConfig | pg.Pool = { connectionString: spec.url }) =>
    new DrizzleDataSource(`drizzle-${randomUUID().slice(0, 8)}`, configOrPool, tablesIn(spec.schema!), spec.schema);
  const isolation = async () => (await DrizzleDataSource.client.execute(sql`SHOW transaction_isolation`)).rows[0]!.transaction_isolation;

  test("drizzle's settings: lower-case isolation levels and accessMode 'read only' (no completion row); unknown values refused", async () => {
    const ds = dataSource();
    const { items } = tablesIn(spec.schema!);
    const readOnlyInsert = ds.registerTransaction(async () => DrizzleDataSource.client.insert(items).values({ label: 'x' }), {
      name: 'readOnlyInsert', accessMode: 'read only',
    });
    const workflow = DBOS.registerWorkflow(() => readOnlyInsert(), { name: 'drizzle.readOnly' });
    await launch();
    assert.equal(await ds.runTransaction(isolation, { isolationLevel: 'repeatable read' }), 'repeatable read');
    // drizzle wraps the driver's error: Postgres's read_only_sql_transaction rides on its cause.
    await assert.rejects(DBOS.withNextWorkflowID(randomUUID(), () => workflow()), (error: Error) => pgErrorCode(error) === '25006');
    assert.deepEqual(await app.items(), []);
    assert.deepEqual(await app.completionRows(), []);
    let ran = false;
    const body = async () => void (ran = true);
    await assert.rejects(ds.runTransaction(body, { isolationLevel: 'chaos; DROP TABLE x' as never }), DBOSConfigurationError);
    await assert.rejects(ds.runTransaction(body, { accessMode: 'read anything' as never }), DBOSConfigurationError);
    assert.equal(ran, false);
  });

  test("an application's pg.Pool is used and left open at shutdown; entities give relational queries; nested transactions are savepoints", async () => {
    const ds = dataSource(pool);
    const { items } = tablesIn(spec.schema!);
    const nested = ds.registerTransaction(async () => {
      const tx = DrizzleDataSource.client as unknown as { transaction: typeof DrizzleDataSource.client.transaction };
      await DrizzleDataSource.client.insert(items).values({ label: 'kept' });
      await assert.rejects(tx.transaction(async (inner) => {
        await inner.insert(items).values({ label: 'rolled-back' });
        throw new Error('undo the savepoint only');
      }));
      const client = DrizzleDataSource.client as unknown as { query: Record<string, { findMany(): Promise<{ label: string }[]> }> };
      return (await client.query.items!.findMany()).map((row) => row.label);
    }, { name: 'nested' });
    const workflow = DBOS.registerWorkflow(() => nested(), { name: 'drizzle.nested' });
    await launch();
    assert.deepEqual(await DBOS.withNextWorkflowID(randomUUID(), () => workflow()), ['kept']);
    assert.deepEqual(await app.items(), ['kept']);
    await DBOS.shutdown({ deregister: true });
    assert.equal((await pool.query('SELECT 1 AS one')).rows[0].one, 1, 'the pool is still open');
  });

  test('initializeDBOSSchema creates the completion table, with a config or a client, so runMigrations: false can launch', async () => {
    const schemaName = `${spec.schema}_dbos`;
    await DrizzleDataSource.initializeDBOSSchema({ connectionString: spec.url }, schemaName);
    const client = await pool.connect();
    try {
      await DrizzleDataSource.initializeDBOSSchema(client, schemaName); // again, on the application's client: idempotent
    } finally {
      client.release();
    }
    new DrizzleDataSource('migrated', { connectionString: spec.url }, {}, schemaName, { runMigrations: false });
    try {
      await launch();
    } finally {
      await pool.query(`DROP SCHEMA "${schemaName}" CASCADE`);
    }
  });
});
