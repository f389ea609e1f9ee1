/**
 * The SystemDatabase contract, one suite run on both backends: every test
 * opens a fresh SQLite file or Postgres schema through openSystemDatabase and
 * exercises the interface only (raw SQL just to set up what the interface
 * cannot, like a schema from the future).
 */
import assert from 'node:assert/strict';
import { afterEach, beforeEach, test } from 'node:test';
import { DBOSSchemaVersionError, DBOSWorkflowConflictError } from '../../src/errors/errors.ts';
import type { SystemDatabaseTarget } from '../../src/system-database/open-system-database.ts';
import type { NewWorkflowRecord, WorkflowStatusRecord } from '../../src/system-database/records.ts';
import { outcomeChannel, type SystemDatabase } from '../../src/system-database/system-database.ts';
import { schemaMigrations } from '../../src/system-database/sql/schema.ts';
import { sqliteDialect } from '../../src/system-database/sqlite/sqlite-dialect.ts';
import {
  forEachTarget,
  freshTarget,
  newWorkflow,
  OpenedDatabases,
  rawQuery,
  settlesWithin,
  stepOutcome,
  workflowOutcome,
} from '../helpers/system-database-targets.ts';


/** Every schema version the code knows, in order. */
const latestVersions = schemaMigrations(sqliteDialect).map((m) => m.version);
/** What a freshly inserted workflow must read back as: every written field, defaults for the rest. */
function expectedStatus(w: NewWorkflowRecord): WorkflowStatusRecord {
  return {
    workflowID: w.workflowID,
    status: w.status,
    workflowName: w.workflowName,
    className: w.className,
    configName: w.configName,
    authenticatedUser: w.authenticatedUser,
    assumedRole: w.assumedRole,
    authenticatedRoles: w.authenticatedRoles,
    request: null,
    traceContext: w.traceContext ?? null,
    inputs: w.inputs,
    output: null,
    error: null,
    serialization: w.serialization,
    executorID: w.executorID,
    applicationVersion: w.applicationVersion,
    applicationID: null,
    applicationName: w.applicationName,
    createdAt: w.createdAt,
    updatedAt: w.createdAt,
    recoveryAttempts: w.recoveryAttempts,
    queueName: w.queueName,
    deduplicationID: null,
    priority: 0,
    queuePartitionKey: null,
    startedAtEpochMs: null,
    delayUntilEpochMs: null,
    timeoutMs: w.timeoutMs,
    deadlineEpochMs: w.deadlineEpochMs,
    parentWorkflowID: w.parentWorkflowID,
    forkedFrom: null,
    scheduleName: w.scheduleName ?? null,
    completedAt: null,
    ownerXid: w.ownerXid,
    wasForkedFrom: false,
    attributes: w.attributes ?? null,
  };
}

