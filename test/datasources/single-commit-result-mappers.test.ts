/**
 * Single commit under the user's result mappers: the checkpoint statement reads its rows back by column name
 * (`workflow_uuid`, `function_id`), so a mapper that renamed them would turn every commit into a lost race. knex's
 * `postProcessResponse` and kysely's CamelCasePlugin are bypassed (the statement runs on the transaction's
 * connection without them); a postgres.js `transform` cannot be, so that data source keeps the completion-row
 * route. One launch on the Postgres system database, one transaction of each in one workflow.
 */
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { after, test } from 'node:test';
import { CamelCasePlugin, Kysely, PostgresDialect } from 'kysely';
import pg from 'pg';
import postgres from 'postgres';
import { DBOS } from '../../src/index.ts';
import { KnexDataSource } from '../../src/datasources/knex.ts';
import { KyselyDataSource } from '../../src/datasources/kysely.ts';
import { PostgresDataSource } from '../../src/datasources/postgres-js.ts';
import { postgresAvailable, postgresBackend } from '../helpers/backends.ts';
import { stepOutcomes } from '../helpers/lifecycle.ts';
import { appDatabase } from './fixtures/node-pg-app.ts';
import { connectionOptions } from './fixtures/postgres-js-app.ts';

if (!postgresAvailable) throw new Error('The single-commit result-mapper test needs Postgres (DBOS_TEST_POSTGRES_URL or 127.0.0.1:5432).');

/** snake_case keys to camelCase, as knexSnakeCaseMappers' postProcessResponse would. */
function camelRows(result: unknown): unknown {
  const camel = (row: Record<string, unknown>) =>
    Object.fromEntries(Object.entries(row).map(([key, value]) => [key.replace(/_(\w)/g, (_, c: string) => c.toUpperCase()), value]));
  if (Array.isArray(result)) return result.map((row) => (typeof row === 'object' && row !== null ? camel(row) : row));
  const rows = (result as { rows?: Record<string, unknown>[] })?.rows;
  return rows ? { ...(result as object), rows: rows.map(camel) } : result;
}

const title = 'knex and kysely with camel-case result mappers take the single commit; postgres.js with a transform keeps the completion row';
// A mapper that reached the checkpoint statement would lose every race to nobody: the workflow would hang.
test(title, { timeout: 30_000 }, async () => {
  const config = postgresBackend.freshConfig();
  const spec = await appDatabase.create(config);
  const app = appDatabase.open(spec);
  const userKysely = new Kysely<any>({
    dialect: new PostgresDialect({ pool: new pg.Pool({ connectionString: spec.url, max: 2 }) }),
    plugins: [new CamelCasePlugin()],
  });
  after(async () => {
    await DBOS.shutdown({ deregister: true });
    await userKysely.destroy();
    await app.close();
    await appDatabase.drop(spec);
  });
  const items = `"${spec.schema}".items`;
  const knexDs = new KnexDataSource('mapped-knex', { client: 'pg', connection: spec.url, postProcessResponse: camelRows }, spec.schema);
  const kyselyDs = new KyselyDataSource('mapped-kysely', userKysely, spec.schema);
  const postgresOptions = { ...connectionOptions(spec.url!), transform: postgres.camel, onnotice: () => undefined };
  const postgresDs = new PostgresDataSource('mapped-postgres', postgresOptions, spec.schema);
  const viaKnex = knexDs.registerTransaction(async () => {
    await KnexDataSource.client.raw(`INSERT INTO ${items} VALUES ('knex')`);
  }, { name: 'tx.knex' });
  const viaKysely = kyselyDs.registerTransaction(async () => {
    await KyselyDataSource.client.withSchema(spec.schema!).insertInto('items').values({ label: 'kysely' }).execute();
  }, { name: 'tx.kysely' });
  const viaPostgres = postgresDs.registerTransaction(async () => {
    await PostgresDataSource.client.unsafe(`INSERT INTO ${items} VALUES ('postgres')`);
  }, { name: 'tx.postgres' });
  const workflow = DBOS.registerWorkflow(async () => {
    await viaKnex();
    await viaKysely();
    await viaPostgres();
  }, { name: 'mapped.workflow' });
  DBOS.setConfig(config);
  await DBOS.launch();

  const workflowID = randomUUID();
  await DBOS.withNextWorkflowID(workflowID, () => workflow());
  assert.deepEqual(await app.items(), ['knex', 'kysely', 'postgres']);
  assert.deepEqual((await stepOutcomes(workflowID)).map((step) => step.functionName), ['tx.knex', 'tx.kysely', 'tx.postgres']);
  // Only postgres.js's transaction (function 2) took the completion-row route.
  assert.deepEqual((await app.completionRows()).map((row) => [row.workflow_id, row.function_num]), [[workflowID, 2]]);
});
