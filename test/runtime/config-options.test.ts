/**
 * Config options checked at setConfig(): each bad value is a typed
 * DBOSConfigurationError naming the option and the value; DBOS's spellings
 * (`logLevel: 'INFO'`) are accepted; new options resolve to their defaults.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import pg from 'pg';
import { DBOS, DBOSConfigurationError, type DBOSConfig } from '../../src/index.ts';
import { resolveConfig } from '../../src/runtime/resolve-config.ts';
import { redactUrl } from '../../src/system-database/postgres/postgres-url.ts';

const sqliteUrl = './config-options-test.sqlite';
const postgresUrl = 'postgresql://postgres@127.0.0.1:5432/durably_test';

function refused(config: Record<string, unknown>, pattern: RegExp): void {
  assert.throws(
    () => DBOS.setConfig({ systemDatabaseUrl: sqliteUrl, ...config } as DBOSConfig),
    (error: unknown) => {
      assert.ok(error instanceof DBOSConfigurationError, `expected DBOSConfigurationError, got ${String(error)}`);
      assert.equal(error.code, 'CONFIGURATION_INVALID');
      assert.match(error.message, pattern);
      return true;
    },
  );
}

test('adminPort must be an integer from 1 to 65535', () => {
  refused({ adminPort: 'abc' }, /"adminPort".*1 to 65535.*"abc"/);
  refused({ adminPort: 0 }, /"adminPort".*got 0/);
  refused({ adminPort: 70000 }, /"adminPort".*got 70000/);
  refused({ adminPort: 3001.5 }, /"adminPort".*3001\.5/);
  DBOS.setConfig({ systemDatabaseUrl: sqliteUrl, adminPort: 3001 });
});

test('OTLP endpoints must be arrays of http(s) URLs', () => {
  refused({ otlpTracesEndpoints: 'nope' }, /"otlpTracesEndpoints" must be an array of URLs, got "nope"/);
  refused({ otlpLogsEndpoints: ['http://ok:4318/v1/logs', 'nope'] }, /"otlpLogsEndpoints" must hold http\(s\) URLs, got "nope"/);
  refused({ otlpLogsEndpoints: [42] }, /"otlpLogsEndpoints".*got 42/);
  DBOS.setConfig({ systemDatabaseUrl: sqliteUrl, otlpTracesEndpoints: ['http://localhost:4318/v1/traces'] });
});

test('logLevel is accepted in any case; an unknown level names the allowed ones', () => {
  for (const logLevel of ['INFO', 'Warn', 'debug', 'ERROR', 'silent']) {
    assert.doesNotThrow(() => resolveConfig({ systemDatabaseUrl: sqliteUrl, logLevel }));
  }
  refused({ logLevel: 'loud' }, /"logLevel" must be one of debug, info, warn, error, silent \(any case\), got "loud"/);
  refused({ logLevel: 3 }, /"logLevel".*got 3/);
});

test('an unknown key is named; a wrong case is pointed at the right key; unsupported DBOS options say so', () => {
  refused({ systemDatabaseURL: postgresUrl }, /Unknown config option "systemDatabaseURL"\. Did you mean "systemDatabaseUrl"\?/);
  refused({ colour: 'blue' }, /Unknown config option "colour"\. Known options: .*runMigrations/);
  refused({ notificationCoalesceMs: 10 }, /"notificationCoalesceMs" is a DBOS option durably does not support/);
});

test('boolean options must be booleans', () => {
  refused({ useListenNotify: 'no' }, /"useListenNotify" must be true or false, got "no"/);
  refused({ runMigrations: 0 }, /"runMigrations" must be true or false, got 0/);
  refused({ enableOTLP: 'true' }, /"enableOTLP".*"true"/);
});

test('systemDatabasePollingConcurrency: an integer; default half the Postgres pool, unlimited on SQLite', () => {
  refused({ systemDatabasePollingConcurrency: 'two' }, /"systemDatabasePollingConcurrency" must be an integer.*"two"/);
  refused({ systemDatabasePollingConcurrency: 1.5 }, /"systemDatabasePollingConcurrency".*1\.5/);
  const sqlite = resolveConfig({ systemDatabaseUrl: sqliteUrl }).target;
  assert.equal(sqlite.pollingConcurrency, 0);
  const postgres = resolveConfig({ systemDatabaseUrl: postgresUrl, systemDatabasePoolSize: 7 }).target;
  assert.equal(postgres.pollingConcurrency, 3);
  assert.equal(resolveConfig({ systemDatabaseUrl: postgresUrl, systemDatabasePollingConcurrency: -1 }).target.pollingConcurrency, 0);
  assert.equal(resolveConfig({ systemDatabaseUrl: postgresUrl, systemDatabasePollingConcurrency: 5 }).target.pollingConcurrency, 5);
});

test('useListenNotify and runMigrations default to true', () => {
  const target = resolveConfig({ systemDatabaseUrl: postgresUrl }).target;
  assert.equal(target.backend, 'postgres');
  assert.equal(target.backend === 'postgres' && target.useListenNotify, true);
  assert.equal(target.runMigrations, true);
  assert.equal(resolveConfig({ systemDatabaseUrl: sqliteUrl, runMigrations: false }).target.runMigrations, false);
});

test('systemDatabasePool must be a pg.Pool with room for two connections; it names Postgres', async () => {
  refused({ systemDatabasePool: 'pool' }, /"systemDatabasePool" must be a pg\.Pool, got "pool"/);
  refused({ systemDatabasePool: {} }, /"systemDatabasePool" must be a pg\.Pool, got an object without pg\.Pool's methods/);
  const tiny = new pg.Pool({ connectionString: postgresUrl, max: 1 });
  const pool = new pg.Pool({ connectionString: 'postgresql://alice:secret@db.example:6543/app', max: 6 });
  try {
    refused({ systemDatabasePool: tiny }, /at least 2 connections \(its max is 1\)/);
    refused({ systemDatabasePool: pool, systemDatabaseUrl: './x.sqlite' }, /not a Postgres URL/);
    const target = resolveConfig({ systemDatabasePool: pool }).target;
    assert.equal(target.backend, 'postgres');
    if (target.backend !== 'postgres') return;
    assert.equal(target.pool, pool);
    assert.equal(target.poolSize, 6);
    assert.equal(target.pollingConcurrency, 3);
    assert.equal(target.url, 'postgresql://alice@db.example:6543/app', 'the password is left out');
  } finally {
    await tiny.end();
    await pool.end();
  }
});

test('an unparseable URL is shown as given, password redacted', () => {
  assert.equal(redactUrl('postgresql://alice:s3cret@db host:5432/app'), 'postgresql://alice:***@db host:5432/app');
  refused({ systemDatabaseUrl: 'postgresql://alice:s3cret@db:port/app' }, /"postgresql:\/\/alice:\*\*\*@db:port\/app" is not a valid URL/);
  assert.throws(() => resolveConfig({ systemDatabaseUrl: 'postgresql://alice:s3cret@db:port/app' }), (error: Error) => !/s3cret/.test(error.message));
});

test('logger must have the four methods', () => {
  refused({ logger: { info: () => undefined } }, /"logger" must have debug, info, warn and error methods; it lacks debug, warn, error/);
});

test('databaseOutageTimeoutMs: a positive number of ms, default 60 s, on both backends', () => {
  refused({ databaseOutageTimeoutMs: 0 }, /"databaseOutageTimeoutMs" must be a positive number of milliseconds, got 0/);
  refused({ databaseOutageTimeoutMs: '5s' }, /"databaseOutageTimeoutMs".*"5s"/);
  assert.equal(resolveConfig({ systemDatabaseUrl: sqliteUrl }).target.outageTimeoutMs, 60_000);
  assert.equal(resolveConfig({ systemDatabaseUrl: postgresUrl, databaseOutageTimeoutMs: 5000 }).target.outageTimeoutMs, 5000);
});
