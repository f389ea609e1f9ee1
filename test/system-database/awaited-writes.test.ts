/**
 * findAwaitedWrites, the read behind the batched re-check of sleeping
 * waiters: of many awaited writes, exactly those a waiter's own read would
 * find (a final status, an event, an unconsumed message, a stream entry at
 * the offset or later), in one read however many.
 */
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { afterEach, test } from 'node:test';
import type { AwaitedWrite } from '../../src/system-database/records.ts';
import { forEachBackend } from '../helpers/backends.ts';
import { freshTarget, newWorkflow, OpenedDatabases, stepOutcome, workflowOutcome } from '../helpers/system-database-targets.ts';

forEachBackend('findAwaitedWrites', (backend) => {
  const opened = new OpenedDatabases();
  afterEach(() => opened.cleanup());

  test('names exactly the awaited writes that are in the database, of every kind', async () => {
    const db = await opened.open(freshTarget(backend.name));
    const running = newWorkflow();
    const finished = newWorkflow();
    const failed = newWorkflow();
    for (const workflow of [running, finished, failed]) await db.insertWorkflowOrGetExisting(workflow);
    await db.recordWorkflowOutcome(workflowOutcome(finished.workflowID));
    await db.recordWorkflowOutcome(workflowOutcome(failed.workflowID, { status: 'ERROR', output: null, error: '{"json":"boom"}' }));

    const id = running.workflowID;
    const value = { text: '"v"', serialization: 'portable_json' };
    await db.communication.setEvent({ workflowID: id, key: 'set', functionID: 1, ...value }, stepOutcome(id, 1));
    const message = (topic: string) => ({ messageID: randomUUID(), destinationID: id, topic, createdAt: Date.now(), ...value });
    await db.communication.sendMessage(message('waiting'));
    await db.communication.sendMessage(message('taken'));
    assert.ok(await db.communication.consumeMessage('taken', stepOutcome(id, 2)), 'the message on "taken" is consumed');
    await db.communication.writeStream({ workflowID: id, key: 'stream', functionID: 3, ...value });
    await db.communication.writeStream({ workflowID: id, key: 'stream', functionID: 4, ...value });

    const written: AwaitedWrite[] = [
      { kind: 'outcome', workflowID: finished.workflowID },
      { kind: 'outcome', workflowID: failed.workflowID },
      { kind: 'event', workflowID: id, key: 'set' },
      { kind: 'message', workflowID: id, topic: 'waiting' },
      { kind: 'stream', workflowID: id, key: 'stream', fromOffset: 0 },
      { kind: 'stream', workflowID: id, key: 'stream', fromOffset: 1 },
    ];
    const absent: AwaitedWrite[] = [
      { kind: 'outcome', workflowID: id }, // PENDING is not final
      { kind: 'outcome', workflowID: 'no-such-workflow' },
      { kind: 'event', workflowID: id, key: 'unset' },
      { kind: 'event', workflowID: finished.workflowID, key: 'set' },
      { kind: 'message', workflowID: id, topic: 'taken' }, // consumed
      { kind: 'message', workflowID: id, topic: 'never' },
      { kind: 'stream', workflowID: id, key: 'stream', fromOffset: 2 },
      { kind: 'stream', workflowID: id, key: 'other', fromOffset: 0 },
    ];
    const asked = [...absent.slice(0, 4), ...written, ...absent.slice(4)];
    assert.deepEqual(await db.findAwaitedWrites(asked), written);
    assert.deepEqual(await db.findAwaitedWrites([]), []);
  });

  test('any number of awaited writes is answered, more than a statement could bind as parameters one by one', { timeout: 60_000 }, async () => {
    const db = await opened.open(freshTarget(backend.name));
    const finished = newWorkflow();
    await db.insertWorkflowOrGetExisting(finished);
    await db.recordWorkflowOutcome(workflowOutcome(finished.workflowID));
    // Past both backends' limits on bound parameters (SQLite 32,766, Postgres 65,535).
    const many: AwaitedWrite[] = Array.from({ length: 66_000 }, (_, i) => ({ kind: 'outcome', workflowID: `absent-${i}` }));
    const first: AwaitedWrite = { kind: 'outcome', workflowID: finished.workflowID };
    const last: AwaitedWrite = { kind: 'event', workflowID: finished.workflowID, key: 'none' };
    assert.deepEqual(await db.findAwaitedWrites([first, ...many, first, last]), [first, first]);
  });
});
