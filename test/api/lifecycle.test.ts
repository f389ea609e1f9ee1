/**
 * Lifecycle and its typed errors: use before launch, registration after
 * launch, bad configuration, unreachable databases, a schema newer than the
 * code, unserializable arguments (nothing written), resetSystemDatabase, and
 * shutdown followed by another launch.
 */
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { EventEmitter } from 'node:events';
import { Socket } from 'node:net';
import { join } from 'node:path';
import { afterEach, test } from 'node:test';
import { DatabaseSync } from 'node:sqlite';
import pg from 'pg';
import {
  DBOS,
  DBOSConfigurationError,
  DBOSConflictingRegistrationError,
  DBOSDatabaseUnreachableError,
  DBOSInitializationError,
  DBOSNotLaunchedError,
  DBOSNotRegisteredError,
  DBOSSchemaVersionError,
  DBOSSerializationError,
  type DBOSConfig,
} from '../../src/index.ts';
import { forEachBackend, testTempDir, type TestBackend } from '../helpers/backends.ts';

let echoRuns = 0;
const echo = DBOS.registerWorkflow(async (value: unknown) => {
  echoRuns++;
  return value;
}, { name: 'lifecycle.echo' });
const echoStep = DBOS.registerStep(async (value: number) => value, { name: 'lifecycle.echoStep' });
async function neverRegistered(): Promise<number> {
  return 1;
}

function isNotLaunched(error: unknown): boolean {
  assert.ok(error instanceof DBOSNotLaunchedError, `expected DBOSNotLaunchedError, got ${String(error)}`);
  assert.equal(error.code, 'NOT_LAUNCHED');
  assert.equal(error.dbosErrorCode, 20);
  assert.match(error.message, /DBOS\.launch\(\)/);
  return true;
}

async function launch(backend: TestBackend): Promise<DBOSConfig> {
  const config = backend.freshConfig();
  DBOS.setConfig(config);
  await DBOS.launch();
  return config;
}

/** The schema version recorded in the system database, after adding a row for `newVersion`. */
async function addMigrationRow(backend: TestBackend, config: DBOSConfig, newVersion: number): Promise<number> {
  const insert = 'INSERT INTO durably_migrations (version, name, applied_at) VALUES (';
  if (backend.name === 'sqlite') {
    const db = new DatabaseSync(config.systemDatabaseUrl!);
    try {
      const row = db.prepare('SELECT MAX(version) AS version FROM durably_migrations').get() as { version: number };
      db.prepare(`${insert}?, ?, ?)`).run(newVersion, 'from-the-future', Date.now());
      return Number(row.version);
    } finally {
      db.close();
    }
  }
  const client = new pg.Client({ connectionString: config.systemDatabaseUrl });
  await client.connect();
  try {
    await client.query(`SET search_path TO "${config.systemDatabaseSchemaName}"`);
    const { rows } = await client.query<{ version: number }>('SELECT MAX(version) AS version FROM durably_migrations');
    await client.query(`${insert}$1, $2, $3)`, [newVersion, 'from-the-future', Date.now()]);
    return Number(rows[0]!.version);
  } finally {
    await client.end();
  }
}

