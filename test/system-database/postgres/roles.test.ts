/**
 * Launch as real Postgres roles with limited grants: a least-privilege role
 * (USAGE + DML, no CREATE) runs against a migrated schema with
 * `runMigrations: false`, and gets typed errors naming the missing privilege
 * otherwise; a role whose transactions are read-only
 * (default_transaction_read_only) is refused with that named.
 */
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { after, afterEach, before, describe, test } from 'node:test';
import { DBOS, DBOSInitializationError, type DBOSConfig } from '../../../src/index.ts';
import { postgresBackend } from '../../helpers/backends.ts';
import { adminClient, postgresAvailable, postgresTestUrl } from '../../helpers/system-database-targets.ts';

const greet = DBOS.registerWorkflow(async (name: string) => `hello ${name}`, { name: 'roles.greet' });
const roles: string[] = [];

async function asAdmin(sql: string): Promise<void> {
  const client = await adminClient();
  try {
    await client.query(sql);
  } finally {
    await client.end();
  }
}

async function createRole(grants: (role: string) => string[], setting?: string): Promise<string> {
  const role = `durably_role_${randomUUID().replaceAll('-', '').slice(0, 12)}`;
  roles.push(role);
  await asAdmin(`CREATE ROLE ${role} LOGIN`);
  if (setting) await asAdmin(`ALTER ROLE ${role} SET ${setting}`);
  for (const sql of grants(role)) await asAdmin(sql);
  return role;
}

function urlAs(role: string): string {
  const url = new URL(postgresTestUrl);
  url.username = role;
  url.password = '';
  return url.toString();
}

/** A schema migrated by the admin role; returns its config. */
async function migratedSchema(): Promise<DBOSConfig> {
  const config = postgresBackend.freshConfig();
  DBOS.setConfig(config);
  await DBOS.launch();
  await DBOS.shutdown();
  return config;
}

const leastPrivilege = (schema: string) => (role: string) => [
  `GRANT USAGE ON SCHEMA "${schema}" TO ${role}`,
  `GRANT SELECT, INSERT, UPDATE, DELETE ON ALL TABLES IN SCHEMA "${schema}" TO ${role}`,
];

function initializationError(code: string, pattern: RegExp) {
  return (error: unknown) => {
    assert.ok(error instanceof DBOSInitializationError, `expected DBOSInitializationError, got ${String(error)}`);
    assert.equal(error.code, code);
    assert.match(error.message, pattern);
    return true;
  };
}

describe('Postgres roles with limited grants', { skip: postgresAvailable ? false : 'Postgres unreachable' }, () => {
  before(async () => {
    // A role must be able to connect to the test database.
    await asAdmin('SELECT 1');
  });
  afterEach(async () => {
    await DBOS.shutdown();
  });
  after(async () => {
    for (const role of roles.splice(0)) {
      await asAdmin(`DROP OWNED BY ${role}`).catch(() => undefined);
      await asAdmin(`DROP ROLE IF EXISTS ${role}`).catch(() => undefined);
    }
  });

  test('a least-privilege role runs against a migrated schema with runMigrations: false', async () => {
    const config = await migratedSchema();
    const role = await createRole(leastPrivilege(config.systemDatabaseSchemaName!));
    DBOS.setConfig({ ...config, systemDatabaseUrl: urlAs(role), runMigrations: false });
    await DBOS.launch();
    assert.equal(await (await DBOS.startWorkflow(greet)('least privilege')).getResult(), 'hello least privilege');
  });

  test('the same role with runMigrations left on: typed, naming the privilege and runMigrations: false', async () => {
    const config = await migratedSchema();
    const role = await createRole(leastPrivilege(config.systemDatabaseSchemaName!));
    DBOS.setConfig({ ...config, systemDatabaseUrl: urlAs(role) });
    await assert.rejects(
      DBOS.launch(),
      initializationError('DATABASE_PRIVILEGE_MISSING', new RegExp(`role "${role}" may not create or migrate.*CREATE privilege.*runMigrations: false`)),
    );
  });

  test('a least-privilege role against an unmigrated schema: typed, saying to run migrations', async () => {
    const config = postgresBackend.freshConfig();
    const role = await createRole(() => []);
    DBOS.setConfig({ ...config, systemDatabaseUrl: urlAs(role), runMigrations: false });
    await assert.rejects(DBOS.launch(), initializationError('SCHEMA_NOT_MIGRATED', /is not migrated.*runMigrations: true/));
  });

  test('a role without write grants: typed, naming the missing privileges', async () => {
    const config = await migratedSchema();
    const schema = config.systemDatabaseSchemaName!;
    const role = await createRole((r) => [`GRANT USAGE ON SCHEMA "${schema}" TO ${r}`, `GRANT SELECT ON ALL TABLES IN SCHEMA "${schema}" TO ${r}`]);
    DBOS.setConfig({ ...config, systemDatabaseUrl: urlAs(role), runMigrations: false });
    await assert.rejects(
      DBOS.launch(),
      initializationError('DATABASE_PRIVILEGE_MISSING', new RegExp(`role "${role}" lacks privileges.*INSERT on ${schema}\\.`)),
    );
  });

  test('a role without USAGE on the schema: typed, naming it', async () => {
    const config = await migratedSchema();
    const role = await createRole(() => []);
    DBOS.setConfig({ ...config, systemDatabaseUrl: urlAs(role), runMigrations: false });
    await assert.rejects(DBOS.launch(), initializationError('DATABASE_PRIVILEGE_MISSING', /USAGE on schema/));
  });

  for (const runMigrations of [true, false]) {
    test(`a read-only role (default_transaction_read_only), runMigrations ${runMigrations}: typed, naming it`, async () => {
      const config = await migratedSchema();
      const role = await createRole(leastPrivilege(config.systemDatabaseSchemaName!), 'default_transaction_read_only = on');
      DBOS.setConfig({ ...config, systemDatabaseUrl: urlAs(role), runMigrations });
      await assert.rejects(DBOS.launch(), initializationError('DATABASE_READ_ONLY', /read-only transactions.*default_transaction_read_only/));
    });
  }
});
