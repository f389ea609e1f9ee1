/**
 * Single commit, beyond the behaviour table: a data source whose database is the system database (node-pg,
 * knex, kysely, drizzle, postgres.js on the Postgres system database; SQLite and kysely on the system file)
 * costs one commit per transaction operation, loses cleanly to an execution that recorded the operation first,
 * can be switched off, and (SQLite) refuses a system-database call from inside its transaction instead of
 * waiting forever. One body per pair.
 */
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { afterEach, beforeEach, describe, test } from 'node:test';
import pg from 'pg';
import { DBOS, DBOSSystemDatabaseHeldError, type DBOSConfig } from '../../src/index.ts';
import { encodeValue } from '../../src/engine/stored-values.ts';
import { deferred } from '../../src/support/deferred.ts';
import { engineFor } from '../../src/runtime/runtime.ts';
import { postgresAvailable, postgresBackend, sqliteBackend, type TestBackend } from '../helpers/backends.ts';
import { stepOutcomes } from '../helpers/lifecycle.ts';
import { commitsWriting, recordCommits } from './commit-counter.ts';
import type { AppDatabase, AppDatabaseModule, AppSpec } from './fixtures/app-database.ts';
import { appDatabase as drizzleApp } from './fixtures/drizzle-app.ts';
import { appDatabase as knexApp } from './fixtures/knex-app.ts';
import { appDatabase as kyselyApp } from './fixtures/kysely-app.ts';
import { appDatabase as kyselySQLiteApp } from './fixtures/kysely-sqlite-app.ts';
import { appDatabase as nodePgApp } from './fixtures/node-pg-app.ts';
import { appDatabase as postgresJsApp } from './fixtures/postgres-js-app.ts';
import { appDatabase as sqliteApp } from './fixtures/sqlite-app.ts';

if (!postgresAvailable) throw new Error('The single-commit tests need Postgres (DBOS_TEST_POSTGRES_URL or 127.0.0.1:5432).');

/** The operation's own writes: the application's tables, completion rows, checkpoints. */
const operationTables = /\b(items|counter|transaction_completion|operation_outputs)\b/;

/**
 * The commit counter sees the statements of `pg` and `node:sqlite` connections; postgres.js speaks the protocol
 * itself, so its commits are not counted ('invisible'): only the system database's own are, and the server's
 * transaction IDs (xmin) tell that the writes and the checkpoint committed together.
 */
type DriverCommits = 'counted' | 'invisible';

