/**
 * Application versions: every launch registers its version; the list is
 * latest first (the most recently registered or promoted), getLatest is its
 * head, setLatestApplicationVersion promotes a registered version and refuses
 * an unknown one, and a version launched again keeps its place. Recovery at
 * launch resumes only the PENDING workflows of the launching version, in
 * process (shutdown under a workflow) and across real processes (SIGKILL).
 */
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { afterEach, beforeEach, test } from 'node:test';
import { DBOS, DBOSApplicationVersionNotFoundError, type VersionInfo } from '../../src/index.ts';
import { forEachBackend } from '../helpers/backends.ts';
import { crashAndRelaunch, launch } from '../helpers/lifecycle.ts';
import { countByRole, freshLogPath, killAllChildren, readExecutions, removeLog } from '../processes/child-process.ts';
import { killAt, startPatchChild, stepNames, type PatchReport } from '../processes/fixtures/patch-harness.ts';

const testTimeout = { timeout: 60_000 };
const pause = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));
const versionNames = (versions: readonly VersionInfo[]) => versions.map((v) => v.versionName);
const byName = (versions: readonly VersionInfo[], name: string) => {
  const version = versions.find((v) => v.versionName === name);
  assert.ok(version, `no version ${name} in ${JSON.stringify(versions)}`);
  return version;
};

/** Body entries (replays included) and step executions, in order. */
const ran: string[] = [];
const count = (event: string) => ran.filter((e) => e === event).length;

/**
 * The gate that bodies wait at, outside any step. Each launch is a new epoch:
 * a body left behind by a shutdown waits forever, so only the current
 * launch's executions run steps.
 */
let epoch = 0;
let openGate: () => void = () => undefined;
let gate = Promise.resolve();
let entered: () => void = () => undefined;
function closeGate(): Promise<void> {
  gate = new Promise((resolve) => (openGate = resolve));
  return new Promise((resolve) => (entered = resolve));
}
async function atGate(enteredIn: number): Promise<void> {
  entered();
  await gate;
  if (enteredIn !== epoch) await new Promise<never>(() => undefined);
}

const step = DBOS.registerStep(async (name: string) => {
  ran.push(name);
  return name;
}, { name: 'versions.step' });

const gated = DBOS.registerWorkflow(async (label: string) => {
  const enteredIn = epoch;
  ran.push('body');
  const a = await step('a');
  await atGate(enteredIn);
  const b = await step('b');
  return `${label}:${a}${b}`;
}, { name: 'versions.gated' });

