/**
 * Many waiters in one process: 1,000 concurrent DBOS.getEvent calls (on 1,000
 * keys, and on one key) all resolve once the publisher sets the values. On
 * Postgres the whole process listens on one connection: exactly one backend
 * of the server is LISTENing on this schema's channels, and it is the
 * notifier's.
 */
import assert from 'node:assert/strict';
import { afterEach, test } from 'node:test';
import { setTimeout as delay } from 'node:timers/promises';
import { DBOS, type DBOSConfig } from '../../src/index.ts';
import type { PostgresNotifier } from '../../src/system-database/postgres/postgres-notifier.ts';
import { postgresChannelName } from '../../src/system-database/postgres/postgres-dialect.ts';
import { eventsChannel } from '../../src/system-database/system-database.ts';
import { engineFor } from '../../src/runtime/runtime.ts';
import { forEachBackend, type TestBackend } from '../helpers/backends.ts';
import { launch } from '../helpers/lifecycle.ts';
import { adminClient } from '../helpers/system-database-targets.ts';

const waiterCount = 1000;

/** Sets `count` keys once told to go (so every reader is already waiting). */
const publishMany = DBOS.registerWorkflow(async (count: number) => {
  await DBOS.recv('go', 60);
  for (let i = 0; i < count; i++) await DBOS.setEvent(`key-${i}`, i);
}, { name: 'manyWaiters.publishMany' });

const publishOne = DBOS.registerWorkflow(async () => {
  await DBOS.recv('go', 60);
  await DBOS.setEvent('shared', 'for everyone');
}, { name: 'manyWaiters.publishOne' });

/**
 * The server backends whose last statement was a LISTEN: `ours` on one of this schema's channels (all test schemas
 * are short enough to prefix channel names), `all` on any channel (the notifier also listens on DBOS's fixed channel,
 * shared by every schema, and may have issued that LISTEN last).
 */
async function listeningBackends(config: DBOSConfig): Promise<{ ours: number[]; all: number[] }> {
  const schema = config.systemDatabaseSchemaName!;
  const client = await adminClient();
  try {
    const rows = await client.query<{ pid: number; query: string }>(
      `SELECT pid, query FROM pg_stat_activity WHERE query LIKE 'LISTEN %'`,
    );
    assert.ok(postgresChannelName(schema, eventsChannel).startsWith(`${schema}_`), 'channel names are prefixed by the schema');
    return {
      ours: rows.rows.filter((row) => row.query.startsWith(`LISTEN "${schema}_`)).map((row) => row.pid),
      all: rows.rows.map((row) => row.pid),
    };
  } finally {
    await client.end();
  }
}

async function assertOneListener(backend: TestBackend, config: DBOSConfig): Promise<void> {
  if (backend.name !== 'postgres') return;
  const notifier = engineFor('test').systemDatabase.notifier as PostgresNotifier;
  assert.equal(notifier.isListening, true);
  const listening = await listeningBackends(config);
  assert.ok(listening.all.includes(notifier.listenerProcessID!), 'the notifier\'s connection LISTENs');
  assert.deepEqual(listening.ours.filter((pid) => pid !== notifier.listenerProcessID), [], 'no other connection LISTENs on this schema\'s channels');
}

forEachBackend('many concurrent waiters in one process', (backend) => {
  afterEach(() => DBOS.shutdown());

  test(`${waiterCount} getEvent calls on ${waiterCount} keys all resolve once the values are set`, { timeout: 90_000 }, async () => {
    const config = await launch(backend);
    const publisher = await DBOS.startWorkflow(publishMany)(waiterCount);
    const waiters = Array.from({ length: waiterCount }, (_, i) => DBOS.getEvent<number>(publisher.workflowID, `key-${i}`, 60));
    await delay(200); // let every waiter register and make its first read
    await assertOneListener(backend, config);

    await DBOS.send(publisher.workflowID, 'go', 'go');
    const values = await Promise.all(waiters);
    assert.deepEqual(values, Array.from({ length: waiterCount }, (_, i) => i));
    await publisher.getResult();
    await assertOneListener(backend, config);
  });

  test(`${waiterCount} getEvent calls on one key all resolve once it is set`, { timeout: 60_000 }, async () => {
    const config = await launch(backend);
    const publisher = await DBOS.startWorkflow(publishOne)();
    const waiters = Array.from({ length: waiterCount }, () => DBOS.getEvent<string>(publisher.workflowID, 'shared', 60));
    await delay(200);
    await assertOneListener(backend, config);

    await DBOS.send(publisher.workflowID, 'go', 'go');
    const values = await Promise.all(waiters);
    assert.equal(values.length, waiterCount);
    assert.ok(values.every((value) => value === 'for everyone'), `some waiters got ${values.find((v) => v !== 'for everyone')}`);
    await publisher.getResult();
  });
});
