/**
 * SQLite's change watcher: a commit by another connection to the file (another process, in production) wakes
 * this process's waiters through `PRAGMA data_version`, long before their safety poll would.
 */
import assert from 'node:assert/strict';
import { afterEach, test } from 'node:test';
import { outcomeChannel } from '../../../src/system-database/system-database.ts';
import { freshTarget, newWorkflow, OpenedDatabases, settlesWithin, workflowOutcome } from '../../helpers/system-database-targets.ts';

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
