/**
 * The behaviour every data source must show, written once against a fixture module per data source
 * (fixtures/app-database.ts) and run for each on both system-database backends: a fresh application
 * database and a fresh system database per test, real drivers, no mocks. With the placement
 * 'system-database' the application database is inside the system database itself: the same semantics hold
 * through the single-commit route, which writes no completion row (the checkpoint is the proof).
 */
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { existsSync } from 'node:fs';
import { DatabaseSync } from 'node:sqlite';
import { afterEach, beforeEach, test } from 'node:test';
import pg from 'pg';
import {
  DBOS,
  DBOSConflictingRegistrationError,
  DBOSDataSourceNotRegisteredError,
  DBOSDataSourceUnavailableError,
  DBOSInvalidWorkflowTransitionError,
  DBOSNotInTransactionError,
  DBOSSerializationError,
  WorkflowQueue,
  type DBOSConfig,
} from '../../src/index.ts';
import { runTransaction } from '../../src/datasource.ts';
import { PGIsolationLevel } from '../../src/datasources/postgres-transactions.ts';
import { encodeValue } from '../../src/engine/stored-values.ts';
import type { TestBackend } from '../helpers/backends.ts';
import { stepOutcomes } from '../helpers/lifecycle.ts';
import { importLegacyDecoratorFixture } from '../helpers/legacy-decorators.ts';
import type { AppDatabase, AppDatabaseModule, AppPlacement, AppSpec, TestDataSource } from './fixtures/app-database.ts';

/**
 * A dequeued execution is not the workflow's first (it may follow a crashed one), so it looks for the
 * completion row a dead execution left; a workflow started directly creates its status row and cannot have one.
 */
const afterCrashQueueName = 'tx-behaviour-after-crash';

/** Run `workflow(...args)` under `workflowID` as an execution that may follow a crashed one (see afterCrashQueueName). */
async function runAsLaterExecution<Args extends unknown[], R>(workflowID: string, workflow: (...args: Args) => Promise<R>, ...args: Args): Promise<R> {
  const handle = await DBOS.startWorkflow(workflow, { workflowID, queueName: afterCrashQueueName })(...args);
  return handle.getResult();
}

interface Functions {
  runs: { insert: number; failing: number; conflicting: number };
  seen: Record<string, unknown>[];
  insertItem: (label: string) => Promise<{ label: string; n: number }>;
  insertWorkflow: (label: string) => Promise<{ label: string; n: number }>;
  catchesFailure: () => Promise<unknown>;
  conflicting: () => Promise<number>;
  readOnlyWorkflow: () => Promise<number>;
  increment: () => Promise<number>;
  stepCallsTransaction: () => Promise<unknown>;
  transactionCallsTransaction: () => Promise<unknown>;
  unstorable: () => Promise<unknown>;
  decorated: (label: string) => Promise<unknown>;
}

