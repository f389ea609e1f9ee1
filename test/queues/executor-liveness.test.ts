/**
 * A relaunched executor records its heartbeat before it resumes its PENDING workflows. Otherwise, for the
 * moments between the two, the executor looks dead (its last heartbeat is from before the crash) while its
 * workflows already run again here: a live process's takeover then puts them back on their queues too, and
 * they run twice at once (found by the chaos run: a child run twice, its parent's getResult waiting on the
 * copy stuck in a recv whose messages the other copy had consumed).
 */
import assert from 'node:assert/strict';
import { DatabaseSync } from 'node:sqlite';
import { afterEach, test } from 'node:test';
import pg from 'pg';
import { DBOS, type DBOSConfig } from '../../src/index.ts';
import { forEachBackend } from '../helpers/backends.ts';
import { crashAndRelaunch } from '../helpers/lifecycle.ts';
import { rawRows } from '../helpers/raw-rows.ts';

/** Make the executor's last heartbeat ancient, as after a crash long ago; the row is created if shutdown removed it. */
async function makeHeartbeatStale(config: DBOSConfig, executorID: string): Promise<void> {
  const url = config.systemDatabaseUrl ?? '';
  const update = (table: string) => `UPDATE ${table} SET heartbeat_at = 1 WHERE executor_id = '${executorID}'`;
  if (!/^postgres(ql)?:/i.test(url)) {
    const database = new DatabaseSync(url);
    try {
      database.exec(update('durably_executors'));
    } finally {
      database.close();
    }
    return;
  }
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    await client.query(update(`"${config.systemDatabaseSchemaName ?? 'dbos'}".durably_executors`));
  } finally {
    await client.end();
  }
}

const executorID = 'relaunched-executor';
let current: DBOSConfig = {};
let firstRun = true;
let hold: () => void = () => undefined;
const heartbeatSeen = DBOS.registerWorkflow(
  async () => {
    if (firstRun) await new Promise<void>((resolve) => (hold = resolve)); // interrupted here by the shutdown: PENDING
    const rows = await rawRows(current, 'durably_executors', 'executor_id = ?', [executorID]);
    return Number(rows[0]?.heartbeat_at ?? 0);
  },
  { name: 'heartbeatSeenAtRecovery' },
);

forEachBackend('executor liveness at launch', (backend) => {
  afterEach(() => DBOS.shutdown());

  test('a relaunched executor beats before it resumes its workflows', { timeout: 60_000 }, async () => {
    const config = backend.freshConfig({ executorID, heartbeatIntervalMs: 60_000, executorTimeoutMs: 120_000 });
    current = config;
    firstRun = true;
    DBOS.setConfig(config);
    await DBOS.launch();
    const handle = await DBOS.startWorkflow(heartbeatSeen)();
    await makeHeartbeatStale(config, executorID);
    firstRun = false;
    const relaunchedAt = Date.now();
    await crashAndRelaunch(config);
    hold();
    const seen = await DBOS.retrieveWorkflow<number>(handle.workflowID).getResult();
    assert.ok(seen >= relaunchedAt, `the recovered workflow saw heartbeat_at ${seen}, from before the relaunch at ${relaunchedAt}`);
  });
});
