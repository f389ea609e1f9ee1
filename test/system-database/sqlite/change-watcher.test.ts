/**
 * SQLite's change watcher: a commit by another connection to the file (another process, in production) wakes
 * this process's waiters through `PRAGMA data_version`, long before their safety poll would.
 */
import assert from 'node:assert/strict';
import { afterEach, test } from 'node:test';
import { SqliteNotifier } from '../../../src/system-database/sqlite/sqlite-notifier.ts';
import { outcomeChannel } from '../../../src/system-database/system-database.ts';
import { eventually, freshTarget, newWorkflow, OpenedDatabases, settlesWithin, workflowOutcome } from '../../helpers/system-database-targets.ts';

const opened = new OpenedDatabases();
afterEach(() => opened.cleanup());

test("another connection's commit wakes a waiter whose poll is a minute away", async () => {
  const target = freshTarget('sqlite');
  const waiting = await opened.open(target);
  const writing = await opened.open(target); // its own connection: like another process, it cannot wake us directly
  const workflow = newWorkflow();
  await writing.insertWorkflowOrGetExisting(workflow);
  const waiter = waiting.notifier.wait(outcomeChannel, workflow.workflowID, 60_000);
  assert.equal(await settlesWithin(waiter.promise, 50), false, 'nothing committed yet: the waiter sleeps');
  await writing.recordWorkflowOutcome(workflowOutcome(workflow.workflowID));
  assert.equal(await settlesWithin(waiter.promise, 30_000), true, 'woken by the watcher, not by its 60 s timeout');
});

test("this connection's own commits do not wake every waiter (they wake their own keys)", async () => {
  const target = freshTarget('sqlite');
  const db = await opened.open(target);
  const [watched, other] = [newWorkflow(), newWorkflow()];
  for (const w of [watched, other]) await db.insertWorkflowOrGetExisting(w);
  const waiter = db.notifier.wait(outcomeChannel, watched.workflowID, 60_000);
  await db.recordWorkflowOutcome(workflowOutcome(other.workflowID));
  assert.equal(await settlesWithin(waiter.promise, 100), false, 'data_version ignores the connection’s own commits');
  await db.recordWorkflowOutcome(workflowOutcome(watched.workflowID));
  assert.equal(await settlesWithin(waiter.promise, 30_000), true);
});

test('while the version can be read, waits need no safety poll; when it cannot, sleeping waiters wake and waits poll', async () => {
  let version: number | undefined = 1;
  const notifier = new SqliteNotifier(() => version);
  try {
    assert.equal(notifier.waitSafetyPollMs(0), Number.POSITIVE_INFINITY, 'every other connection’s commit is seen');
    const waiter = notifier.wait(outcomeChannel, 'sleeper', Number.POSITIVE_INFINITY);
    assert.equal(await settlesWithin(waiter.promise, 50), false, 'nothing changed: the waiter sleeps');
    version = undefined; // a fault of the file: commits of other processes could go unseen
    assert.equal(await settlesWithin(waiter.promise, 30_000), true, 'woken to re-read');
    assert.ok(Number.isFinite(notifier.waitSafetyPollMs(0)), 'waits poll while the version cannot be read');
    const next = notifier.wait(outcomeChannel, 'sleeper', 60_000); // keeps the watcher reading
    version = 2;
    await eventually('the version to be readable again', () => notifier.waitSafetyPollMs(0) === Number.POSITIVE_INFINITY);
    next.cancel();
  } finally {
    await notifier.close();
  }
});
