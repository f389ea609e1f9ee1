/**
 * What the knex and kysely data sources add beyond the shared behaviour table: DBOS's static schema helpers
 * (initializeDBOSSchema / uninitializeDBOSSchema) on Postgres and SQLite, isolation-level names in either
 * case, and the refusal of databases they do not support.
 */
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { rmSync } from 'node:fs';
import { join } from 'node:path';
import { DatabaseSync } from 'node:sqlite';
import { after, test } from 'node:test';
import { Kysely, MysqlDialect, SqliteDialect } from 'kysely';
import pg from 'pg';
import { DBOS, DBOSConfigurationError, DBOSDataSourceUnavailableError } from '../../src/index.ts';
import { KnexDataSource } from '../../src/datasources/knex.ts';
import { KyselyDataSource, nodeSQLiteDatabase } from '../../src/datasources/kysely.ts';
import { lowercaseIsolationLevel } from '../../src/datasources/orm-isolation-level.ts';
import { postgresAvailable, sqliteBackend, testTempDir } from '../helpers/backends.ts';

if (!postgresAvailable) throw new Error('The knex and kysely data source tests need Postgres (DBOS_TEST_POSTGRES_URL or 127.0.0.1:5432).');
const url = process.env.DBOS_TEST_POSTGRES_URL ?? 'postgresql://postgres@127.0.0.1:5432/durably_test';
const schemas: string[] = [];

async function pgRows(sql: string, params: unknown[] = []): Promise<Record<string, unknown>[]> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    return (await client.query(sql, params)).rows;
  } finally {
    await client.end();
  }
}
const completionTableIn = async (schema: string) =>
  (await pgRows("SELECT 1 FROM pg_tables WHERE schemaname = $1 AND tablename = 'transaction_completion'", [schema])).length === 1;
const freshSchema = () => {
  const schema = `orm_${randomUUID().replaceAll('-', '').slice(0, 16)}`;
  schemas.push(schema);
  return schema;
};
after(async () => {
  for (const schema of schemas) await pgRows(`DROP SCHEMA IF EXISTS "${schema}" CASCADE`);
});

test('KnexDataSource.initializeDBOSSchema creates the schema and completion table; uninitializeDBOSSchema drops the table', async () => {
  const schema = freshSchema();
  await KnexDataSource.initializeDBOSSchema({ client: 'pg', connection: url }, schema);
  assert.equal(await completionTableIn(schema), true);
  await KnexDataSource.uninitializeDBOSSchema({ client: 'pg', connection: url }, schema);
  assert.equal(await completionTableIn(schema), false);
  assert.equal((await pgRows('SELECT 1 FROM pg_namespace WHERE nspname = $1', [schema])).length, 1, 'the schema is kept');
});

test('KyselyDataSource.initializeDBOSSchema works from a PoolConfig on Postgres and from a Kysely on SQLite', async () => {
  const schema = freshSchema();
  await KyselyDataSource.initializeDBOSSchema({ connectionString: url }, schema);
  assert.equal(await completionTableIn(schema), true);
  await KyselyDataSource.uninitializeDBOSSchema({ connectionString: url }, schema);
  assert.equal(await completionTableIn(schema), false);

  const path = join(testTempDir, `kysely-schema-${randomUUID()}.sqlite`);
  const db = new Kysely<any>({ dialect: new SqliteDialect({ database: nodeSQLiteDatabase(new DatabaseSync(path)) }) });
  try {
    await KyselyDataSource.initializeDBOSSchema(db);
    const tables = (await db.introspection.getTables()).map((table) => table.name);
    assert.deepEqual(tables, ['transaction_completion']);
  } finally {
    await db.destroy();
    rmSync(path, { force: true });
  }
});

test('isolation levels are accepted in lower case (knex, kysely) and upper case (PGIsolationLevel); others are refused', () => {
  assert.equal(lowercaseIsolationLevel('SERIALIZABLE', 'test'), 'serializable');
  assert.equal(lowercaseIsolationLevel('read committed', 'test'), 'read committed');
  assert.equal(lowercaseIsolationLevel(undefined, 'test'), undefined);
  assert.throws(() => lowercaseIsolationLevel('snapshot', 'KnexDataSource "x"'), (error: unknown) => {
    assert.ok(error instanceof DBOSConfigurationError);
    assert.match(error.message, /Unknown isolationLevel "snapshot" for KnexDataSource "x"/);
    return true;
  });
});

test('KnexDataSource refuses a knex client other than Postgres', () => {
  assert.throws(() => new KnexDataSource(`mysql-${randomUUID().slice(0, 8)}`, { client: 'mysql2' }), DBOSConfigurationError);
});

test('a Kysely of an unsupported dialect fails the launch with a typed error', async () => {
  const db = new Kysely<any>({ dialect: new MysqlDialect({ pool: async () => assert.fail('the pool is never opened') }) });
  new KyselyDataSource(`mysql-${randomUUID().slice(0, 8)}`, db);
  DBOS.setConfig(sqliteBackend.freshConfig());
  try {
    await assert.rejects(DBOS.launch(), (error: unknown) => {
      assert.ok(error instanceof DBOSDataSourceUnavailableError, String(error));
      assert.match(error.message, /supports Postgres and SQLite dialects, not MysqlAdapter/);
      return true;
    });
  } finally {
    await DBOS.shutdown({ deregister: true });
  }
});
