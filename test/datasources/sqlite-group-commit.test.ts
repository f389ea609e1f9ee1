/**
 * Group commit of SQLiteDataSource (sqlite-group-commit.ts): concurrent write transactions share one commit,
 * each in a savepoint; one that throws is rolled back alone; each runs in its caller's async context. On an
 * application file of its own (both system-database backends) and on the SQLite system file itself (single
 * commit: the group holds the system writer, and a system-database call from inside any member is refused).
 */
import assert from 'node:assert/strict';
import { AsyncLocalStorage } from 'node:async_hooks';
import { randomUUID } from 'node:crypto';
import { afterEach, beforeEach, describe, test } from 'node:test';
import { DBOS, DBOSSystemDatabaseHeldError, DBOSTransactionEndedError, type DBOSConfig } from '../../src/index.ts';
import { SQLiteDataSource } from '../../src/datasources/sqlite.ts';
import { forEachBackend, sqliteBackend, type TestBackend } from '../helpers/backends.ts';
import { stepOutcomes } from '../helpers/lifecycle.ts';
import { commitsWriting, recordCommits } from './commit-counter.ts';
import type { AppDatabase, AppSpec } from './fixtures/app-database.ts';
import { appDatabase } from './fixtures/sqlite-app.ts';

type Placement = 'own-file' | 'system-file';