forEachBackend('application versions', (backend) => {
  beforeEach(() => {
    ran.length = 0;
  });
  afterEach(async () => {
    openGate();
    await DBOS.shutdown();
  });

  /** Shut down and launch again on the same database; a new epoch for the gate. */
  async function relaunch(config: Parameters<typeof crashAndRelaunch>[0]): Promise<void> {
    epoch++;
    await crashAndRelaunch(config);
  }

  test('a launch registers its version: the computed one by default', async () => {
    await launch(backend);
    const versions = await DBOS.listApplicationVersions();
    assert.deepEqual(versionNames(versions), [DBOS.applicationVersion]);
    const [only] = versions;
    assert.match(only!.versionId, /^[0-9a-f-]{36}$/);
    assert.equal(only!.applicationName, 'durably-test');
    assert.equal(only!.versionTimestamp, only!.createdAt);
    assert.deepEqual(await DBOS.getLatestApplicationVersion(), only);
  });

  test('v1 then v2: both listed latest first; promoting v1 makes it latest; relaunching a known version does not reorder', async () => {
    const config = await launch(backend, { applicationVersion: 'v1' });
    assert.deepEqual(versionNames(await DBOS.listApplicationVersions()), ['v1']);
    await pause(5);
    await relaunch({ ...config, applicationVersion: 'v2' });

    const listed = await DBOS.listApplicationVersions();
    assert.deepEqual(versionNames(listed), ['v2', 'v1']);
    const [v2, v1] = listed as [VersionInfo, VersionInfo];
    assert.ok(v2.versionTimestamp > v1.versionTimestamp, JSON.stringify(listed));
    assert.ok(v2.createdAt > v1.createdAt, JSON.stringify(listed));
    assert.notEqual(v1.versionId, v2.versionId);
    assert.deepEqual([v1.applicationName, v2.applicationName], ['durably-test', 'durably-test']);
    assert.deepEqual(await DBOS.getLatestApplicationVersion(), v2);

    // Promotion: v1 becomes latest, keeping its ID and creation time.
    await DBOS.setLatestApplicationVersion('v1');
    const promoted = await DBOS.listApplicationVersions();
    assert.deepEqual(versionNames(promoted), ['v1', 'v2']);
    const v1Promoted = byName(promoted, 'v1');
    assert.equal((await DBOS.getLatestApplicationVersion()).versionName, 'v1');
    assert.ok(v1Promoted.versionTimestamp > byName(promoted, 'v2').versionTimestamp, JSON.stringify(promoted));
    assert.deepEqual([v1Promoted.versionId, v1Promoted.createdAt], [v1.versionId, v1.createdAt]);
    assert.deepEqual(byName(promoted, 'v2'), v2);

    // Promoting the latest again keeps it latest.
    await DBOS.setLatestApplicationVersion('v1');
    assert.deepEqual(versionNames(await DBOS.listApplicationVersions()), ['v1', 'v2']);

    // Relaunching v2 (registered before) does not move it back to the top.
    await pause(5);
    await relaunch({ ...config, applicationVersion: 'v2' });
    const afterRelaunch = await DBOS.listApplicationVersions();
    assert.deepEqual(versionNames(afterRelaunch), ['v1', 'v2']);
    assert.deepEqual(byName(afterRelaunch, 'v2'), v2);
    assert.equal((await DBOS.getLatestApplicationVersion()).versionName, 'v1');

    // Promote v2 back, then relaunch v1: still v2 on top.
    await DBOS.setLatestApplicationVersion('v2');
    await pause(5);
    await relaunch({ ...config, applicationVersion: 'v1' });
    assert.deepEqual(versionNames(await DBOS.listApplicationVersions()), ['v2', 'v1']);
    assert.equal((await DBOS.getLatestApplicationVersion()).versionName, 'v2');
  });

  test('promoting an unknown version fails with APPLICATION_VERSION_NOT_FOUND and changes nothing', async () => {
    const config = await launch(backend, { applicationVersion: 'v1' });
    await pause(5);
    await relaunch({ ...config, applicationVersion: 'v2' });
    const before = await DBOS.listApplicationVersions();
    await assert.rejects(DBOS.setLatestApplicationVersion('v3'), (error: unknown) => {
      assert.ok(error instanceof DBOSApplicationVersionNotFoundError, String(error));
      assert.equal(error.code, 'APPLICATION_VERSION_NOT_FOUND');
      assert.equal(error.versionName, 'v3');
      assert.match(error.message, /"v3"/);
      return true;
    });
    assert.deepEqual(await DBOS.listApplicationVersions(), before);
    assert.equal((await DBOS.getLatestApplicationVersion()).versionName, 'v2');
  });

  test('another application on the same database lists only its own versions', async () => {
    const config = await launch(backend, { applicationVersion: 'v1' });
    await pause(5);
    await relaunch({ ...config, name: 'other-app', applicationVersion: 'other-1' });
    const versions = await DBOS.listApplicationVersions();
    assert.deepEqual(versionNames(versions), ['other-1']);
    assert.equal(versions[0]!.applicationName, 'other-app');

    await relaunch({ ...config, applicationVersion: 'v2' });
    assert.deepEqual(versionNames(await DBOS.listApplicationVersions()), ['v2', 'v1']);
  });

  test('a PENDING workflow of v1 is not recovered by a v2 launch, and is by a later v1 launch', async () => {
    const config = await launch(backend, { applicationVersion: 'v1' });
    const workflowID = `versioned-${randomUUID()}`;
    const atGateNow = closeGate();
    await DBOS.startWorkflow(gated, { workflowID })('order');
    await atGateNow;
    assert.deepEqual(ran, ['body', 'a']);

    // v2 launches under the same executor ID: the v1 workflow is left alone.
    await relaunch({ ...config, applicationVersion: 'v2' });
    openGate();
    const untouched = await DBOS.getWorkflowStatus(workflowID);
    assert.deepEqual(
      [untouched?.status, untouched?.recoveryAttempts, untouched?.applicationVersion, untouched?.executorId],
      ['PENDING', 1, 'v1', 'local'],
    );
    assert.equal(count('body'), 1);

    // A process of v1 resumes it from its last recorded step.
    await relaunch({ ...config, applicationVersion: 'v1' });
    assert.equal(await DBOS.retrieveWorkflow(workflowID).getResult(), 'order:ab');
    assert.deepEqual(ran, ['body', 'a', 'body', 'b']);
    const finished = await DBOS.getWorkflowStatus(workflowID);
    assert.deepEqual([finished?.status, finished?.recoveryAttempts, finished?.applicationVersion], ['SUCCESS', 2, 'v1']);
    // The v1 relaunch did not reorder the versions.
    assert.deepEqual(versionNames(await DBOS.listApplicationVersions()), ['v2', 'v1']);
  });
});