forEachTarget('system database conformance', (backend) => {
  const opened = new OpenedDatabases();
  let target: SystemDatabaseTarget;
  let db: SystemDatabase;

  beforeEach(async () => {
    target = freshTarget(backend);
    db = await opened.open(target);
  });
  afterEach(() => opened.cleanup());

  test('reports its backend', () => {
    assert.equal(db.backend, backend);
  });

  // ---- insertWorkflowOrGetExisting ----

  test('a new workflow is inserted and reads back with every field as written', async () => {
    const workflow = newWorkflow();
    assert.deepEqual(await db.insertWorkflowOrGetExisting(workflow), { inserted: true });
    assert.deepEqual(await db.getWorkflowStatus(workflow.workflowID), expectedStatus(workflow));
  });

  test('nullable fields written as null read back as null', async () => {
    const workflow = newWorkflow({
      className: null,
      configName: null,
      applicationVersion: null,
      applicationName: null,
      timeoutMs: null,
      deadlineEpochMs: null,
      parentWorkflowID: null,
      queueName: 'orders',
      status: 'ENQUEUED',
      recoveryAttempts: 0,
    });
    await db.insertWorkflowOrGetExisting(workflow);
    assert.deepEqual(await db.getWorkflowStatus(workflow.workflowID), expectedStatus(workflow));
  });

  test('inserting an existing ID returns the existing row, unchanged, with every field as first written', async () => {
    const first = newWorkflow();
    await db.insertWorkflowOrGetExisting(first);
    const second = newWorkflow({ workflowID: first.workflowID, workflowName: 'other', inputs: '"other"', executorID: 'b' });
    const result = await db.insertWorkflowOrGetExisting(second);
    assert.deepEqual(result, { inserted: false, existing: expectedStatus(first) });
    assert.deepEqual(await db.getWorkflowStatus(first.workflowID), expectedStatus(first));
  });

  test('two inserts of one ID in the same tick: exactly one is inserted, the other gets its row', async () => {
    const a = newWorkflow({ inputs: '"a"' });
    const b = newWorkflow({ workflowID: a.workflowID, inputs: '"b"', workflowName: 'other' });
    const results = await Promise.all([db.insertWorkflowOrGetExisting(a), db.insertWorkflowOrGetExisting(b)]);
    assert.equal(results.filter((r) => r.inserted).length, 1);
    const winner = results[0]!.inserted ? a : b;
    const loser = results.find((r) => !r.inserted);
    assert.ok(loser && !loser.inserted);
    assert.deepEqual(loser.existing, expectedStatus(winner));
    assert.deepEqual(await db.getWorkflowStatus(a.workflowID), expectedStatus(winner));
  });

  test('many concurrent starts of distinct and repeated IDs: one insert per ID', async () => {
    const ids = Array.from({ length: 50 }, (_, i) => `many-${i}`);
    const starts = ids.flatMap((id) => [0, 1, 2].map(() => db.insertWorkflowOrGetExisting(newWorkflow({ workflowID: id }))));
    const results = await Promise.all(starts);
    assert.equal(results.filter((r) => r.inserted).length, ids.length);
    for (const id of ids) assert.equal((await db.getWorkflowStatus(id))?.workflowID, id);
  });

  test('getWorkflowStatus of a missing ID is undefined', async () => {
    assert.equal(await db.getWorkflowStatus('no-such-workflow'), undefined);
  });

  // ---- recordStepOutcome / loadStepOutcomes ----

  test('recorded step outcomes load back in function-ID order with every field', async () => {
    const workflow = newWorkflow();
    await db.insertWorkflowOrGetExisting(workflow);
    const id = workflow.workflowID;
    const outcomes = [
      stepOutcome(id, 2, { output: null, error: '{"name":"Error","message":"boom"}' }),
      stepOutcome(id, 0),
      stepOutcome(id, 1, { childWorkflowID: 'child-1', functionName: 'DBOS.startWorkflow', serialization: null }),
      stepOutcome(id, 3, { output: 'x'.repeat(200_000) }),
    ];
    for (const outcome of outcomes) await db.recordStepOutcome(outcome);
    assert.deepEqual(
      await db.loadStepOutcomes(id),
      [...outcomes].sort((x, y) => x.functionID - y.functionID),
    );
  });

  test('a workflow with no recorded steps loads an empty list', async () => {
    assert.deepEqual(await db.loadStepOutcomes('no-such-workflow'), []);
  });

  test('a duplicate (workflow, function ID) is a DBOSWorkflowConflictError and keeps the first row', async () => {
    const workflow = newWorkflow();
    await db.insertWorkflowOrGetExisting(workflow);
    const first = stepOutcome(workflow.workflowID, 0, { output: '"first"' });
    await db.recordStepOutcome(first);
    await assert.rejects(db.recordStepOutcome(stepOutcome(workflow.workflowID, 0, { output: '"second"' })), (error) => {
      assert.ok(error instanceof DBOSWorkflowConflictError);
      assert.equal(error.workflowID, workflow.workflowID);
      return true;
    });
    assert.deepEqual(await db.loadStepOutcomes(workflow.workflowID), [first]);
  });

  test('a duplicate submitted in the same tick: one commits, the other conflicts', async () => {
    const workflow = newWorkflow();
    await db.insertWorkflowOrGetExisting(workflow);
    const a = stepOutcome(workflow.workflowID, 4, { output: '"a"' });
    const b = stepOutcome(workflow.workflowID, 4, { output: '"b"' });
    const settled = await Promise.allSettled([db.recordStepOutcome(a), db.recordStepOutcome(b)]);
    assert.equal(settled.filter((s) => s.status === 'fulfilled').length, 1);
    const rejected = settled.find((s) => s.status === 'rejected');
    assert.ok(rejected && rejected.reason instanceof DBOSWorkflowConflictError);
    const winner = settled[0]!.status === 'fulfilled' ? a : b;
    assert.deepEqual(await db.loadStepOutcomes(workflow.workflowID), [winner]);
  });

  test('500 concurrent step outcomes of many workflows all commit (group commit)', async () => {
    const workflows = Array.from({ length: 50 }, () => newWorkflow());
    await Promise.all(workflows.map((w) => db.insertWorkflowOrGetExisting(w)));
    const outcomes = workflows.flatMap((w) => Array.from({ length: 10 }, (_, i) => stepOutcome(w.workflowID, i)));
    await Promise.all(outcomes.map((o) => db.recordStepOutcome(o)));
    for (const w of workflows) {
      const loaded = await db.loadStepOutcomes(w.workflowID);
      assert.deepEqual(loaded, outcomes.filter((o) => o.workflowID === w.workflowID));
    }
  });

  test('a step outcome the database refuses fails alone; the rest of its batch commits', async () => {
    const workflow = newWorkflow();
    await db.insertWorkflowOrGetExisting(workflow);
    const good = [0, 1, 2].map((i) => stepOutcome(workflow.workflowID, i));
    // function_name is NOT NULL. (A missing workflow is no refusal: DBOS 5.3's layout has no foreign key there.)
    const refused = { ...stepOutcome(workflow.workflowID, 3), functionName: null as unknown as string };
    const settled = await Promise.allSettled([
      db.recordStepOutcome(good[0]!),
      db.recordStepOutcome(refused),
      db.recordStepOutcome(good[1]!),
      db.recordStepOutcome(good[2]!),
    ]);
    assert.deepEqual(
      settled.map((s) => s.status),
      ['fulfilled', 'rejected', 'fulfilled', 'fulfilled'],
    );
    assert.deepEqual(await db.loadStepOutcomes(workflow.workflowID), good);
  });

  test('starts, steps and outcomes of different workflows submitted together all commit', async () => {
    const done = newWorkflow();
    await db.insertWorkflowOrGetExisting(done);
    const fresh = newWorkflow();
    const [started, , finished] = await Promise.all([
      db.insertWorkflowOrGetExisting(fresh),
      db.recordStepOutcome(stepOutcome(done.workflowID, 0)),
      db.recordWorkflowOutcome(workflowOutcome(done.workflowID)),
    ]);
    assert.deepEqual(started, { inserted: true });
    assert.equal(finished, true);
    assert.equal((await db.loadStepOutcomes(done.workflowID)).length, 1);
    assert.equal((await db.getWorkflowStatus(done.workflowID))?.status, 'SUCCESS');
    assert.equal((await db.getWorkflowStatus(fresh.workflowID))?.status, 'PENDING');
  });

  // ---- recordWorkflowOutcome ----

  test('recordWorkflowOutcome writes status, output and completedAt while PENDING, and is refused afterwards', async () => {
    const workflow = newWorkflow();
    await db.insertWorkflowOrGetExisting(workflow);
    const outcome = workflowOutcome(workflow.workflowID, { output: '{"json":42}', serialization: 'plain-json' });
    assert.equal(await db.recordWorkflowOutcome(outcome), true);
    assert.deepEqual(await db.getWorkflowStatus(workflow.workflowID), {
      ...expectedStatus(workflow),
      status: 'SUCCESS',
      output: '{"json":42}',
      serialization: 'plain-json',
      completedAt: outcome.completedAt,
      updatedAt: outcome.completedAt,
    });
    const again = workflowOutcome(workflow.workflowID, { status: 'ERROR', output: null, error: '"late"' });
    assert.equal(await db.recordWorkflowOutcome(again), false);
    assert.equal((await db.getWorkflowStatus(workflow.workflowID))?.output, '{"json":42}');
  });

  test('an ERROR outcome records the error', async () => {
    const workflow = newWorkflow();
    await db.insertWorkflowOrGetExisting(workflow);
    const error = '{"name":"Error","message":"failed"}';
    assert.equal(await db.recordWorkflowOutcome(workflowOutcome(workflow.workflowID, { status: 'ERROR', output: null, error })), true);
    const status = await db.getWorkflowStatus(workflow.workflowID);
    assert.equal(status?.status, 'ERROR');
    assert.equal(status?.error, error);
    assert.equal(status?.output, null);
  });

  test('recordWorkflowOutcome of a missing or non-PENDING workflow is false', async () => {
    assert.equal(await db.recordWorkflowOutcome(workflowOutcome('no-such-workflow')), false);
    const enqueued = newWorkflow({ status: 'ENQUEUED', queueName: 'q' });
    await db.insertWorkflowOrGetExisting(enqueued);
    assert.equal(await db.recordWorkflowOutcome(workflowOutcome(enqueued.workflowID)), false);
    assert.equal((await db.getWorkflowStatus(enqueued.workflowID))?.status, 'ENQUEUED');
  });

  test('two outcomes of one workflow in the same tick: one is written, and the row holds that one', async () => {
    const workflow = newWorkflow();
    await db.insertWorkflowOrGetExisting(workflow);
    const outcomes = Array.from({ length: 5 }, (_, i) => workflowOutcome(workflow.workflowID, { output: `"${i}"`, completedAt: 1_750_000_000_000 + i }));
    const written = await Promise.all(outcomes.map((o) => db.recordWorkflowOutcome(o)));
    assert.equal(written.filter(Boolean).length, 1);
    const winner = outcomes[written.indexOf(true)]!;
    const status = await db.getWorkflowStatus(workflow.workflowID);
    assert.equal(status?.output, winner.output, 'the caller told "true" must be the one whose output is stored');
    assert.equal(status?.completedAt, winner.completedAt);
  });

  // ---- recovery ----

  test('claimRecoveryAttempt counts attempts, then marks MAX_RECOVERY_ATTEMPTS_EXCEEDED', async () => {
    const workflow = newWorkflow({ recoveryAttempts: 1 });
    await db.insertWorkflowOrGetExisting(workflow);
    const maxRecoveryAttempts = 2;
    const first = await db.claimRecoveryAttempt(workflow.workflowID, maxRecoveryAttempts, 5_000);
    assert.equal(first.kind, 'run');
    assert.equal(first.kind === 'run' && first.workflow.recoveryAttempts, 2);
    assert.equal(first.kind === 'run' && first.workflow.updatedAt, 5_000);
    const second = await db.claimRecoveryAttempt(workflow.workflowID, maxRecoveryAttempts, 6_000);
    assert.equal(second.kind === 'run' && second.workflow.recoveryAttempts, 3);
    const third = await db.claimRecoveryAttempt(workflow.workflowID, maxRecoveryAttempts, 7_000);
    assert.equal(third.kind, 'exceeded');
    assert.equal(third.kind === 'exceeded' && third.workflow.status, 'MAX_RECOVERY_ATTEMPTS_EXCEEDED');
    const status = await db.getWorkflowStatus(workflow.workflowID);
    assert.equal(status?.status, 'MAX_RECOVERY_ATTEMPTS_EXCEEDED');
    assert.equal(status?.recoveryAttempts, 4);
    assert.equal(status?.completedAt, 7_000);
    assert.deepEqual(await db.listPendingDirectWorkflows('executor-a', 'v1', null, 10), []);
    assert.deepEqual(await db.claimRecoveryAttempt(workflow.workflowID, maxRecoveryAttempts, 8_000), { kind: 'not-pending' });
    assert.equal(await db.recordWorkflowOutcome(workflowOutcome(workflow.workflowID)), false);
  });

  test('claimRecoveryAttempt of a finished or missing workflow is not-pending and changes nothing', async () => {
    const workflow = newWorkflow();
    await db.insertWorkflowOrGetExisting(workflow);
    await db.recordWorkflowOutcome(workflowOutcome(workflow.workflowID));
    assert.deepEqual(await db.claimRecoveryAttempt(workflow.workflowID, 10, 9_000), { kind: 'not-pending' });
    assert.equal((await db.getWorkflowStatus(workflow.workflowID))?.recoveryAttempts, workflow.recoveryAttempts);
    assert.deepEqual(await db.claimRecoveryAttempt('no-such-workflow', 10, 9_000), { kind: 'not-pending' });
  });

  test('concurrent claims each count once', async () => {
    const workflow = newWorkflow({ recoveryAttempts: 0 });
    await db.insertWorkflowOrGetExisting(workflow);
    const claims = await Promise.all(Array.from({ length: 8 }, () => db.claimRecoveryAttempt(workflow.workflowID, 100, 1)));
    assert.ok(claims.every((c) => c.kind === 'run'));
    assert.deepEqual(
      claims.map((c) => (c.kind === 'run' ? c.workflow.recoveryAttempts : -1)).sort((x, y) => x - y),
      [1, 2, 3, 4, 5, 6, 7, 8],
    );
  });

  // ---- notifier ----

  test('a waiter on (outcomeChannel, workflowID) wakes when the outcome commits', async () => {
    const workflow = newWorkflow();
    await db.insertWorkflowOrGetExisting(workflow);
    const waiter = db.notifier.wait(outcomeChannel, workflow.workflowID, 600_000);
    const other = db.notifier.wait(outcomeChannel, 'some-other-workflow', 600_000);
    try {
      assert.equal(await settlesWithin(waiter.promise, 50), false, 'no wake-up before the write');
      assert.equal(await db.recordWorkflowOutcome(workflowOutcome(workflow.workflowID)), true);
      assert.equal(await settlesWithin(waiter.promise, 10_000), true, 'the waiter woke');
      assert.equal((await db.getWorkflowStatus(workflow.workflowID))?.status, 'SUCCESS', 'committed before the wake-up');
      assert.equal(await settlesWithin(other.promise, 200), false, 'a waiter on another workflow sleeps on');
    } finally {
      waiter.cancel();
      other.cancel();
    }
  });

  test('a refused outcome wakes nobody', async () => {
    // ENQUEUED, so refused; and never finished, so no earlier NOTIFY can still be on its way back.
    const workflow = newWorkflow({ status: 'ENQUEUED', queueName: 'q' });
    await db.insertWorkflowOrGetExisting(workflow);
    const waiter = db.notifier.wait(outcomeChannel, workflow.workflowID, 600_000);
    try {
      assert.equal(await db.recordWorkflowOutcome(workflowOutcome(workflow.workflowID)), false);
      assert.equal(await settlesWithin(waiter.promise, 200), false);
    } finally {
      waiter.cancel();
    }
  });

  test('a waiter with nothing to wake it resolves at its timeout; cancel resolves at once', async () => {
    const timed = db.notifier.wait(outcomeChannel, 'nobody', 30);
    assert.equal(await settlesWithin(timed.promise, 10_000), true);
    const cancelled = db.notifier.wait(outcomeChannel, 'nobody', 600_000);
    cancelled.cancel();
    assert.equal(await settlesWithin(cancelled.promise, 10_000), true);
  });

  test('waits of waitForWrite need no safety poll while the notifier hears every process (LISTEN, change watcher)', () => {
    assert.equal(db.notifier.waitSafetyPollMs(0), Number.POSITIVE_INFINITY);
    assert.equal(db.notifier.waitSafetyPollMs(10), Number.POSITIVE_INFINITY);
  });

  test('safetyPollMs is positive and never shrinks as attempts grow', () => {
    let previous = 0;
    for (let attempt = 0; attempt < 40; attempt++) {
      const ms = db.notifier.safetyPollMs(attempt);
      assert.ok(Number.isFinite(ms) && ms > 0 && ms >= previous, `attempt ${attempt}: ${ms}`);
      previous = ms;
    }
  });

  // ---- resetAllData ----

  test('resetAllData deletes every row and leaves the database usable', async () => {
    const workflow = newWorkflow();
    await db.insertWorkflowOrGetExisting(workflow);
    await db.recordStepOutcome(stepOutcome(workflow.workflowID, 0));
    const pending = newWorkflow();
    const inFlight = db.insertWorkflowOrGetExisting(pending);
    await db.resetAllData();
    assert.deepEqual(await inFlight, { inserted: true }, 'a write submitted before the reset settles first');
    assert.equal(await db.getWorkflowStatus(workflow.workflowID), undefined);
    assert.equal(await db.getWorkflowStatus(pending.workflowID), undefined);
    assert.deepEqual(await db.loadStepOutcomes(workflow.workflowID), []);
    assert.deepEqual(await db.listPendingDirectWorkflows('executor-a', 'v1', null, 10), []);
    assert.deepEqual(await db.insertWorkflowOrGetExisting(workflow), { inserted: true });
    await db.recordStepOutcome(stepOutcome(workflow.workflowID, 0));
  });

  // ---- migrations ----

  test('migrations are idempotent: a second and third open of the same database work and see the data', async () => {
    const workflow = newWorkflow();
    await db.insertWorkflowOrGetExisting(workflow);
    const [second, third] = await Promise.all([opened.open(target), opened.open(target)]);
    assert.deepEqual(await second.getWorkflowStatus(workflow.workflowID), expectedStatus(workflow));
    assert.deepEqual(await third.getWorkflowStatus(workflow.workflowID), expectedStatus(workflow));
    const rows = await rawQuery(target, 'SELECT version FROM durably_migrations ORDER BY version');
    assert.deepEqual(rows.map((r) => Number(r.version)), latestVersions);
  });

  test('two first opens of a fresh database at once both succeed', async () => {
    const fresh = freshTarget(backend);
    const [a, b] = await Promise.all([opened.open(fresh), opened.open(fresh)]);
    const workflow = newWorkflow();
    await a.insertWorkflowOrGetExisting(workflow);
    assert.equal((await b.getWorkflowStatus(workflow.workflowID))?.workflowID, workflow.workflowID);
  });

  test('a schema newer than the code is refused with DBOSSchemaVersionError naming both versions', async () => {
    await db.close();
    await rawQuery(target, 'INSERT INTO durably_migrations (version, name, applied_at) VALUES ($1, $2, $3)', [999, 'from the future', 0]);
    await assert.rejects(opened.open(target), (error) => {
      assert.ok(error instanceof DBOSSchemaVersionError, `got ${String(error)}`);
      assert.equal(error.databaseVersion, 999);
      assert.equal(error.codeVersion, latestVersions.at(-1));
      assert.match(error.message, /999/);
      return true;
    });
    // The refused open left nothing locked or half-open: the database is still writable from outside.
    await rawQuery(target, 'DELETE FROM durably_migrations WHERE version = $1', [999]);
    const reopened = await opened.open(target);
    assert.equal(await reopened.getWorkflowStatus('anything'), undefined);
  });

  // ---- close ----

  test('close() waits for writes already submitted', async () => {
    const workflows = Array.from({ length: 20 }, () => newWorkflow());
    const writes = workflows.map((w) => db.insertWorkflowOrGetExisting(w));
    await db.close();
    for (const result of await Promise.all(writes)) assert.deepEqual(result, { inserted: true });
    const reopened = await opened.open(target);
    for (const w of workflows) assert.equal((await reopened.getWorkflowStatus(w.workflowID))?.workflowID, w.workflowID);
  });

  test('after close() every operation rejects (no hang, no crash) and waiters are released', async () => {
    const workflow = newWorkflow();
    await db.insertWorkflowOrGetExisting(workflow);
    const waiter = db.notifier.wait(outcomeChannel, workflow.workflowID, 600_000);
    await db.close();
    assert.equal(await settlesWithin(waiter.promise, 10_000), true, 'close wakes waiters');
    const operations: [string, () => Promise<unknown>][] = [
      ['insertWorkflowOrGetExisting', () => db.insertWorkflowOrGetExisting(newWorkflow())],
      ['recordStepOutcome', () => db.recordStepOutcome(stepOutcome(workflow.workflowID, 0))],
      ['recordWorkflowOutcome', () => db.recordWorkflowOutcome(workflowOutcome(workflow.workflowID))],
      ['loadStepOutcomes', () => db.loadStepOutcomes(workflow.workflowID)],
      ['getWorkflowStatus', () => db.getWorkflowStatus(workflow.workflowID)],
      ['listPendingDirectWorkflows', () => db.listPendingDirectWorkflows('executor-a', 'v1', null, 10)],
      ['claimRecoveryAttempts', () => db.claimRecoveryAttempts([{ workflowID: workflow.workflowID, maxRecoveryAttempts: 5 }], 1)],
      ['loadStepOutcomesOf', () => db.loadStepOutcomesOf([workflow.workflowID])],
      ['claimRecoveryAttempt', () => db.claimRecoveryAttempt(workflow.workflowID, 5, 1)],
      ['resetAllData', () => db.resetAllData()],
    ];
    for (const [name, operation] of operations) {
      let result: Promise<unknown>;
      try {
        result = operation();
      } catch (error) {
        assert.fail(`${name} threw synchronously instead of rejecting: ${String(error)}`);
      }
      assert.equal(await settlesWithin(result, 10_000), true, `${name} settles`);
      await assert.rejects(result, Error, `${name} rejects`);
    }
  });

  test('close() twice is harmless', async () => {
    await db.close();
    await db.close();
  });

  test('a write submitted in the same tick as close() is refused, not written after the close', async () => {
    const closing = db.close();
    const late = assert.rejects(db.insertWorkflowOrGetExisting(newWorkflow()), /closed/i);
    await closing;
    await late;
  });
});