function defineFunctions(ds: TestDataSource, app: AppDatabase, conflict: AppDatabaseModule['retriableConflict']): Functions {
  const runs = { insert: 0, failing: 0, conflicting: 0 };
  const seen: Record<string, unknown>[] = [];
  const insertItem = ds.registerTransaction(async (label: string) => {
    runs.insert++;
    seen.push({
      inTransaction: DBOS.isInTransaction(), stepID: DBOS.stepID, workflowID: DBOS.workflowID,
      inWorkflow: DBOS.isInWorkflow(), withinWorkflow: DBOS.isWithinWorkflow(), inStep: DBOS.isInStep(),
      sameClient: ds.client === app.staticClient(),
    });
    await app.insertItemInTransaction(label);
    return { label, n: await app.incrementInTransaction() };
  }, { name: 'tx.insertItem' });
  const after = DBOS.registerStep(async () => 'after', { name: 'tx.after' });
  const insertWorkflow = DBOS.registerWorkflow(async (label: string) => {
    const result = await insertItem(label);
    await after();
    return result;
  }, { name: 'tx.insertWorkflow' });

  const failing = ds.registerTransaction(async () => {
    runs.failing++;
    await app.insertItemInTransaction('doomed');
    throw new RangeError('no room left');
  }, { name: 'tx.failing' });
  const catchesFailure = DBOS.registerWorkflow(async () => {
    try {
      return await failing();
    } catch (error) {
      return { isRangeError: error instanceof RangeError, name: (error as Error).name, message: (error as Error).message };
    }
  }, { name: 'tx.catchesFailure' });

  const conflictingTx = ds.registerTransaction(async () => {
    runs.conflicting++;
    const n = await app.readCounterInTransaction();
    // Where conflicts abort transactions, another connection commits a write under this one's first attempt.
    if (runs.conflicting === 1 && conflict === 'write-conflict') await app.incrementElsewhere();
    await app.writeCounterInTransaction(n + 10);
    return n;
  }, { name: 'tx.conflicting', isolationLevel: PGIsolationLevel.Serializable });
  const conflicting = DBOS.registerWorkflow(() => conflictingTx(), { name: 'tx.conflictingWorkflow' });

  const readCounter = ds.registerTransaction(() => app.readCounterInTransaction(), { name: 'tx.readCounter', readOnly: true });
  const readOnlyWorkflow = DBOS.registerWorkflow(() => readCounter(), { name: 'tx.readOnlyWorkflow' });

  const incrementTx = ds.registerTransaction(() => app.incrementInTransaction(), {
    name: 'tx.increment', isolationLevel: PGIsolationLevel.Serializable,
  });
  const increment = DBOS.registerWorkflow(() => incrementTx(), { name: 'tx.incrementWorkflow' });

  const stepWithTransaction = DBOS.registerStep(() => insertItem('from-step'), { name: 'tx.stepWithTransaction' });
  const stepCallsTransaction = DBOS.registerWorkflow(() => stepWithTransaction(), { name: 'tx.stepCallsTransaction' });
  const outer = ds.registerTransaction(() => insertItem('nested'), { name: 'tx.outer' });
  const transactionCallsTransaction = DBOS.registerWorkflow(() => outer(), { name: 'tx.transactionCallsTransaction' });

  const unstorableTx = ds.registerTransaction(async () => {
    await app.insertItemInTransaction('unstorable');
    return { callback: () => 'a function is not data' };
  }, { name: 'tx.unstorable' });
  const unstorable = DBOS.registerWorkflow(() => unstorableTx(), { name: 'tx.unstorableWorkflow' });

  class StandardOrders {
    @ds.transaction({ isolationLevel: PGIsolationLevel.RepeatableRead })
    static async add(label: string) {
      await app.insertItemInTransaction(label);
      return { stepID: DBOS.stepID, thisIsClass: this === StandardOrders };
    }
  }
  const decorated = DBOS.registerWorkflow((label: string) => StandardOrders.add(label), { name: 'tx.decorated' });
  return {
    runs, seen, insertItem, insertWorkflow, catchesFailure, conflicting, readOnlyWorkflow, increment,
    stepCallsTransaction, transactionCallsTransaction, unstorable, decorated,
  };
}

/** Whether a launch created the system database (on SQLite: its tables; the file may be the application's). */
async function systemDatabaseExists(config: DBOSConfig): Promise<boolean> {
  const url = config.systemDatabaseUrl!;
  if (!/^postgres/.test(url)) {
    if (!existsSync(url)) return false;
    const database = new DatabaseSync(url, { readOnly: true });
    try {
      return database.prepare("SELECT 1 FROM sqlite_master WHERE name = 'workflow_status'").get() !== undefined;
    } finally {
      database.close();
    }
  }
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    return (await client.query('SELECT 1 FROM pg_namespace WHERE nspname = $1', [config.systemDatabaseSchemaName])).rowCount === 1;
  } finally {
    await client.end();
  }
}

