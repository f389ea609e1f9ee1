/**
 * A waiting recv is not left behind by a lost wake-up. Another instance of
 * the system database (another connection, so no in-process signal reaches
 * this runtime's waiters) writes the message. On Postgres, the runtime's
 * LISTEN connection is killed from the server side just before, so the NOTIFY
 * is lost: the notifier reconnects and wakes every waiter to re-read. On
 * SQLite, the short poll finds it. Either way the message arrives long before
 * the waiter's next safety poll would have come (it has been waiting for
 * several seconds, so its polls have backed off).
 */
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { afterEach, test } from 'node:test';
import { setTimeout as delay } from 'node:timers/promises';
import { DBOS } from '../../src/index.ts';
import { serializeValue } from '../../src/engine/serialization.ts';
import { resolveConfig } from '../../src/runtime/resolve-config.ts';
import { engineFor } from '../../src/runtime/runtime.ts';
import { openSystemDatabase } from '../../src/system-database/open-system-database.ts';
import type { PostgresNotifier } from '../../src/system-database/postgres/postgres-notifier.ts';
import type { SystemDatabase } from '../../src/system-database/system-database.ts';
import { forEachBackend } from '../helpers/backends.ts';
import { launch } from '../helpers/lifecycle.ts';
import { adminClient, capturingLogger, eventually } from '../helpers/system-database-targets.ts';
import { waitForRecorded } from './fixtures/comm-support.ts';

const receiveLate = DBOS.registerWorkflow(async () => DBOS.recv<string>('late', 60), { name: 'reconnect.receiveLate' });

forEachBackend('a waiting recv across a lost wake-up', (backend) => {
  let other: SystemDatabase | undefined;
  afterEach(async () => {
    await other?.close();
    other = undefined;
    await DBOS.shutdown();
  });

  test('a message written by another instance while the LISTEN connection is down still arrives promptly', { timeout: 60_000 }, async () => {
    const config = await launch(backend);
    other = await openSystemDatabase(resolveConfig(config).target, capturingLogger());
    const handle = await DBOS.startWorkflow(receiveLate)();
    await waitForRecorded(handle.workflowID, 1, 'DBOS.sleep');
    await delay(3500); // the waiter's safety polls have backed off past a second

    let killedListener: number | undefined;
    if (backend.name === 'postgres') {
      const notifier = engineFor('test').systemDatabase.notifier as PostgresNotifier;
      killedListener = notifier.listenerProcessID;
      assert.ok(killedListener, 'the notifier has a LISTEN connection');
      const admin = await adminClient();
      try {
        await admin.query('SELECT pg_terminate_backend($1)', [killedListener]);
      } finally {
        await admin.end();
      }
    }
    const sentAt = Date.now();
    const { text, serialization } = serializeValue('across the gap', 'a test message');
    await other.communication.sendMessage({ messageID: randomUUID(), destinationID: handle.workflowID, topic: 'late', text, serialization, createdAt: sentAt });

    assert.equal(await handle.getResult(), 'across the gap');
    const waitedMs = Date.now() - sentAt;
    assert.ok(waitedMs < 2500, `the message was received ${waitedMs} ms after it was sent`);
    if (backend.name === 'postgres') {
      const notifier = engineFor('test').systemDatabase.notifier as PostgresNotifier;
      await eventually('the notifier listens again, on a new connection', () =>
        notifier.isListening && notifier.listenerProcessID !== undefined && notifier.listenerProcessID !== killedListener);
    }
  });
});
