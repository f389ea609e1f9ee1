/**
 * durably's Postgres schema is DBOS 5.3's (a superset): every column, index,
 * constraint, stored procedure and trigger that DBOS's own migrations build is
 * there, defined the same; DBOS's migration runner finds nothing to do on a
 * durably schema; and durably adopts a schema DBOS built, adding only its own
 * objects.
 */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { DBOS } from '../../src/index.ts';
import {
  catalogSnapshot,
  createDbosSchema,
  freshSchemaName,
  interopSkip,
  missingFrom,
  postgresUrl,
  runDbosMigrations,
  withClient,
} from './helpers/dbos-schema.ts';

async function launchDurablyOn(schema: string): Promise<void> {
  DBOS.setConfig({ name: 'durably-interop', systemDatabaseUrl: postgresUrl, systemDatabaseSchemaName: schema, logLevel: 'warn' });
  await DBOS.launch();
  await DBOS.shutdown();
}

async function recordedVersions(schema: string): Promise<{ dbos: number[]; durably: number[] }> {
  return withClient(async (client) => ({
    dbos: (await client.query(`SELECT version FROM "${schema}".dbos_migrations`)).rows.map((r) => Number(r.version)),
    durably: (await client.query(`SELECT version FROM "${schema}".durably_migrations ORDER BY version`)).rows.map((r) =>
      Number(r.version),
    ),
  }));
}

describe('schema parity with DBOS 5.3 [postgres]', { skip: interopSkip }, () => {
  test('a schema durably creates has everything DBOS 5.3 migrations create, defined the same', async () => {
    const dbosSchema = freshSchemaName();
    const durablySchema = freshSchemaName();
    await createDbosSchema(dbosSchema);
    await launchDurablyOn(durablySchema);
    const problems = missingFrom(await catalogSnapshot(durablySchema), await catalogSnapshot(dbosSchema));
    assert.deepEqual(problems, []);
  });

  test("DBOS's own migration runner finds nothing to apply on a durably schema", async () => {
    const schema = freshSchemaName();
    await launchDurablyOn(schema);
    const before = await recordedVersions(schema);
    const result = await runDbosMigrations(schema);
    assert.equal(result.appliedCount, 0);
    assert.equal(result.fromVersion, 123);
    assert.deepEqual(await recordedVersions(schema), before);
  });

  test('durably adopts a schema DBOS 5.3 built: only its own objects are added, DBOS objects are untouched', async () => {
    const schema = freshSchemaName();
    await createDbosSchema(schema);
    const dbosOnly = await catalogSnapshot(schema);
    await launchDurablyOn(schema);
    const adopted = await catalogSnapshot(schema);
    assert.deepEqual(missingFrom(adopted, dbosOnly), []);
    assert.deepEqual(await recordedVersions(schema), { dbos: [123], durably: [1, 2, 3, 4, 5, 6, 7] });
    const added = [...adopted.indexes.keys()].filter((name) => !dbosOnly.indexes.has(name)).sort();
    assert.deepEqual(added, [
      'durably_executors_pkey',
      'durably_migrations_pkey',
      'idx_workflow_status_in_flight',
      'idx_workflow_status_queue_started',
    ]);
    // A second launch migrates nothing.
    await launchDurablyOn(schema);
    assert.deepEqual(await recordedVersions(schema), { dbos: [123], durably: [1, 2, 3, 4, 5, 6, 7] });
  });

  test('workflow_status keeps room for final updates (fillfactor 50) on its own schema and on an adopted DBOS schema', async () => {
    const fillfactor = (schema: string) =>
      withClient(async (client) => {
        const { rows } = await client.query(
          `SELECT c.reloptions FROM pg_class AS c JOIN pg_namespace AS n ON n.oid = c.relnamespace
           WHERE n.nspname = $1 AND c.relname = 'workflow_status'`,
          [schema],
        );
        return rows[0]?.reloptions as string[] | null;
      });
    const own = freshSchemaName();
    await launchDurablyOn(own);
    assert.deepEqual(await fillfactor(own), ['fillfactor=50']);
    const adopted = freshSchemaName();
    await createDbosSchema(adopted);
    assert.equal(await fillfactor(adopted), null);
    await launchDurablyOn(adopted);
    assert.deepEqual(await fillfactor(adopted), ['fillfactor=50']);
    // DBOS's own migration runner still finds nothing to do there.
    assert.equal((await runDbosMigrations(adopted)).appliedCount, 0);
  });

  test('a schema an older DBOS built is refused with the remedy, and left as it was', async () => {
    const schema = freshSchemaName();
    await createDbosSchema(schema);
    await withClient((client) => client.query(`UPDATE "${schema}".dbos_migrations SET version = 110`));
    await assert.rejects(launchDurablyOn(schema), (error: Error & { code?: string }) => {
      assert.equal(error.code, 'DBOS_SCHEMA_TOO_OLD');
      assert.match(error.message, /DBOS schema version 110/);
      assert.match(error.message, /DBOS 5\.3/);
      return true;
    });
    const present = await withClient((client) =>
      client.query("SELECT 1 FROM pg_tables WHERE schemaname = $1 AND tablename = 'durably_migrations'", [schema]),
    );
    assert.equal(present.rowCount, 0);
  });
});