function defineSingleCommit(module: AppDatabaseModule, backend: TestBackend, driverCommits: DriverCommits = 'counted'): void {
  /** The commits of the data source's own connection the counter misses. */
  const unseen = driverCommits === 'invisible' ? 1 : 0;

  let config: DBOSConfig;
  let spec: AppSpec;
  let app: AppDatabase;

  beforeEach(async () => {
    config = backend.freshConfig();
    spec = await module.create(config);
    app = module.open(spec);
  });
  afterEach(async () => {
    await DBOS.shutdown({ deregister: true });
    await app.close();
    await module.drop(spec);
  });

  /** A workflow whose one operation is a transaction inserting `label` and incrementing the counter. */
  function insertWorkflow(options?: { singleCommit?: boolean }) {
    const ds = app.createDataSource(`app-${randomUUID().slice(0, 8)}`, options);
    const runs = { insert: 0 };
    const insert = ds.registerTransaction(async (label: string) => {
      runs.insert++;
      await app.insertItemInTransaction(label);
      return { label, n: await app.incrementInTransaction() };
    }, { name: 'tx.insert' });
    return { ds, runs, workflow: DBOS.registerWorkflow((label: string) => insert(label), { name: 'sc.insertWorkflow' }) };
  }

  async function launch(): Promise<void> {
    DBOS.setConfig(config);
    await DBOS.launch();
  }

  test('a transaction operation is exactly one commit: its writes and its checkpoint together', async () => {
    const { workflow } = insertWorkflow();
    await launch();
    await DBOS.withNextWorkflowID(randomUUID(), () => workflow('warm-up')); // the first transaction names the database
    const workflowID = randomUUID();
    const commits = commitsWriting(await recordCommits(() => DBOS.withNextWorkflowID(workflowID, () => workflow('one'))), operationTables);
    assert.equal(commits.length, 1 - unseen, JSON.stringify(commits, null, 1));
    if (!unseen) {
      assert.ok(commits[0]!.statements.some((sql) => /operation_outputs/.test(sql)), 'the checkpoint is in that commit');
      assert.ok(commits[0]!.statements.some((sql) => /items/.test(sql)), 'the writes are in that commit');
    }
    assert.deepEqual(await app.completionRows(), []);
    assert.deepEqual((await stepOutcomes(workflowID)).map((step) => step.functionName), ['tx.insert']);
    if (backend.name === 'postgres') {
      // The server's own word: the item row and the checkpoint row were written by one transaction.
      const client = new pg.Client({ connectionString: spec.url });
      await client.connect();
      try {
        const item = await client.query(`SELECT xmin::text AS x FROM "${spec.schema}".items WHERE label = 'one'`);
        const checkpoint = await client.query(
          `SELECT xmin::text AS x FROM "${config.systemDatabaseSchemaName}".operation_outputs WHERE workflow_uuid = $1`, [workflowID]);
        assert.equal(item.rows[0].x, checkpoint.rows[0].x);
      } finally {
        await client.end();
      }
    }
  });

  test('with singleCommit: false the same set-up takes the completion-row route: two commits', async () => {
    const { workflow } = insertWorkflow({ singleCommit: false });
    await launch();
    const workflowID = randomUUID();
    const commits = commitsWriting(await recordCommits(() => DBOS.withNextWorkflowID(workflowID, () => workflow('two'))), operationTables);
    assert.equal(commits.length, 2 - unseen, JSON.stringify(commits, null, 1));
    assert.deepEqual((await app.completionRows()).map((row) => row.workflow_id), [workflowID]);
  });

  test('an execution that finds the operation recorded by another at its checkpoint rolls back and returns that outcome', async () => {
    const { runs } = insertWorkflow();
    const gate = deferred<void>();
    const reached = deferred<void>();
    const wait = DBOS.registerStep(async () => {
      reached.resolve();
      await gate.promise;
    }, { name: 'sc.wait' });
    const ds = app.createDataSource(`racer-${randomUUID().slice(0, 8)}`);
    const insert = ds.registerTransaction(async (label: string) => {
      runs.insert++;
      await app.insertItemInTransaction(label);
      return { label, n: await app.incrementInTransaction() };
    }, { name: 'tx.racing' });
    const racing = DBOS.registerWorkflow(async () => {
      await wait();
      return insert('loser');
    }, { name: 'sc.racing' });
    await launch();
    const workflowID = randomUUID();
    const handle = await DBOS.startWorkflow(racing, { workflowID })();
    await reached.promise;
    // Another execution of this workflow records the transaction (function 1) while this one waits.
    const winner = await encodeValue({ label: 'winner', n: 42 }, 'test value');
    await engineFor('test').systemDatabase.recordStepOutcome({
      workflowID, functionID: 1, functionName: 'tx.racing', output: winner.text, error: null, childWorkflowID: null,
      startedAtEpochMs: Date.now(), completedAtEpochMs: Date.now(), serialization: winner.serialization,
    });
    gate.resolve();
    assert.deepEqual(await handle.getResult(), { label: 'winner', n: 42 });
    assert.equal(runs.insert, 1, 'this execution ran the function once');
    assert.deepEqual(await app.items(), [], 'and its writes were rolled back');
    assert.equal(await app.counter(), 0);
  });

  // On Postgres nothing is held: this checks the route, not the driver, and node-pg's run of it covers it.
  const routeOnly = backend.name === 'postgres' && module !== nodePgApp;
  const heldTitle = 'a system-database call from inside the transaction: refused at once on SQLite (its writer is held), fine on Postgres';
  test(heldTitle, { skip: routeOnly && 'the route is checked with node-pg' }, async () => {
    const { ds } = insertWorkflow();
    await launch();
    const lookup = () => ds.runTransaction(async () => (await DBOS.getWorkflowStatus('no-such-workflow')) ?? 'none');
    if (backend.name === 'sqlite') {
      await assert.rejects(lookup(), (error: unknown) => error instanceof DBOSSystemDatabaseHeldError && error.code === 'SYSTEM_DATABASE_HELD');
    } else {
      assert.equal(await lookup(), 'none');
    }
    // The system database is usable again at once, also from a timer the transaction set, once it committed.
    assert.equal(await DBOS.getWorkflowStatus('no-such-workflow'), null);
    const later = deferred<unknown>();
    await ds.runTransaction(async () => {
      setTimeout(() => DBOS.getWorkflowStatus('no-such-workflow').then(later.resolve, later.reject), 20);
    });
    assert.equal(await later.promise, null);
  });
}

describe('single commit: NodePostgresDataSource on the system database [postgres]', () => defineSingleCommit(nodePgApp, postgresBackend));
describe('single commit: SQLiteDataSource on the system database file [sqlite]', () => defineSingleCommit(sqliteApp, sqliteBackend));
describe('single commit: KnexDataSource on the system database [postgres]', () => defineSingleCommit(knexApp, postgresBackend));
describe('single commit: KyselyDataSource on the system database [postgres]', () => defineSingleCommit(kyselyApp, postgresBackend));
describe('single commit: KyselyDataSource on the system database file [sqlite]', () => defineSingleCommit(kyselySQLiteApp, sqliteBackend));
describe('single commit: DrizzleDataSource on the system database [postgres]', () => defineSingleCommit(drizzleApp, postgresBackend));
describe('single commit: PostgresDataSource (postgres.js) on the system database [postgres]', () =>
  defineSingleCommit(postgresJsApp, postgresBackend, 'invisible'));