export function defineTransactionBehaviour(module: AppDatabaseModule, backend: TestBackend, placement: AppPlacement): void {
  /** The application database is the system database: transactions commit with their checkpoints, no completion rows. */
  const single = placement === 'system-database';
  let spec: AppSpec;
  let app: AppDatabase;
  let ds: TestDataSource;
  let fns: Functions;
  let config: DBOSConfig;

  async function start(): Promise<void> {
    DBOS.setConfig(config);
    await DBOS.launch();
  }

  beforeEach(async () => {
    config = backend.freshConfig();
    spec = await module.create(single ? config : undefined);
    app = module.open(spec);
    ds = app.createDataSource(`app-${randomUUID().slice(0, 8)}`);
    fns = defineFunctions(ds, app, module.retriableConflict);
    new WorkflowQueue(afterCrashQueueName); // declared per test: afterEach deregisters everything
  });
  afterEach(async () => {
    await DBOS.shutdown({ deregister: true });
    await app.close();
    await module.drop(spec);
  });

  test('a transaction in a workflow commits its writes once (with a completion row, or its checkpoint) and is checkpointed under its name', async () => {
    await start();
    const workflowID = randomUUID();
    const result = await DBOS.withNextWorkflowID(workflowID, () => fns.insertWorkflow('a'));
    assert.deepEqual(result, { label: 'a', n: 1 });
    assert.deepEqual(fns.seen, [{
      inTransaction: true, stepID: 0, workflowID, inWorkflow: false, withinWorkflow: true, inStep: false, sameClient: true,
    }]);
    assert.deepEqual(await app.items(), ['a']);
    const rows = await app.completionRows();
    assert.deepEqual(rows.map((row) => [row.workflow_id, Number(row.function_num), row.error]), single ? [] : [[workflowID, 0, null]]);
    if (!single) assert.ok(rows[0]!.output);
    const steps = await stepOutcomes(workflowID);
    assert.deepEqual(steps.map((step) => [step.functionID, step.functionName, step.error]), [[0, 'tx.insertItem', null], [1, 'tx.after', null]]);
  });

  test('replay returns the recorded outcome without running the transaction or touching the application database', async () => {
    await start();
    const workflowID = randomUUID();
    const first = await DBOS.withNextWorkflowID(workflowID, () => fns.insertWorkflow('once'));
    const fork = await DBOS.forkWorkflow<{ label: string; n: number }>(workflowID, 1);
    assert.deepEqual(await fork.getResult(), first);
    assert.equal(fns.runs.insert, 1);
    assert.deepEqual(await app.items(), ['once']);
    assert.equal(await app.counter(), 1);
    assert.deepEqual((await app.completionRows()).map((row) => row.workflow_id), single ? [] : [workflowID], 'the replay wrote no completion row');
  });

  test('DBOS.rewindWorkflow drops the completion row with the history, so the transaction runs again', async () => {
    await start();
    const workflowID = randomUUID();
    assert.deepEqual(await DBOS.withNextWorkflowID(workflowID, () => fns.insertWorkflow('twice')), { label: 'twice', n: 1 });
    const rewound = await DBOS.rewindWorkflow<{ label: string; n: number }>(workflowID, { startStep: 0 });
    assert.deepEqual(await rewound.getResult(), { label: 'twice', n: 2 });
    assert.equal(fns.runs.insert, 2);
    assert.deepEqual(await app.items(), ['twice', 'twice']);
    const rows = await app.completionRows();
    assert.deepEqual(rows.map((row) => [row.workflow_id, Number(row.function_num)]), single ? [] : [[workflowID, 0]]);
  });

  test('a completion row left by an execution that died before its checkpoint is returned without running again', {
    skip: single && 'single commit: the checkpoint commits with the writes, so there is no such row to find',
  }, async () => {
    await start();
    const workflowID = randomUUID();
    const output = (await encodeValue({ label: 'committed-before-crash', n: 41 }, 'test value')).text;
    await app.insertCompletion(workflowID, 0, output, null);
    const result = await runAsLaterExecution(workflowID, fns.insertWorkflow, 'again');
    assert.deepEqual(result, { label: 'committed-before-crash', n: 41 });
    assert.equal(fns.runs.insert, 0);
    assert.deepEqual(await app.items(), []);
    const [checkpoint] = await stepOutcomes(workflowID);
    assert.equal(checkpoint?.functionName, 'tx.insertItem');
  });

  test('a first execution does not look for a completion row; one committed meanwhile by another execution still wins', {
    skip: single && 'single commit: the checkpoint commits with the writes, so there is no such row to find',
  }, async () => {
    await start();
    const workflowID = randomUUID();
    // As if an execution in another process (a takeover) committed this transaction while this one ran it.
    const output = (await encodeValue({ label: 'the-other-execution', n: 7 }, 'test value')).text;
    await app.insertCompletion(workflowID, 0, output, null);
    const result = await DBOS.withNextWorkflowID(workflowID, () => fns.insertWorkflow('mine'));
    assert.deepEqual(result, { label: 'the-other-execution', n: 7 });
    assert.equal(fns.runs.insert, 1, 'the first execution ran the function: it read no completion row first');
    assert.deepEqual(await app.items(), [], 'its writes rolled back with the conflicting completion row');
  });

  test('a throwing transaction rolls back; its error is recorded (in both databases, or as its checkpoint) and replayed with the same class', async () => {
    await start();
    const workflowID = randomUUID();
    const expected = { isRangeError: true, name: 'RangeError', message: 'no room left' };
    assert.deepEqual(await DBOS.withNextWorkflowID(workflowID, () => fns.catchesFailure()), expected);
    assert.deepEqual(await app.items(), [], 'the failed transaction rolled back');
    const [step] = await stepOutcomes(workflowID);
    assert.deepEqual([step?.functionName, /no room left/.test(step?.error ?? '')], ['tx.failing', true]);
    const fork = await DBOS.forkWorkflow(workflowID, 1); // from the system database
    assert.deepEqual(await fork.getResult(), expected);
    if (single) {
      assert.deepEqual(await app.completionRows(), []);
      assert.equal(fns.runs.failing, 1);
      return;
    }
    const [row] = await app.completionRows();
    assert.equal(row?.output, null);
    assert.match(row?.error ?? '', /no room left/);
    // From the completion row (a crash before the checkpoint).
    const otherID = randomUUID();
    await app.insertCompletion(otherID, 0, null, row!.error);
    assert.deepEqual(await runAsLaterExecution(otherID, fns.catchesFailure), expected);
    assert.equal(fns.runs.failing, 1);
  });

  test('a retriable conflict (serialization failure or busy database) is retried until the transaction commits', async () => {
    await start();
    if (module.retriableConflict === 'lock-held') await app.holdWriteLock(300);
    const started = Date.now();
    const before = await DBOS.withNextWorkflowID(randomUUID(), () => fns.conflicting());
    // The other writer's increment committed first; this transaction then read it and added 10.
    assert.equal(before, 1);
    assert.equal(await app.counter(), 11);
    if (module.retriableConflict === 'write-conflict') {
      assert.equal(fns.runs.conflicting, 2, 'the first attempt hit a serialization failure and ran again');
    } else {
      assert.equal(fns.runs.conflicting, 1, 'the body ran once, after the lock was released');
      assert.ok(Date.now() - started >= 250, 'the transaction waited for the lock');
    }
  });

  test('isolation levels are applied; a write in a readOnly transaction fails and writes no completion row', async () => {
    await start();
    for (const level of Object.values(PGIsolationLevel)) {
      const seen = await ds.runTransaction(() => app.isolationInTransaction(), { isolationLevel: level });
      assert.equal(seen, module.expectedIsolation(level), level);
    }
    await assert.rejects(ds.runTransaction(() => app.insertItemInTransaction('read-only'), { readOnly: true }));
    assert.deepEqual(await app.items(), []);
    const workflowID = randomUUID();
    assert.equal(await DBOS.withNextWorkflowID(workflowID, () => fns.readOnlyWorkflow()), 0);
    assert.deepEqual(await app.completionRows(), []);
    assert.deepEqual((await stepOutcomes(workflowID)).map((step) => step.functionName), ['tx.readCounter']);
  });

  test('outside a workflow a transaction just runs in a transaction', async () => {
    await start();
    assert.deepEqual(await fns.insertItem('outside'), { label: 'outside', n: 1 });
    assert.deepEqual(fns.seen[0], {
      inTransaction: true, stepID: undefined, workflowID: undefined, inWorkflow: false, withinWorkflow: false, inStep: false, sameClient: true,
    });
    await assert.rejects(ds.runTransaction(async () => {
      await app.insertItemInTransaction('rolled-back');
      throw new Error('undo');
    }), /undo/);
    assert.deepEqual(await app.items(), ['outside']);
    assert.deepEqual(await app.completionRows(), []);
  });

  test('a transaction called from a step or from another transaction is refused', async () => {
    await start();
    await assert.rejects(fns.stepCallsTransaction(), DBOSInvalidWorkflowTransitionError);
    await assert.rejects(fns.transactionCallsTransaction(), DBOSInvalidWorkflowTransitionError);
    await assert.rejects(ds.runTransaction(() => fns.insertItem('nested-outside')), DBOSInvalidWorkflowTransitionError);
    await assert.rejects(ds.runTransaction(() => fns.insertWorkflow('workflow-inside')), DBOSInvalidWorkflowTransitionError);
    assert.equal(fns.runs.insert, 0);
    assert.deepEqual(await app.items(), []);
  });

  test('the client accessors throw a typed error outside a transaction', async () => {
    await start();
    assert.throws(() => app.staticClient(), DBOSNotInTransactionError);
    assert.throws(() => ds.client, DBOSNotInTransactionError);
    await DBOS.withNextWorkflowID(randomUUID(), async () => {
      await assert.rejects(DBOS.runStep(async () => app.staticClient(), { name: 'reads-client' }), DBOSNotInTransactionError);
    });
  });

  test('100 concurrent workflows incrementing one counter under serializable end at exactly 100', { timeout: 120_000 }, async () => {
    await start();
    const handles = await Promise.all(Array.from({ length: 100 }, () => DBOS.startWorkflow(fns.increment)()));
    const results = await Promise.all(handles.map((handle) => handle.getResult()));
    assert.deepEqual([...results].sort((a, b) => a - b), Array.from({ length: 100 }, (_, i) => i + 1));
    assert.equal(await app.counter(), 100);
    assert.equal((await app.completionRows()).length, single ? 0 : 100);
  });

  test('decorated methods are transactions (standard decorators)', async () => {
    await start();
    const workflowID = randomUUID();
    assert.deepEqual(await DBOS.withNextWorkflowID(workflowID, () => fns.decorated('std')), { stepID: 0, thisIsClass: true });
    assert.deepEqual(await app.items(), ['std']);
    assert.deepEqual((await stepOutcomes(workflowID)).map((step) => step.functionName), ['add']);
  });

  test('decorated methods are transactions (legacy experimentalDecorators)', async () => {
    const { defineLegacyOrders } = await importLegacyDecoratorFixture<{
      defineLegacyOrders: (ds: TestDataSource, insert: (label: string) => Promise<void>) => { order: (label: string) => Promise<unknown> };
    }>('legacy-transactions.ts');
    const legacy = defineLegacyOrders(ds, (label) => app.insertItemInTransaction(label));
    await start();
    const workflowID = randomUUID();
    assert.deepEqual(await DBOS.withNextWorkflowID(workflowID, () => legacy.order('legacy')), { stepID: 0, thisIsClass: true });
    assert.deepEqual(await app.items(), ['legacy']);
    assert.deepEqual((await stepOutcomes(workflowID)).map((step) => step.functionName), ['legacyAdd']);
  });

  test('an unregistered or duplicate data source name is a typed error', async () => {
    assert.throws(() => app.createDataSource(ds.name), DBOSConflictingRegistrationError);
    await start();
    await assert.rejects(runTransaction(async () => 1, 'orphan', { dsName: 'no-such-data-source' }), DBOSDataSourceNotRegisteredError);
    assert.throws(() => app.createDataSource('after-launch'), DBOSConflictingRegistrationError);
  });

  test('a result that cannot be stored fails with a typed error and writes nothing in either database', async () => {
    await start();
    const workflowID = randomUUID();
    await assert.rejects(DBOS.withNextWorkflowID(workflowID, () => fns.unstorable()), DBOSSerializationError);
    assert.deepEqual(await app.items(), []);
    assert.deepEqual(await app.completionRows(), []);
    assert.deepEqual(await stepOutcomes(workflowID), []);
  });

  test('an unreachable application database fails the launch with a typed error before the system database is touched', async () => {
    module.unreachable(`unreachable-${randomUUID().slice(0, 8)}`);
    await assert.rejects(start(), (error: unknown) => {
      assert.ok(error instanceof DBOSDataSourceUnavailableError, String(error));
      assert.equal(error.code, 'DATASOURCE_UNAVAILABLE');
      return true;
    });
    assert.equal(await systemDatabaseExists(config), false);
  });

  test('with runMigrations: false, a missing completion table fails the launch with a typed error', async () => {
    await DBOS.shutdown({ deregister: true }); // forget this test's usual data source, which would create the table
    app.createDataSource(`no-migrations-${randomUUID().slice(0, 8)}`, { runMigrations: false });
    await assert.rejects(start(), (error: unknown) => {
      assert.ok(error instanceof DBOSDataSourceUnavailableError, String(error));
      assert.match(error.message, /transaction_completion does not exist/);
      return true;
    });
  });

  test('refused credentials fail the launch with a typed error naming the problem', { skip: !module.badCredentials && 'no credentials' }, async () => {
    module.badCredentials!(`credentials-${randomUUID().slice(0, 8)}`);
    await assert.rejects(start(), (error: unknown) => {
      assert.ok(error instanceof DBOSDataSourceUnavailableError, String(error));
      assert.match(error.message, /refused the credentials/);
      return true;
    });
    assert.equal(await systemDatabaseExists(config), false);
  });
}
