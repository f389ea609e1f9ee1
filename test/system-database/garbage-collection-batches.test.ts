/**
 * Garbage collection in bounded batches, on both backends: thousands of old
 * workflows go in several short transactions, oldest first, exactly the ones
 * the single-statement collection deleted (by cutoff, by keepRows, within
 * the owners' scope, never an in-flight one), each with every row it
 * recorded; and nothing is held between two batches.
 */
import assert from 'node:assert/strict';
import { afterEach, beforeEach, test } from 'node:test';
import type { SystemDatabaseTarget } from '../../src/system-database/open-system-database.ts';
import type { GarbageCollectionBatch } from '../../src/system-database/records.ts';
import type { SystemDatabase } from '../../src/system-database/system-database.ts';
import {
  insertOldWorkflows,
  oldWorkflowCreatedAt,
  recordCommunication,
  workflowRowTables,
  type OldWorkflows,
} from '../helpers/old-workflows.ts';
import {
  forEachTarget,
  freshTarget,
  newWorkflow,
  OpenedDatabases,
  rawQuery,
  stepOutcome,
  workflowOutcome,
} from '../helpers/system-database-targets.ts';

const firstCreatedAt = 1_000_000_000_000;
/** 5,000 finished workflows of shop-app, three to a millisecond (ties at every batch boundary). */
const shopWorkflows: OldWorkflows = { prefix: 'shop-', count: 5_000, firstCreatedAt, perMillisecond: 3, applicationName: 'shop-app' };
const otherWorkflows: OldWorkflows = { prefix: 'other-', count: 40, firstCreatedAt, perMillisecond: 1, applicationName: 'other-app' };
const unownedWorkflows: OldWorkflows = {
  prefix: 'unowned-',
  count: 30,
  firstCreatedAt: firstCreatedAt + 500,
  perMillisecond: 1,
  applicationName: null,
};
const inFlightStatuses = ['PENDING', 'ENQUEUED', 'DELAYED'] as const;
const isInFlight = (status: string) => (inFlightStatuses as readonly string[]).includes(status);

interface Row {
  id: string;
  createdAt: number;
  status: string;
  application: string | null;
}