forEachBackend('lifecycle', (backend) => {
  afterEach(async () => {
    await DBOS.shutdown();
  });

  test('before launch, durable calls fail with DBOSNotLaunchedError', async () => {
    DBOS.setConfig(backend.freshConfig());
    assert.equal(DBOS.isInitialized(), false);
    await assert.rejects(echo(1), isNotLaunched);
    await assert.rejects(async () => DBOS.startWorkflow(echo)(1), isNotLaunched);
    await assert.rejects(async () => DBOS.getWorkflowStatus('any'), isNotLaunched);
    await assert.rejects(async () => DBOS.retrieveWorkflow('any').getResult(), isNotLaunched);
    assert.equal(typeof DBOS.executorID, 'string'); // readable before launch, as in DBOS (the environment's, else 'local')
  });

  test('after shutdown, durable calls fail with DBOSNotLaunchedError again', async () => {
    await launch(backend);
    assert.equal(DBOS.isInitialized(), true);
    await DBOS.shutdown();
    assert.equal(DBOS.isInitialized(), false);
    await assert.rejects(echo(1), isNotLaunched);
  });

  test('a registered step called before launch is refused, as DBOS does', async () => {
    await assert.rejects(echoStep(3), isNotLaunched);
  });

  test('registering after launch is a DBOSConflictingRegistrationError; shutdown allows it again', async () => {
    await launch(backend);
    const name = `lifecycle.late-${randomUUID()}`;
    assert.throws(() => DBOS.registerWorkflow(async () => 1, { name }), DBOSConflictingRegistrationError);
    assert.throws(() => DBOS.registerStep(async () => 1, { name }), (error: unknown) => {
      assert.ok(error instanceof DBOSConflictingRegistrationError);
      assert.equal(error.code, 'REGISTRATION_CONFLICT');
      return true;
    });
    assert.throws(() => DBOS.setConfig(backend.freshConfig()), DBOSConflictingRegistrationError);
  });

  test('registering a different function under a taken name is a DBOSConflictingRegistrationError', () => {
    assert.throws(
      () => DBOS.registerWorkflow(async (value: unknown) => value, { name: 'lifecycle.echo' }),
      DBOSConflictingRegistrationError,
    );
  });

  test('starting a function that is not a registered workflow is a typed error', async () => {
    await launch(backend);
    assert.throws(() => DBOS.startWorkflow(neverRegistered), DBOSNotRegisteredError);
    // A registered step is startable: it runs as a one-step workflow (see test/queues/database-queues.test.ts).
    assert.equal(await (await DBOS.startWorkflow(echoStep)(7)).getResult(), 7);
  });

  test('setConfig refuses unknown options and URLs of unknown backends', () => {
    const invalid: unknown[] = [
      { ...backend.freshConfig(), systemDatabaseUrll: 'typo' },
      { ...backend.freshConfig(), systemDatabaseUrl: 'mysql://x' },
      { ...backend.freshConfig(), systemDatabaseUrl: 'postgresql://127.0.0.1:5432' },
      { ...backend.freshConfig(), logLevel: 'loud' },
      { ...backend.freshConfig(), name: '' },
    ];
    for (const config of invalid) {
      assert.throws(() => DBOS.setConfig(config as DBOSConfig), (error: unknown) => {
        assert.ok(error instanceof DBOSConfigurationError, `${JSON.stringify(config)}: ${String(error)}`);
        assert.equal(error.code, 'CONFIGURATION_INVALID');
        return true;
      });
    }
    assert.throws(() => DBOS.setConfig({ systemDatabaseUrl: 'mysql://x' }), /mysql:\/\/x/);
  });

  test('an unreachable Postgres server fails launch with DBOSDatabaseUnreachableError', async () => {
    DBOS.setConfig({ ...backend.freshConfig(), systemDatabaseUrl: 'postgresql://postgres@127.0.0.1:1/x' });
    await assert.rejects(DBOS.launch(), (error: unknown) => {
      assert.ok(error instanceof DBOSDatabaseUnreachableError);
      assert.ok(error instanceof DBOSInitializationError);
      assert.equal(error.code, 'DATABASE_UNREACHABLE');
      assert.match(error.message, /127\.0\.0\.1:1/);
      return true;
    });
    assert.equal(DBOS.isInitialized(), false);
    // A failed launch leaves nothing behind: a good configuration launches.
    await launch(backend);
    assert.equal(await echo('after a failed launch'), 'after a failed launch');
  });

  test('a SQLite file in a missing folder fails launch with DBOSDatabaseUnreachableError', async () => {
    const path = join(testTempDir, `missing-${randomUUID()}`, 'system.sqlite');
    DBOS.setConfig({ ...backend.freshConfig(), systemDatabaseUrl: path, systemDatabaseSchemaName: undefined });
    await assert.rejects(DBOS.launch(), DBOSDatabaseUnreachableError);
    assert.equal(DBOS.isInitialized(), false);
  });

  test('a schema newer than the code fails launch with DBOSSchemaVersionError naming both versions', async () => {
    const config = await launch(backend);
    await DBOS.shutdown();
    const codeVersion = await addMigrationRow(backend, config, 999);
    DBOS.setConfig(config);
    await assert.rejects(DBOS.launch(), (error: unknown) => {
      assert.ok(error instanceof DBOSSchemaVersionError);
      assert.ok(error instanceof DBOSInitializationError);
      assert.equal(error.code, 'SCHEMA_NEWER_THAN_CODE');
      assert.equal(error.databaseVersion, 999);
      assert.equal(error.codeVersion, codeVersion);
      assert.match(error.message, /\b999\b/);
      assert.match(error.message, new RegExp(`\\b${codeVersion}\\b`));
      return true;
    });
    assert.equal(DBOS.isInitialized(), false);
  });

  test('unserializable arguments fail with DBOSSerializationError and write no workflow row', async () => {
    await launch(backend);
    const socket = new Socket();
    const emitter = new EventEmitter();
    emitter.on('ready', () => undefined);
    const cases: [string, unknown][] = [
      ['a function', () => 1],
      ['an object holding a socket', { connection: socket }],
      ['an object holding an EventEmitter', { events: emitter }],
      ['a Promise', Promise.resolve(1)],
    ];
    echoRuns = 0;
    for (const [label, argument] of cases) {
      const workflowID = `unserializable-${randomUUID()}`;
      await assert.rejects(DBOS.startWorkflow(echo, { workflowID })(argument), (error: unknown) => {
        assert.ok(error instanceof DBOSSerializationError, `${label}: ${String(error)}`);
        assert.equal(error.code, 'VALUE_NOT_SERIALIZABLE');
        assert.match(error.path, /^\w+\[0\]/, `${label}: path ${error.path}`);
        return true;
      });
      assert.equal(await DBOS.getWorkflowStatus(workflowID), null, `${label}: no row`);
    }
    await assert.rejects(
      DBOS.withNextWorkflowID('direct-call', () => echo(() => 2)),
      DBOSSerializationError,
    );
    assert.equal(await DBOS.getWorkflowStatus('direct-call'), null);
    assert.equal(echoRuns, 0);
    socket.destroy();
  });

  test('resetSystemDatabase then launch gives an empty system database', async () => {
    const config = await launch(backend);
    const workflowID = `before-reset-${randomUUID()}`;
    await DBOS.startWorkflow(echo, { workflowID })('kept?');
    assert.equal(await DBOS.getResult(workflowID), 'kept?');
    await assert.rejects(DBOS.resetSystemDatabase(), DBOSConfigurationError);
    await DBOS.shutdown();
    DBOS.setConfig(config);
    await DBOS.resetSystemDatabase();
    await DBOS.launch();
    assert.equal(await DBOS.getWorkflowStatus(workflowID), null);
    assert.equal(await echo('fresh'), 'fresh');
  });

  test('resetSystemDatabase on a database never created succeeds', async () => {
    DBOS.setConfig(backend.freshConfig());
    await DBOS.resetSystemDatabase();
  });

  test('shutdown then launch again works and keeps recorded workflows', async () => {
    const config = await launch(backend);
    const workflowID = `survivor-${randomUUID()}`;
    await DBOS.startWorkflow(echo, { workflowID })({ kept: true });
    await DBOS.getResult(workflowID);
    await DBOS.shutdown();
    await DBOS.shutdown(); // idempotent
    DBOS.setConfig(config);
    await DBOS.launch();
    await DBOS.launch(); // idempotent while launched
    assert.equal((await DBOS.getWorkflowStatus(workflowID))?.status, 'SUCCESS');
    assert.deepEqual(await DBOS.retrieveWorkflow(workflowID).getResult(), { kept: true });
    assert.equal(await echo('second life'), 'second life');
  });
});
