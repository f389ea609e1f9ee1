/**
 * `durably workflow list --stranded`: the PENDING and ENQUEUED workflows whose
 * application version no live process runs, with the version each one needs;
 * `--executor-timeout` says how long a silent process counts as alive (the
 * CLI cannot read the application's executorTimeoutMs).
 */
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { DBOS, type DBOSConfig } from '../../src/index.ts';
import { resolveConfig } from '../../src/runtime/resolve-config.ts';
import { deferred } from '../../src/support/deferred.ts';
import { forEachBackend } from '../helpers/backends.ts';
import { rawQuery } from '../helpers/system-database-targets.ts';
import { cliJson, cliOk, databaseArgs } from './run-cli-process.ts';

let gate = deferred<void>();
const blocked = DBOS.registerWorkflow(
  async () => {
    await gate.promise;
    return 'done';
  },
  { name: 'cli-stranded.blocked' },
);

forEachBackend('durably workflow list --stranded', (backend) => {
  let config: DBOSConfig;

  before(async () => {
    gate = deferred<void>(); // one per suite: the previous suite released its own
    config = backend.freshConfig();
    DBOS.setConfig({ ...config, applicationVersion: 'v1' });
    await DBOS.launch();
    await DBOS.startWorkflow(blocked, { workflowID: `p1-${backend.name}` })();
    await DBOS.shutdown(); // p1 stays PENDING under v1
    DBOS.setConfig({ ...config, applicationVersion: 'v2' });
    await DBOS.launch(); // the executor's heartbeat now says v2: no live process runs v1
    await DBOS.startWorkflow(blocked, { workflowID: `p2-${backend.name}` })();
  });
  after(async () => {
    gate.resolve();
    await DBOS.shutdown();
  });

  test('lists the stranded workflows with the version each needs, and says what to do', async () => {
    const db = databaseArgs(config);
    const table = await cliOk(['workflow', 'list', '--stranded', ...db]);
    const lines = table.trimEnd().split('\n').filter((line) => line !== '');
    assert.match(lines[0]!, /^WORKFLOW ID\s+STATUS\s+NAME\s+QUEUE\s+CREATED\s+APP VERSION$/);
    assert.match(lines[1]!, new RegExp(`^p1-${backend.name}\\s+PENDING\\s+cli-stranded\\.blocked\\s+.*\\sv1$`));
    assert.equal(lines.length, 3, table);
    assert.match(lines[2]!, /^Stranded: no live process runs the APP VERSION each one needs/);
    const listed = await cliJson<{ workflowID: string; applicationVersion: string }[]>(['workflow', 'list', '--stranded', ...db]);
    assert.deepEqual(listed.map((w) => [w.workflowID, w.applicationVersion]), [[`p1-${backend.name}`, 'v1']]);
  });

  test('--executor-timeout: a v1 process silent for 30 s is alive by default (60 s), dead with a 20 s timeout (v2 beats every 10 s)', async () => {
    const db = databaseArgs(config);
    await rawQuery(resolveConfig(config).target, 'INSERT INTO durably_executors (executor_id, application_version, heartbeat_at, started_at) VALUES ($1, $2, $3, $3)', [
      'quiet-v1',
      'v1',
      Date.now() - 30_000,
    ]);
    assert.match(await cliOk(['workflow', 'list', '--stranded', ...db]), /^\(no stranded workflows\)$/m);
    const listed = await cliJson<{ workflowID: string }[]>(['workflow', 'list', '--stranded', '--executor-timeout', '20000', ...db]);
    assert.deepEqual(listed.map((w) => w.workflowID), [`p1-${backend.name}`]);
  });
});
