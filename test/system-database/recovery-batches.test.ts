/**
 * The SystemDatabase operations of recovery in batches, on both backends:
 * keyset pages of an executor's PENDING direct workflows, one claim
 * transaction per batch (each workflow with its own attempt budget), and the
 * recorded steps of many workflows in one read.
 */
import assert from 'node:assert/strict';
import { afterEach, beforeEach, test } from 'node:test';
import type { SystemDatabase } from '../../src/system-database/system-database.ts';
import {
  forEachTarget,
  freshTarget,
  newWorkflow,
  OpenedDatabases,
  stepOutcome,
  workflowOutcome,
} from '../helpers/system-database-targets.ts';

forEachTarget('recovery in batches', (backend) => {
  const opened = new OpenedDatabases();
  let db: SystemDatabase;

  beforeEach(async () => {
    db = await opened.open(freshTarget(backend));
  });
  afterEach(() => opened.cleanup());

  test('pages of PENDING direct workflows of one executor and version: oldest first, ties by ID, none twice', async () => {
    // Two share a creation time: the keyset must not skip or repeat either across a page boundary.
    const mine = [3000, 1000, 2000, 2000, 4000].map((createdAt) => newWorkflow({ createdAt }));
    const others = [
      newWorkflow({ executorID: 'executor-b' }),
      newWorkflow({ applicationVersion: 'v2' }),
      // A queued workflow running here goes back to its queue instead (requeuePendingWorkflows): never paged.
      newWorkflow({ queueName: 'orders' }),
      newWorkflow({ status: 'ENQUEUED', queueName: 'orders', recoveryAttempts: 0 }),
    ];
    const finished = newWorkflow({ createdAt: 500 });
    for (const w of [...mine, ...others, finished]) await db.insertWorkflowOrGetExisting(w);
    await db.recordWorkflowOutcome(workflowOutcome(finished.workflowID));

    const seen: string[] = [];
    let after = null;
    for (let pages = 0; pages < 10; pages++) {
      const page = await db.listPendingDirectWorkflows('executor-a', 'v1', after, 2);
      seen.push(...page.map((w) => w.workflowID));
      const last = page.at(-1);
      if (!last || page.length < 2) break;
      after = { createdAt: last.createdAt, workflowID: last.workflowID };
    }
    // The tie's order is the database's text order (its collation): only the creation times are checked in order.
    const createdAt = new Map(mine.map((w) => [w.workflowID, w.createdAt]));
    assert.deepEqual(seen.map((id) => createdAt.get(id)), [1000, 2000, 2000, 3000, 4000]);
    assert.deepEqual(new Set(seen), new Set(mine.map((w) => w.workflowID)));
    const oldest = mine[1]!;
    assert.deepEqual(await db.listPendingDirectWorkflows('executor-a', 'v1', null, 1), [
      {
        workflowID: oldest.workflowID,
        workflowName: oldest.workflowName,
        className: oldest.className,
        configName: oldest.configName,
        createdAt: 1000,
      },
    ]);
  });

  test('one claim per batch: each workflow counts an attempt against its own budget; finished ones are left out', async () => {
    const fresh = newWorkflow({ recoveryAttempts: 1 });
    const worn = newWorkflow({ recoveryAttempts: 3 });
    const done = newWorkflow();
    for (const w of [fresh, worn, done]) await db.insertWorkflowOrGetExisting(w);
    await db.recordWorkflowOutcome(workflowOutcome(done.workflowID));

    const claim = await db.claimRecoveryAttempts(
      [
        { workflowID: fresh.workflowID, maxRecoveryAttempts: 2 },
        { workflowID: worn.workflowID, maxRecoveryAttempts: 2 },
        { workflowID: done.workflowID, maxRecoveryAttempts: 2 },
        { workflowID: 'no-such-workflow', maxRecoveryAttempts: 2 },
      ],
      5_000,
    );
    assert.deepEqual(claim.run.map((w) => [w.workflowID, w.recoveryAttempts, w.updatedAt, w.inputs]), [
      [fresh.workflowID, 2, 5_000, fresh.inputs],
    ]);
    assert.deepEqual(claim.exceeded.map((w) => [w.workflowID, w.status]), [[worn.workflowID, 'MAX_RECOVERY_ATTEMPTS_EXCEEDED']]);
    const wornNow = await db.getWorkflowStatus(worn.workflowID);
    assert.equal(wornNow?.status, 'MAX_RECOVERY_ATTEMPTS_EXCEEDED');
    assert.equal(wornNow?.recoveryAttempts, 4);
    assert.equal(wornNow?.completedAt, 5_000);
    assert.equal((await db.getWorkflowStatus(done.workflowID))?.recoveryAttempts, done.recoveryAttempts, 'a finished workflow is not counted');
    assert.deepEqual(await db.claimRecoveryAttempts([], 6_000), { run: [], exceeded: [] });
  });

  test('the recorded steps of many workflows in one read, each in function-ID order', async () => {
    const [a, b, none] = [newWorkflow(), newWorkflow(), newWorkflow()];
    for (const w of [a, b, none]) await db.insertWorkflowOrGetExisting(w);
    for (const outcome of [stepOutcome(a.workflowID, 1), stepOutcome(b.workflowID, 0), stepOutcome(a.workflowID, 0)]) {
      await db.recordStepOutcome(outcome);
    }
    const steps = await db.loadStepOutcomesOf([a.workflowID, b.workflowID, none.workflowID]);
    assert.deepEqual(steps.get(a.workflowID), await db.loadStepOutcomes(a.workflowID));
    assert.deepEqual(steps.get(a.workflowID)?.map((s) => s.functionID), [0, 1]);
    assert.deepEqual(steps.get(b.workflowID), [stepOutcome(b.workflowID, 0)]);
    assert.deepEqual(steps.get(none.workflowID), []);
    assert.deepEqual(await db.loadStepOutcomesOf([]), new Map());
  });
});
