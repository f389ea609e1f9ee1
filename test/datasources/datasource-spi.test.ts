/**
 * durably/datasource's helpers for custom data sources, with DBOS 5.3's names: the versioned completion
 * schema (migrate, verify, grants; Postgres), replaying a recorded completion row, fencing a stale execution,
 * and guarding a pg pool's connection errors.
 */
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { EventEmitter } from 'node:events';
import { after, afterEach, describe, test } from 'node:test';
import pg from 'pg';
import {
  assertStillOwnsWorkflow,
  DATASOURCE_MIGRATIONS_TABLE,
  getDataSourceMigrationsPG,
  getDataSourcePermissionsSQL,
  guardDataSourcePoolPG,
  initializeDataSourceSchemaPG,
  migrateDataSourcePG,
  replayRecordedStep,
  verifyDataSourcePG,
  type DataSourceSQLExecutor,
} from '../../src/datasource.ts';
import { DBOS, DBOSInitializationError } from '../../src/index.ts';
import { serializeError } from '../../src/engine/error-serialization.ts';
import { serializeValue } from '../../src/engine/serialization.ts';
import { forEachBackend, postgresAvailable } from '../helpers/backends.ts';
import { launch } from '../helpers/lifecycle.ts';
import { postgresTestUrl } from '../helpers/system-database-targets.ts';

const schemas: string[] = [];

/** Run `body` with an executor inside one transaction, as migrateDataSourcePG asks. */
async function inTransaction(body: (exec: DataSourceSQLExecutor) => Promise<void>): Promise<void> {
  const client = new pg.Client({ connectionString: postgresTestUrl });
  await client.connect();
  try {
    await client.query('BEGIN');
    await body(async (sql) => (await client.query(sql)).rows);
    await client.query('COMMIT');
  } catch (error) {
    await client.query('ROLLBACK');
    throw error;
  } finally {
    await client.end();
  }
}

async function query(sql: string): Promise<Record<string, unknown>[]> {
  const client = new pg.Client({ connectionString: postgresTestUrl });
  await client.connect();
  try {
    return (await client.query(sql)).rows;
  } finally {
    await client.end();
  }
}

describe('data source completion schema [postgres]', { skip: postgresAvailable ? false : 'Postgres unreachable' }, () => {
  after(async () => {
    for (const schema of schemas) await query(`DROP SCHEMA IF EXISTS "${schema}" CASCADE`);
  });

  test('migrate creates the schema, the completion table and the version record; again it does nothing', async () => {
    const schema = `ds_${randomUUID().replaceAll('-', '').slice(0, 16)}`;
    schemas.push(schema);
    await assert.rejects(
      inTransaction((exec) => verifyDataSourcePG(exec, schema, 'orders-db')),
      (error: unknown) => error instanceof DBOSInitializationError && /orders-db/.test(error.message) && /version 0/.test(error.message),
    );
    await inTransaction((exec) => migrateDataSourcePG(exec, schema));
    const versions = await query(`SELECT version FROM "${schema}".${DATASOURCE_MIGRATIONS_TABLE}`);
    assert.deepEqual(versions.map((row) => Number(row.version)), [getDataSourceMigrationsPG(schema).length]);
    await query(`INSERT INTO "${schema}".transaction_completion (workflow_id, function_num, output) VALUES ('w', 1, 'x')`);
    await inTransaction((exec) => migrateDataSourcePG(exec, schema));
    await inTransaction((exec) => verifyDataSourcePG(exec, schema));
    assert.equal((await query(`SELECT count(*)::int AS n FROM "${schema}".transaction_completion`))[0]?.n, 1);
  });

  test('a completion table made before versioning is adopted; initialize grants a runtime role what it needs', async () => {
    const schema = `ds_${randomUUID().replaceAll('-', '').slice(0, 16)}`;
    const role = `ds_role_${randomUUID().replaceAll('-', '').slice(0, 12)}`;
    schemas.push(schema);
    await query(`CREATE SCHEMA "${schema}"`);
    await query(getDataSourceMigrationsPG(schema)[0]!);
    await query(`CREATE ROLE ${role}`);
    try {
      await inTransaction((exec) => initializeDataSourceSchemaPG(exec, schema, role));
      const [grants] = await query(
        `SELECT has_table_privilege('${role}', '"${schema}".transaction_completion', 'INSERT') AS can_insert,
                has_table_privilege('${role}', '"${schema}".${DATASOURCE_MIGRATIONS_TABLE}', 'SELECT') AS can_read_version`,
      );
      assert.deepEqual(grants, { can_insert: true, can_read_version: true });
      assert.equal(getDataSourcePermissionsSQL(schema, role).length, 3);
    } finally {
      await query(`DROP OWNED BY ${role}; DROP ROLE ${role}`);
    }
  });
});

test('replayRecordedStep returns a recorded output, throws a recorded error, and gives null for no output', () => {
  const when = new Date('2024-01-02T03:04:05.000Z');
  assert.deepEqual(replayRecordedStep({ output: serializeValue({ when }, 'test').text, error: null }), { when });
  assert.equal(replayRecordedStep({ output: null, error: null }), null);
  const recorded = serializeError(new TypeError('card declined')).text;
  assert.throws(() => replayRecordedStep({ output: null, error: recorded }), /card declined/);
});

test('guardDataSourcePoolPG logs pool and connection errors instead of letting them crash the process', () => {
  const pool = new EventEmitter();
  const client = new EventEmitter();
  guardDataSourcePoolPG(pool, 'test-pool');
  pool.emit('error', Object.assign(new Error('idle connection lost'), { code: '57P01' }));
  pool.emit('acquire', client);
  client.emit('error', new Error('active connection lost'));
  pool.emit('release', undefined, client);
  assert.equal(client.listenerCount('error'), 0);
});

const ownedCheck = DBOS.registerWorkflow(async () => {
  await assertStillOwnsWorkflow(DBOS.workflowID!);
  await assertStillOwnsWorkflow('another-workflow');
  return 'owned';
}, { name: 'spi.ownedCheck' });

forEachBackend('assertStillOwnsWorkflow in a workflow', (backend) => {
  afterEach(async () => {
    await DBOS.shutdown();
  });

  test('the running execution still owns its workflow', async () => {
    await launch(backend);
    assert.equal(await ownedCheck(), 'owned');
    await assertStillOwnsWorkflow('not-in-a-workflow');
  });
});

