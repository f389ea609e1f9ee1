/**
 * What durably/postgres-datasource has beyond the shared behaviour table (postgres-js.test.ts): postgres.js
 * savepoints inside a transaction, DBOS's `IsolationLevel` export, and initializeDBOSSchema.
 */
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { afterEach, beforeEach, test } from 'node:test';
import pg from 'pg';
import { DBOS } from '../../src/index.ts';
import { IsolationLevel, PostgresDataSource } from '../../src/datasources/postgres-js.ts';
import { forEachBackend, postgresAvailable } from '../helpers/backends.ts';
import type { AppDatabase, AppSpec } from './fixtures/app-database.ts';
import { appDatabase, connectionOptions as options } from './fixtures/postgres-js-app.ts';

if (!postgresAvailable) throw new Error('The postgres.js data source tests need Postgres (DBOS_TEST_POSTGRES_URL or 127.0.0.1:5432).');

forEachBackend('PostgresDataSource specifics', (backend) => {
  let spec: AppSpec;
  let app: AppDatabase;
  beforeEach(async () => {
    spec = await appDatabase.create();
    app = appDatabase.open(spec);
  });
  afterEach(async () => {
    await DBOS.shutdown({ deregister: true });
    await app.close();
    await appDatabase.drop(spec);
  });
  const launch = async () => {
    DBOS.setConfig(backend.freshConfig());
    await DBOS.launch();
  };

  test('a savepoint rolled back inside a transaction keeps the rest of it; IsolationLevel is exported under DBOS\'s name', async () => {
    const ds = new PostgresDataSource(`pgjs-${randomUUID().slice(0, 8)}`, options(spec.url!), spec.schema);
    const items = `${spec.schema}.items`;
    const withSavepoint = ds.registerTransaction(async () => {
      const sql = PostgresDataSource.client;
      await sql`INSERT INTO ${sql(items)} VALUES ('kept')`;
      await assert.rejects(sql.savepoint(async (inner) => {
        await inner`INSERT INTO ${inner(items)} VALUES ('rolled-back')`;
        throw new Error('undo the savepoint only');
      }));
      return (await sql`SHOW transaction_isolation`)[0]!.transaction_isolation as string;
    }, { name: 'withSavepoint', isolationLevel: IsolationLevel.RepeatableRead });
    const workflow = DBOS.registerWorkflow(() => withSavepoint(), { name: 'pgjs.savepoint' });
    await launch();
    assert.equal(await DBOS.withNextWorkflowID(randomUUID(), () => workflow()), 'repeatable read');
    assert.deepEqual(await app.items(), ['kept']);
    assert.equal((await app.completionRows()).length, 1);
  });

  test('initializeDBOSSchema creates the completion table (twice is harmless), so runMigrations: false can launch', async () => {
    const schemaName = `${spec.schema}_dbos`;
    await PostgresDataSource.initializeDBOSSchema(options(spec.url!), schemaName);
    await PostgresDataSource.initializeDBOSSchema(options(spec.url!), schemaName);
    new PostgresDataSource('migrated', options(spec.url!), schemaName, { runMigrations: false });
    try {
      await launch();
    } finally {
      const admin = new pg.Client({ connectionString: spec.url });
      await admin.connect();
      await admin.query(`DROP SCHEMA "${schemaName}" CASCADE`).finally(() => admin.end());
    }
  });
});