forEachBackend('application versions across processes', (backend) => {
  let log = '';
  afterEach(async () => {
    await killAllChildren();
    removeLog(log);
  });

  test('a workflow of a SIGKILLed v1 process is left PENDING by a v2 process and finished by the next v1 process', testTimeout, async () => {
    const config = backend.freshConfig({ enablePatching: true, executorID: 'versions-executor', applicationVersion: 'v1' });
    log = freshLogPath();
    const workflowID = 'versions-killed-v1';

    await killAt(startPatchChild('old', 'start', workflowID, { role: 'v1-first', config, log, blockAt: 'after-branch' }), 'after-branch');

    // Same executor, same code, version v2: launching recovers nothing of v1.
    const v2Config = { ...config, applicationVersion: 'v2' };
    const v2 = await startPatchChild('old', 'status', workflowID, { role: 'v2', config: v2Config, log }).result<PatchReport>();
    assert.deepEqual(v2.status, { status: 'PENDING', recoveryAttempts: 1, executorId: 'versions-executor', applicationVersion: 'v1' });
    assert.deepEqual([v2.applicationVersion, v2.versions], ['v2', ['v2', 'v1']]);
    assert.deepEqual(stepNames(v2.steps), [[0, 'patch.step1'], [1, 'patch.stepOld']]);

    const v1 = startPatchChild('old', 'recover', workflowID, { role: 'v1-again', config, log });
    const report = await v1.result<PatchReport>();
    assert.deepEqual(report.result, {
      ok: true,
      value: { finishedBy: 'old', steps: [`step1:${workflowID}@old`, `stepOld:${workflowID}@old`, `finish:${workflowID}@old`] },
    }, v1.describe());
    assert.deepEqual(report.status, { status: 'SUCCESS', recoveryAttempts: 2, executorId: 'versions-executor', applicationVersion: 'v1' });
    // Relaunching v1 did not make it latest again.
    assert.deepEqual(report.versions, ['v2', 'v1']);
    const executions = readExecutions(log);
    assert.deepEqual(countByRole(executions, 'step1'), { 'v1-first': 1 });
    assert.deepEqual(countByRole(executions, 'stepOld'), { 'v1-first': 1 });
    assert.deepEqual(countByRole(executions, 'finish'), { 'v1-again': 1 });
  });
});
