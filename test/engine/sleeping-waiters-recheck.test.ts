/**
 * The batched re-check of sleeping waiters, on its own (a fake system
 * database): one read per period, once a waiter has slept that long, asks
 * about everything the sleepers await, each thing once; only the waiters of what it finds
 * are woken; nothing is read while nobody sleeps, or where the notifier sees
 * every writer.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { setTimeout as delay } from 'node:timers/promises';
import { SleepingWaitersRecheck, type RecheckHost } from '../../src/engine/sleeping-waiters-recheck.ts';
import { announcedOn } from '../../src/system-database/awaited-writes.ts';
import { PollingNotifier } from '../../src/system-database/polling-notifier.ts';
import type { AwaitedWrite } from '../../src/system-database/records.ts';
import { capturingLogger, settlesWithin } from '../helpers/system-database-targets.ts';

function fakeHost(present: (write: AwaitedWrite) => boolean, seesUnannouncedWrites = false) {
  const notifier = new PollingNotifier(1, 1);
  (notifier as { seesUnannouncedWrites: boolean }).seesUnannouncedWrites = seesUnannouncedWrites;
  const asked: AwaitedWrite[][] = [];
  const host = {
    systemDatabase: {
      notifier,
      findAwaitedWrites: async (awaited: readonly AwaitedWrite[]) => {
        asked.push([...awaited]);
        return awaited.filter(present);
      },
    },
    logger: capturingLogger(),
    interrupted: false,
  } as unknown as RecheckHost;
  return { host, notifier, asked };
}

function sleepOn(notifier: PollingNotifier, write: AwaitedWrite) {
  const { channel, key } = announcedOn(write);
  return notifier.wait(channel, key, Number.POSITIVE_INFINITY);
}

test('one read per period for every sleeping waiter, once one has slept a period; only the waiters of what it finds wake', async () => {
  const finished: AwaitedWrite = { kind: 'outcome', workflowID: 'finished' };
  const unset: AwaitedWrite = { kind: 'event', workflowID: 'w', key: 'unset' };
  const { host, notifier, asked } = fakeHost((write) => write.kind === 'outcome');
  const recheck = new SleepingWaitersRecheck(host);
  recheck.periodMs = 30;
  try {
    const waiters = [sleepOn(notifier, finished), sleepOn(notifier, finished), sleepOn(notifier, unset)];
    const awake = [recheck.sleeping([finished]), recheck.sleeping([finished]), recheck.sleeping([unset])];
    assert.equal(await settlesWithin(Promise.all([waiters[0]!.promise, waiters[1]!.promise]), 10_000), true, 'both waiters of the outcome wake');
    assert.deepEqual(asked[0], [finished, unset], 'one read, each awaited write once');
    assert.equal(await settlesWithin(waiters[2]!.promise, 100), false, 'the waiter of the unset event sleeps on');
    const readsWhileOneSleeps = asked.length;
    assert.ok(readsWhileOneSleeps <= 1 + Math.ceil(130 / recheck.periodMs), `${readsWhileOneSleeps} reads in about 130 ms`);
    for (const wake of awake) wake();
    waiters[2]!.cancel();
    await delay(100);
    assert.ok(asked.length <= readsWhileOneSleeps + 1, 'nobody asleep: no more reads');
  } finally {
    await notifier.close();
  }
});

test('a waiter that fell asleep just before a re-check is asked about in it: an unannounced write waits about a period at most', async () => {
  const { host, notifier, asked } = fakeHost(() => false);
  const recheck = new SleepingWaitersRecheck(host);
  recheck.periodMs = 200;
  try {
    const oldest: AwaitedWrite = { kind: 'event', workflowID: 'w', key: 'oldest' };
    const newest: AwaitedWrite = { kind: 'event', workflowID: 'w', key: 'newest' };
    const wakeOldest = recheck.sleeping([oldest]);
    await delay(100);
    const wakeNewest = recheck.sleeping([newest]);
    await eventuallyAsked(asked);
    assert.deepEqual(asked[0], [oldest, newest]);
    wakeOldest();
    wakeNewest();
  } finally {
    await notifier.close();
  }
});

test('each re-check asks about the sleepers of its time: one that fell asleep since is in, one that woke is out', async () => {
  const { host, notifier, asked } = fakeHost(() => false);
  const recheck = new SleepingWaitersRecheck(host);
  recheck.periodMs = 20;
  try {
    const first: AwaitedWrite = { kind: 'outcome', workflowID: 'first' };
    const second: AwaitedWrite = { kind: 'outcome', workflowID: 'second' };
    const wakeFirst = recheck.sleeping([first]);
    await eventuallyAsked(asked);
    const wakeSecond = recheck.sleeping([second]);
    await until(() => asked.at(-1)?.length === 2);
    assert.deepEqual(asked.at(-1), [first, second]);
    wakeFirst();
    await until(() => asked.at(-1)?.length === 1);
    assert.deepEqual(asked.at(-1), [second]);
    wakeSecond();
  } finally {
    await notifier.close();
  }
});

test('a stream is asked about once, from the lowest offset its sleepers await', async () => {
  const { host, notifier, asked } = fakeHost(() => false);
  const recheck = new SleepingWaitersRecheck(host);
  recheck.periodMs = 10;
  try {
    const wakes = [5, 2, 9].map((fromOffset) => recheck.sleeping([{ kind: 'stream', workflowID: 'w', key: 's', fromOffset }]));
    await eventuallyAsked(asked);
    assert.deepEqual(asked[0], [{ kind: 'stream', workflowID: 'w', key: 's', fromOffset: 2 }]);
    for (const wake of wakes) wake();
  } finally {
    await notifier.close();
  }
});

test('only sleeps longer than a period are covered, and none where the notifier sees every writer', () => {
  const recheck = new SleepingWaitersRecheck(fakeHost(() => false).host);
  assert.equal(recheck.covers(Number.POSITIVE_INFINITY), true);
  assert.equal(recheck.covers(recheck.periodMs + 1), true);
  assert.equal(recheck.covers(recheck.periodMs), false, 'a waiter polling as often as the period sees the write itself');
  const seeing = new SleepingWaitersRecheck(fakeHost(() => false, true).host);
  assert.equal(seeing.covers(Number.POSITIVE_INFINITY), false);
});

test('a failed read is logged and retried at the next period; the waiters sleep on meanwhile', async () => {
  let failures = 1;
  const write: AwaitedWrite = { kind: 'outcome', workflowID: 'w' };
  const { host, notifier } = fakeHost(() => {
    if (failures-- > 0) throw new Error('connection lost');
    return true;
  });
  const recheck = new SleepingWaitersRecheck(host);
  recheck.periodMs = 20;
  try {
    const waiter = sleepOn(notifier, write);
    const awake = recheck.sleeping([write]);
    assert.equal(await settlesWithin(waiter.promise, 10_000), true, 'woken by the retry');
    awake();
    const lines = (host.logger as ReturnType<typeof capturingLogger>).lines;
    assert.ok(lines.some((line) => line.level === 'warn' && line.message.includes('connection lost')), JSON.stringify(lines));
  } finally {
    await notifier.close();
  }
});

async function until(condition: () => boolean): Promise<void> {
  for (let i = 0; i < 500 && !condition(); i++) await delay(10);
  assert.ok(condition(), 'the re-check asked as expected');
}

async function eventuallyAsked(asked: unknown[]): Promise<void> {
  for (let i = 0; i < 500 && asked.length === 0; i++) await delay(10);
  assert.ok(asked.length > 0, 'the re-check read');
}