function defineGroupCommit(backend: TestBackend, placement: Placement): void {
  let config: DBOSConfig;
  let spec: AppSpec;
  let app: AppDatabase;

  beforeEach(async () => {
    config = backend.freshConfig();
    spec = await appDatabase.create(placement === 'system-file' ? config : undefined);
    app = appDatabase.open(spec);
  });
  afterEach(async () => {
    await DBOS.shutdown({ deregister: true });
    await app.close();
    if (placement === 'own-file') await appDatabase.drop(spec);
  });

  function dataSource() {
    return app.createDataSource(`group-${randomUUID().slice(0, 8)}`);
  }

  async function launch(): Promise<void> {
    DBOS.setConfig(config);
    await DBOS.launch();
  }

  test('concurrent transactions of workflows commit in groups, each answered with its own committed result', async () => {
    const ds = dataSource();
    const insert = ds.registerTransaction(async (label: string) => {
      await app.insertItemInTransaction(label);
      return app.incrementInTransaction();
    }, { name: 'group.insert' });
    const workflow = DBOS.registerWorkflow((label: string) => insert(label), { name: 'group.insertWorkflow' });
    await launch();
    await workflow('warm-up'); // the first transaction names the database
    const labels = Array.from({ length: 30 }, (_, i) => `row-${String(i).padStart(2, '0')}`);
    const workflowIDs: string[] = labels.map(() => randomUUID());
    let results: number[] = [];
    const commits = await recordCommits(async () => {
      results = await Promise.all(labels.map((label, i) => DBOS.withNextWorkflowID(workflowIDs[i]!, () => workflow(label))));
    });
    const itemCommits = commitsWriting(commits, /\bitems\b/);
    assert.ok(itemCommits.length < labels.length, `${labels.length} transactions in ${itemCommits.length} commits`);
    assert.deepEqual([...results].sort((a, b) => a - b), labels.map((_, i) => i + 2), 'each saw the ones before it');
    assert.deepEqual(await app.items(), [...labels, 'warm-up'].sort());
    assert.equal(await app.counter(), labels.length + 1);
    for (const workflowID of workflowIDs) {
      assert.deepEqual((await stepOutcomes(workflowID)).map((step) => step.functionName), ['group.insert']);
    }
    const completions: string[] = (await app.completionRows()).map((row) => row.workflow_id);
    if (placement === 'own-file') assert.deepEqual(completions.filter((id) => workflowIDs.includes(id)).sort(), [...workflowIDs].sort());
    else assert.deepEqual(completions, [], 'single commit writes no completion row');
  });

  test('a transaction that throws in a group is rolled back alone; the others commit', async () => {
    const ds = dataSource();
    const insert = ds.registerTransaction(async (label: string) => {
      await app.insertItemInTransaction(label);
      await app.incrementInTransaction();
      if (label === 'bad') throw new RangeError('refused: bad');
      return label;
    }, { name: 'group.maybeFailing' });
    const workflow = DBOS.registerWorkflow((label: string) => insert(label), { name: 'group.maybeFailingWorkflow' });
    await launch();
    await workflow('warm-up');
    const labels = ['a', 'b', 'bad', 'c', 'd', 'e'];
    const outcomes = await Promise.allSettled(labels.map((label) => workflow(label)));
    for (const [i, outcome] of outcomes.entries()) {
      if (labels[i] === 'bad') {
        assert.equal(outcome.status, 'rejected');
        assert.ok((outcome as PromiseRejectedResult).reason instanceof RangeError);
      } else assert.deepEqual(outcome, { status: 'fulfilled', value: labels[i] });
    }
    assert.deepEqual(await app.items(), ['a', 'b', 'c', 'd', 'e', 'warm-up']);
    assert.equal(await app.counter(), labels.length);
  });

  for (const ending of ['COMMIT', 'ROLLBACK'] as const) {
    test(`a member that ends the transaction itself (${ending}) fails alone; the rest of its group runs again and commits`, async () => {
      const ds = dataSource();
      const insert = ds.registerTransaction(async (label: string) => {
        await app.insertItemInTransaction(label);
        if (label === 'rogue') SQLiteDataSource.client.exec(ending); // ends the group's transaction under the others
        return label;
      }, { name: 'group.rogue' });
      const workflow = DBOS.registerWorkflow((label: string) => insert(label), { name: 'group.rogueWorkflow' });
      await launch();
      await workflow('warm-up');
      const labels = ['a', 'b', 'rogue', 'c', 'd'];
      const workflowIDs = labels.map(() => randomUUID());
      const outcomes = await Promise.allSettled(labels.map((label, i) => DBOS.withNextWorkflowID(workflowIDs[i]!, () => workflow(label))));
      for (const [i, outcome] of outcomes.entries()) {
        if (labels[i] === 'rogue') {
          assert.equal(outcome.status, 'rejected');
          const reason = (outcome as PromiseRejectedResult).reason;
          assert.ok(reason instanceof DBOSTransactionEndedError && reason.code === 'TRANSACTION_ENDED_BY_FUNCTION', String(reason));
          const [step] = await stepOutcomes(workflowIDs[i]!);
          assert.match(String(step?.error), /ended the data source's transaction itself/, 'its error is its recorded outcome');
        } else assert.deepEqual(outcome, { status: 'fulfilled', value: labels[i] }, `${labels[i]} is not failed for the rogue's act`);
      }
      // Each committed once: after a COMMIT, a and b committed with the rogue (their retry replays their recorded
      // outcome); after a ROLLBACK they run again. The rogue's own write went wherever its statement sent it.
      const expected = ending === 'COMMIT' ? ['a', 'b', 'c', 'd', 'rogue', 'warm-up'] : ['a', 'b', 'c', 'd', 'warm-up'];
      assert.deepEqual(await app.items(), expected);
    });
  }

  test("each grouped transaction runs in its caller's async context", async () => {
    const ds = dataSource();
    await launch();
    await ds.runTransaction(async () => app.incrementInTransaction()); // the first transaction names the database
    const caller = new AsyncLocalStorage<number>();
    const seen = await Promise.all(
      Array.from({ length: 10 }, (_, i) =>
        caller.run(i, () =>
          ds.runTransaction(async () => {
            await app.incrementInTransaction();
            await new Promise((resolve) => setImmediate(resolve)); // a member that awaits keeps its context
            return caller.getStore();
          }),
        ),
      ),
    );
    assert.deepEqual(seen, Array.from({ length: 10 }, (_, i) => i));
    assert.equal(await app.counter(), 11);
  });

  if (placement === 'system-file') {
    test('a system-database call from inside any member of a group is refused at once (the group holds the writer)', async () => {
      const ds = dataSource();
      await launch();
      await ds.runTransaction(async () => app.incrementInTransaction());
      const outcomes = await Promise.allSettled(
        Array.from({ length: 5 }, () => ds.runTransaction(async () => (await DBOS.getWorkflowStatus('no-such-workflow')) ?? 'none')),
      );
      for (const outcome of outcomes) {
        assert.equal(outcome.status, 'rejected');
        assert.ok((outcome as PromiseRejectedResult).reason instanceof DBOSSystemDatabaseHeldError);
      }
      assert.equal(await DBOS.getWorkflowStatus('no-such-workflow'), null, 'usable again once the group committed');
    });
  }
}

forEachBackend('SQLiteDataSource group commit, on a file of its own', (backend) => defineGroupCommit(backend, 'own-file'));
describe('SQLiteDataSource group commit, on the system database file (single commit) [sqlite]', () => defineGroupCommit(sqliteBackend, 'system-file'));
