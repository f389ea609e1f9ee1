/**
 * A relaunch under another application version leaves the previous version's
 * PENDING workflows unrecovered: launch says so in one warning line naming the
 * versions and counts, unless another live executor runs that version. The
 * count runs in the background (launch does not wait for it) and is done by
 * the time shutdown closes the system database.
 */
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { afterEach, test } from 'node:test';
import { DBOS, type DBOSConfig } from '../../src/index.ts';
import { resolveConfig } from '../../src/runtime/resolve-config.ts';
import { deferred } from '../../src/support/deferred.ts';
import { forEachBackend } from '../helpers/backends.ts';
import { capturingLogger, eventually, rawQuery, type CapturingLogger } from '../helpers/system-database-targets.ts';

let gate = deferred<void>();
const blocked = DBOS.registerWorkflow(
  async () => {
    await gate.promise;
    return 'done';
  },
  { name: 'version-warning.blocked' },
);

/** The stranded-version warnings logged by the launch's check, which shutdown waits for. */
async function strandedWarningsAfterShutdown(logger: CapturingLogger): Promise<string[]> {
  await DBOS.shutdown();
  return strandedWarnings(logger);
}

function strandedWarnings(logger: CapturingLogger): string[] {
  return logger.lines.filter((line) => line.level === 'warn' && /will not recover them/.test(line.message)).map((l) => l.message);
}

/** Leave two PENDING workflows of version v1 behind (a shutdown under running workflows). */
async function leavePendingUnder(config: DBOSConfig): Promise<void> {
  DBOS.setConfig({ ...config, applicationVersion: 'v1' });
  await DBOS.launch();
  await DBOS.startWorkflow(blocked, { workflowID: `vw-${randomUUID()}` })();
  await DBOS.startWorkflow(blocked, { workflowID: `vw-${randomUUID()}` })();
  await DBOS.shutdown();
}

forEachBackend('stranded application versions', (backend) => {
  afterEach(async () => {
    gate.resolve();
    await DBOS.shutdown();
    gate = deferred<void>();
  });

  test('a relaunch under another version warns once, naming versions, counts and the remedy', async () => {
    const config = backend.freshConfig();
    await leavePendingUnder(config);
    const logger = capturingLogger();
    DBOS.setConfig({ ...config, applicationVersion: 'v2', logger });
    await DBOS.launch();
    await eventually('the stranded-version warning', () => strandedWarnings(logger).length > 0);
    const warnings = await strandedWarningsAfterShutdown(logger);
    assert.equal(warnings.length, 1, JSON.stringify(logger.lines));
    assert.match(warnings[0]!, /^2 PENDING workflow\(s\) of executor "local" belong to other application versions — v1 \(2\) —/);
    assert.match(warnings[0]!, /this launch \(version v2\)/);
    assert.match(warnings[0]!, /set applicationVersion/);
  });

  test('the issue: a registration between shutdown and relaunch changes the default version, and launch says so', async () => {
    const config = backend.freshConfig();
    DBOS.setConfig(config);
    await DBOS.launch();
    const before = DBOS.applicationVersion;
    await DBOS.startWorkflow(blocked, { workflowID: `vw-${randomUUID()}` })();
    await DBOS.shutdown();
    DBOS.registerWorkflow(async () => 'late', { name: `version-warning.late-${backend.name}` });
    const logger = capturingLogger();
    DBOS.setConfig({ ...config, logger });
    await DBOS.launch();
    assert.notEqual(DBOS.applicationVersion, before);
    const warnings = await strandedWarningsAfterShutdown(logger);
    assert.equal(warnings.length, 1);
    assert.ok(warnings[0]!.includes(`${before} (1)`), warnings[0]);
  });

  test('no warning under the same version (the workflows are recovered)', async () => {
    const config = backend.freshConfig();
    await leavePendingUnder(config);
    const logger = capturingLogger();
    DBOS.setConfig({ ...config, applicationVersion: 'v1', logger });
    await DBOS.launch();
    assert.deepEqual(await strandedWarningsAfterShutdown(logger), []);
  });

  test('no warning while another live executor runs that version', async () => {
    const config = backend.freshConfig();
    await leavePendingUnder(config);
    const target = resolveConfig(config).target;
    await rawQuery(
      target,
      'INSERT INTO durably_executors (executor_id, application_version, heartbeat_at, started_at) VALUES ($1, $2, $3, $3)',
      ['other-process', 'v1', Date.now()],
    );
    const logger = capturingLogger();
    DBOS.setConfig({ ...config, applicationVersion: 'v2', logger });
    await DBOS.launch();
    assert.deepEqual(await strandedWarningsAfterShutdown(logger), []);
  });
});
