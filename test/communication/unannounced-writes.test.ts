/**
 * Writes that announce nothing still reach sleeping waiters: a workflow
 * finished, an event set or a message inserted by plain SQL (as a DBOS SDK
 * process or another language's client writes them: no NOTIFY but DBOS's
 * message trigger), or a stream entry, wakes getResult, getEvent, recv and
 * a stream reader within the re-check
 * period plus slack. On Postgres with LISTEN the waiters sleep with no poll
 * of their own and the engine's batched re-check finds the rows; on SQLite
 * the change watcher sees the other connection's commit. And a crowd of
 * sleepers costs one re-check statement per period, whatever their number,
 * counted at the drivers.
 */
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { afterEach, test } from 'node:test';
import { setTimeout as delay } from 'node:timers/promises';
import { DBOS, type DBOSConfig } from '../../src/index.ts';
import { engineFor } from '../../src/runtime/runtime.ts';
import { recordCommits } from '../datasources/commit-counter.ts';
import { forEachBackend } from '../helpers/backends.ts';
import { launch } from '../helpers/lifecycle.ts';
import { rawExecute } from '../helpers/raw-rows.ts';
import { eventually, settlesWithin } from '../helpers/system-database-targets.ts';

/** Short, so the test is quick: the default is 5 s. */
const periodMs = 200;
/** Generous: without the re-check, these waits would end only at their timeouts, a minute away. */
const wakeBoundMs = 15_000;

const receive = DBOS.registerWorkflow(async () => DBOS.recv<string>('from-elsewhere', 60), { name: 'unannounced.receive' });

/** A workflow's status row as another SDK writes it: PENDING under an executor of its own, announced to no one. */
async function insertForeignWorkflow(config: DBOSConfig): Promise<string> {
  const workflowID = `foreign-${randomUUID()}`;
  const now = Date.now();
  await rawExecute(
    config,
    `INSERT INTO {schema}workflow_status (workflow_uuid, name, status, created_at, updated_at, executor_id, serialization)
     VALUES (?, 'unannounced.elsewhere', 'PENDING', ?, ?, 'another-sdk-executor', 'portable_json')`,
    [workflowID, now, now],
  );
  return workflowID;
}

forEachBackend('writes that announce nothing reach sleeping waiters', (backend) => {
  afterEach(() => DBOS.shutdown());

  async function launchWithShortPeriod(): Promise<DBOSConfig> {
    const config = await launch(backend);
    engineFor('test').sleepingWaiters.periodMs = periodMs;
    return config;
  }

  /** Until `count` waiters sleep: where a re-check is needed, under it, with no safety poll of their own. */
  async function asleep(count: number): Promise<void> {
    const { systemDatabase, sleepingWaiters } = engineFor('test');
    if (systemDatabase.notifier.seesUnannouncedWrites) return void (await delay(300));
    assert.equal(systemDatabase.notifier.waitSafetyPollMs(0), Number.POSITIVE_INFINITY, 'LISTEN is up: no safety poll');
    await eventually(`${count} waiters asleep under the re-check`, () => sleepingWaiters.sleeperCount >= count, 60_000);
  }

  test('getResult wakes when the workflow is finished by plain SQL', { timeout: 60_000 }, async () => {
    const config = await launchWithShortPeriod();
    const workflowID = await insertForeignWorkflow(config);
    const result = DBOS.retrieveWorkflow<string>(workflowID).getResult();
    await asleep(1);
    await rawExecute(config, `UPDATE {schema}workflow_status SET status = 'SUCCESS', output = ?, updated_at = ? WHERE workflow_uuid = ?`, [
      '"finished elsewhere"',
      Date.now(),
      workflowID,
    ]);
    assert.equal(await settlesWithin(result, wakeBoundMs), true, 'getResult woke');
    assert.equal(await result, 'finished elsewhere');
  });

  test('getEvent wakes when the event is set by plain SQL', { timeout: 60_000 }, async () => {
    const config = await launchWithShortPeriod();
    const workflowID = await insertForeignWorkflow(config);
    const value = DBOS.getEvent<string>(workflowID, 'ready', 60);
    await asleep(1);
    await rawExecute(config, `INSERT INTO {schema}workflow_events (workflow_uuid, key, value, serialization) VALUES (?, 'ready', ?, 'portable_json')`, [
      workflowID,
      '"set elsewhere"',
    ]);
    assert.equal(await settlesWithin(value, wakeBoundMs), true, 'getEvent woke');
    assert.equal(await value, 'set elsewhere');
  });

  test('recv wakes when a message is inserted by plain SQL', { timeout: 60_000 }, async () => {
    const config = await launchWithShortPeriod();
    const handle = await DBOS.startWorkflow(receive)();
    await asleep(1);
    await rawExecute(config, `INSERT INTO {schema}notifications (destination_uuid, topic, message, serialization) VALUES (?, 'from-elsewhere', ?, 'portable_json')`, [
      handle.workflowID,
      '"sent elsewhere"',
    ]);
    const result = handle.getResult();
    assert.equal(await settlesWithin(result, wakeBoundMs), true, 'recv woke');
    assert.equal(await result, 'sent elsewhere');
  });

  test('a stream reader wakes when the entry at its offset is written by plain SQL', { timeout: 60_000 }, async () => {
    const config = await launchWithShortPeriod();
    const workflowID = await insertForeignWorkflow(config);
    const insertEntry = `INSERT INTO {schema}streams (workflow_uuid, key, value, serialization, function_id, "offset")
      VALUES (?, 'log', ?, 'portable_json', ?, ?)`;
    await rawExecute(config, insertEntry, [workflowID, '"zero"', 1, 0]);
    const second = DBOS.readStreamOffset<string>(workflowID, 'log', 1, { timeoutSeconds: 60 });
    await asleep(1);
    await rawExecute(config, insertEntry, [workflowID, '"one"', 2, 1]);
    assert.equal(await settlesWithin(second, wakeBoundMs), true, 'the reader of offset 1 woke');
    assert.equal(await second, 'one');
  });

  test('1,000 sleeping waiters cost one re-check statement per period, and only the found one wakes', { timeout: 120_000 }, async () => {
    const config = await launchWithShortPeriod();
    const workflowID = await insertForeignWorkflow(config);
    const waiters = Array.from({ length: 1000 }, (_, i) => DBOS.getEvent<string>(workflowID, `key-${i}`, 60));
    for (const waiter of waiters) waiter.catch(() => undefined); // shutdown ends the ones still waiting
    await asleep(waiters.length);
    await delay(2 * periodMs); // every re-check from now on is due for all of them

    const windowMs = 2000;
    const commits = await recordCommits(() => delay(windowMs));
    const eventReads = commits.flatMap((commit) => commit.statements).filter((sql) => /workflow_events/.test(sql));
    assert.ok(eventReads.length <= windowMs / periodMs + 1, `${eventReads.length} reads of events in ${windowMs} ms`);
    if (!engineFor('test').systemDatabase.notifier.seesUnannouncedWrites) assert.ok(eventReads.length >= 1, 'the re-check ran');

    await rawExecute(config, `INSERT INTO {schema}workflow_events (workflow_uuid, key, value, serialization) VALUES (?, 'key-7', ?, 'portable_json')`, [
      workflowID,
      '"seven"',
    ]);
    assert.equal(await settlesWithin(waiters[7]!, wakeBoundMs), true, 'the waiter of the event set wakes');
    assert.equal(await waiters[7], 'seven');
    const others = waiters.filter((_, i) => i !== 7);
    assert.equal(await settlesWithin(Promise.race(others), 3 * periodMs), false, 'the others sleep on');
  });
});