forEachTarget('garbage collection in batches', (backend) => {
  const opened = new OpenedDatabases();
  let target: SystemDatabaseTarget;
  let db: SystemDatabase;
  const run = (sql: string) => rawQuery(target, sql);
  const table = (name: string) => name;

  beforeEach(async () => {
    target = freshTarget(backend);
    db = await opened.open(target);
    for (const workflows of [shopWorkflows, otherWorkflows, unownedWorkflows]) await insertOldWorkflows(run, table, workflows);
    // Old in-flight workflows among the old finished ones: never collected, whatever their age.
    for (const [i, status] of inFlightStatuses.entries()) {
      const queueName = status === 'PENDING' ? null : 'q';
      await db.insertWorkflowOrGetExisting(
        newWorkflow({ workflowID: `in-flight-${status}`, status, createdAt: firstCreatedAt + 100 + i * 700, queueName }),
      );
    }
    for (const id of ['shop-7', 'shop-4000', 'unowned-3', 'other-5']) await recordCommunication(run, table, id);
  });
  afterEach(() => opened.cleanup());

  async function statusRows(): Promise<Row[]> {
    const rows = await rawQuery(target, 'SELECT workflow_uuid, created_at, status, application_name FROM workflow_status');
    return rows.map((r) => ({
      id: String(r.workflow_uuid),
      createdAt: Number(r.created_at),
      status: String(r.status),
      application: r.application_name === null ? null : String(r.application_name),
    }));
  }

  /** What the single-statement collection deleted: in scope, created before the cutoff, finished. */
  function expectedDeleted(rows: Row[], cutoff: number | undefined, keepRows: number | undefined, owners: string[]): Set<string> {
    const inScope = rows.filter((r) => owners.length === 0 || r.application === null || owners.includes(r.application));
    let effective = cutoff ?? Number.NEGATIVE_INFINITY;
    if (keepRows !== undefined) {
      const newestFirst = inScope.map((r) => r.createdAt).sort((a, b) => b - a);
      const kept = newestFirst[Math.max(1, keepRows) - 1];
      if (kept !== undefined) effective = Math.max(effective, kept);
    }
    return new Set(inScope.filter((r) => r.createdAt < effective && !isInFlight(r.status)).map((r) => r.id));
  }

  /** Workflow IDs that still have a row in `name`. */
  async function idsIn(name: string, column: string): Promise<Set<string>> {
    return new Set((await rawQuery(target, `SELECT ${column} AS id FROM ${name}`)).map((r) => String(r.id)));
  }

  async function assertOnlyDeleted(before: Row[], deleted: Set<string>): Promise<void> {
    const known = new Set(before.map((r) => r.id));
    const survivors = before.map((r) => r.id).filter((id) => !deleted.has(id));
    assert.deepEqual(new Set((await statusRows()).map((r) => r.id).filter((id) => known.has(id))), new Set(survivors));
    for (const [name, column] of workflowRowTables) {
      const left = await idsIn(name, column);
      const stray = [...left].filter((id) => deleted.has(id));
      assert.deepEqual(stray, [], `${name} keeps rows of deleted workflows`);
    }
  }

  test('a cutoff over 5,000 workflows: batches of the size asked, oldest first, exactly the collectable ones', async () => {
    const before = await statusRows();
    const cutoff = oldWorkflowCreatedAt(shopWorkflows, 4_500); // shop-4500 and its millisecond's peers stay
    const expected = expectedDeleted(before, cutoff, undefined, ['shop-app']);
    const batches: GarbageCollectionBatch[] = [];
    const deleted = await db.garbageCollect(cutoff, undefined, ['shop-app'], { batchSize: 1_000, afterBatch: (b) => void batches.push(b) });

    // shop-1 .. shop-4499 (created before shop-4500's millisecond: n / 3 < 1500) and the 30 unowned ones.
    assert.equal(expected.size, 4_499 + 30);
    assert.equal(deleted, expected.size);
    assert.deepEqual(batches, [
      ...Array.from({ length: 4 }, () => ({ limit: 1_000, deleted: 1_000 })),
      { limit: 1_000, deleted: expected.size - 4_000 },
    ]);
    await assertOnlyDeleted(before, expected);
    // The communication of survivors is untouched; that of the deleted went with them.
    assert.deepEqual(await idsIn('notifications', 'destination_uuid'), new Set(['shop-4000', 'other-5'].filter((id) => !expected.has(id))));
    assert.ok(expected.has('shop-7') && expected.has('unowned-3') && !expected.has('other-5'));
  });

  test('keepRows: the newest N in scope stay (ties at the boundary stay together), found in steps of the batch size', async () => {
    const before = await statusRows();
    for (const [keepRows, owners] of [[1_234, ['shop-app']], [4_000, []], [0, ['shop-app']]] as const) {
      const rows = await statusRows();
      const expected = expectedDeleted(rows, undefined, keepRows, [...owners]);
      const deleted = await db.garbageCollect(undefined, keepRows, owners.length === 0 ? undefined : [...owners], { batchSize: 400 });
      assert.equal(deleted, expected.size, `keepRows ${keepRows}`);
      await assertOnlyDeleted(rows, expected);
    }
    // Everything finished went in the end, but the newest millisecond's (keepRows 0 keeps the newest one's time).
    const left = new Set((await statusRows()).map((r) => r.id));
    for (const status of inFlightStatuses) assert.ok(left.has(`in-flight-${status}`));
    assert.ok(left.size < before.length);
  });

  test('a cutoff and keepRows together: the later of the two cutoffs', async () => {
    const before = await statusRows();
    const cutoff = oldWorkflowCreatedAt(shopWorkflows, 900);
    const expected = expectedDeleted(before, cutoff, 4_600, ['shop-app']);
    assert.equal(await db.garbageCollect(cutoff, 4_600, ['shop-app'], { batchSize: 250 }), expected.size);
    await assertOnlyDeleted(before, expected);
  });

  test('nothing is held between batches: a workflow starts, records a step and finishes after each one', async () => {
    const before = await statusRows();
    const cutoff = oldWorkflowCreatedAt(shopWorkflows, 3_001);
    const expected = expectedDeleted(before, cutoff, undefined, []);
    const live: string[] = [];
    const deleted = await db.garbageCollect(cutoff, undefined, undefined, {
      batchSize: 1_000,
      afterBatch: async () => {
        // On SQLite a batch that still held the connection would make these wait forever.
        const workflow = newWorkflow({ createdAt: Date.now() });
        await db.insertWorkflowOrGetExisting(workflow);
        await db.recordStepOutcome(stepOutcome(workflow.workflowID, 0));
        await db.recordWorkflowOutcome(workflowOutcome(workflow.workflowID));
        live.push(workflow.workflowID);
      },
    });
    assert.equal(deleted, expected.size);
    assert.equal(live.length, Math.ceil((expected.size + 1) / 1_000));
    for (const id of live) assert.equal((await db.getWorkflowStatus(id))?.status, 'SUCCESS');
    await assertOnlyDeleted(before, expected);
  });

  test('by default the batches are sized by time: every batch is bounded, and all collectable workflows go', async () => {
    const before = await statusRows();
    const expected = expectedDeleted(before, firstCreatedAt + 10_000, undefined, []);
    const batches: GarbageCollectionBatch[] = [];
    const deleted = await db.garbageCollect(firstCreatedAt + 10_000, undefined, undefined, { afterBatch: (b) => void batches.push(b) });
    assert.equal(deleted, expected.size);
    assert.ok(batches.length > 1, `${batches.length} batch(es)`);
    assert.ok(batches.every((b) => b.limit >= 10 && b.limit <= 10_000 && b.deleted <= b.limit));
    await assertOnlyDeleted(before, expected);
  });
});
