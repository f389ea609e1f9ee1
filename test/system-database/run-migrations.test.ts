/**
 * `runMigrations: false` on both backends: a migrated system database is
 * used as is; a missing, unmigrated or older one fails with a typed
 * DBOSInitializationError (SCHEMA_NOT_MIGRATED) saying to run migrations. And
 * a file that is not a SQLite database is refused, naming the file.
 */
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { readFileSync, rmSync, writeFileSync } from 'node:fs';
import { DatabaseSync } from 'node:sqlite';
import { join } from 'node:path';
import { afterEach, test } from 'node:test';
import { DBOS, DBOSInitializationError } from '../../src/index.ts';
import { resolveConfig } from '../../src/runtime/resolve-config.ts';
import { forEachBackend, testTempDir } from '../helpers/backends.ts';
import { rawQuery } from '../helpers/system-database-targets.ts';

const greet = DBOS.registerWorkflow(async (name: string) => `hello ${name}`, { name: 'run-migrations.greet' });

function initializationError(code: string, pattern: RegExp) {
  return (error: unknown) => {
    assert.ok(error instanceof DBOSInitializationError, `expected DBOSInitializationError, got ${String(error)}`);
    assert.equal(error.code, code);
    assert.match(error.message, pattern);
    return true;
  };
}

forEachBackend('runMigrations: false', (backend) => {
  afterEach(async () => {
    await DBOS.shutdown();
  });

  test('a migrated system database is used without migrating', async () => {
    const config = backend.freshConfig();
    DBOS.setConfig(config);
    await DBOS.launch();
    await DBOS.shutdown();
    DBOS.setConfig({ ...config, runMigrations: false });
    await DBOS.launch();
    assert.equal(await (await DBOS.startWorkflow(greet)('world')).getResult(), 'hello world');
  });

  test('an unmigrated system database fails typed, saying to run migrations', async () => {
    const config = { ...backend.freshConfig(), runMigrations: false };
    DBOS.setConfig(config);
    const pattern = backend.name === 'sqlite' ? /There is no SQLite system database at ".*", and runMigrations is false/ : /is not migrated.*runMigrations is false.*runMigrations: true/;
    await assert.rejects(DBOS.launch(), initializationError('SCHEMA_NOT_MIGRATED', pattern));
    assert.equal(DBOS.isInitialized(), false);
    if (backend.name === 'postgres') {
      const target = resolveConfig(config).target;
      const schemas = await rawQuery(target, 'SELECT 1 FROM pg_namespace WHERE nspname = $1', [
        target.backend === 'postgres' ? target.schema : '',
      ]);
      assert.equal(schemas.length, 0, 'nothing was created');
    }
  });

  test('a system database behind this version fails typed, naming its version', async () => {
    const config = backend.freshConfig();
    DBOS.setConfig(config);
    await DBOS.launch();
    await DBOS.shutdown();
    await rawQuery(resolveConfig(config).target, 'DELETE FROM durably_migrations WHERE version > 1');
    DBOS.setConfig({ ...config, runMigrations: false });
    await assert.rejects(DBOS.launch(), initializationError('SCHEMA_NOT_MIGRATED', /is at schema version 1, but this version of durably needs version \d+/));
  });
});

test('[sqlite] an existing file that is not SQLite is refused, naming it (nothing written to it)', async () => {
  const path = join(testTempDir, `not-sqlite-${randomUUID()}.sqlite`);
  const content = 'name,amount\nalice,3\n'.repeat(200);
  writeFileSync(path, content);
  DBOS.setConfig({ systemDatabaseUrl: path, logLevel: 'warn' });
  await assert.rejects(
    DBOS.launch(),
    initializationError('NOT_A_SQLITE_DATABASE', new RegExp(`The file "${path.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}" is not a SQLite database`)),
  );
  assert.equal(readFileSync(path, 'utf8'), content);
  rmSync(path, { force: true });
});

test('[sqlite] an empty SQLite file with runMigrations: false is "not migrated"', async () => {
  const path = join(testTempDir, `empty-${randomUUID()}.sqlite`);
  new DatabaseSync(path).close();
  DBOS.setConfig({ systemDatabaseUrl: path, logLevel: 'warn', runMigrations: false });
  await assert.rejects(DBOS.launch(), initializationError('SCHEMA_NOT_MIGRATED', /is not migrated/));
  rmSync(path, { force: true });
});
