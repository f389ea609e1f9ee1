/**
 * Patching with real processes: a workflow started by one build of the
 * application (fixtures/patch-worker.ts old | new | deprecated, one workflow
 * name, different bodies) is SIGKILLed, and a process running another build
 * launches on the same system database with the same executorID and
 * recovers it. Every build has enablePatching: true, so all share the
 * application version PATCHING_ENABLED. What ran where comes from the log
 * the steps (and the answers of patch/deprecatePatch) append to; what was
 * replayed shows in the recorded outputs, which name the build that ran them.
 */
import assert from 'node:assert/strict';
import { afterEach, test } from 'node:test';
import { forEachBackend } from '../helpers/backends.ts';
import { countByRole, freshLogPath, killAllChildren, readExecutions, removeLog } from './child-process.ts';
import { killAt, startPatchChild, stepNames, type PatchReport } from './fixtures/patch-harness.ts';

const testTimeout = { timeout: 60_000 };
const executorID = 'patch-executor';

forEachBackend('patching across processes', (backend) => {
  let log = '';
  afterEach(async () => {
    await killAllChildren();
    removeLog(log);
  });

  const freshConfig = () => backend.freshConfig({ enablePatching: true, executorID });

  test('patching with a workflow started by old code and finished by new code: past the branch point, it keeps the old branch', testTimeout, async () => {
    const config = freshConfig();
    log = freshLogPath();
    const workflowID = 'patch-old-then-new';

    // The old build: step1, stepOld, then killed before its last step.
    const old = startPatchChild('old', 'start', workflowID, { role: 'old', config, log, blockAt: 'after-branch' });
    await killAt(old, 'after-branch');
    assert.deepEqual(countByRole(readExecutions(log), 'stepOld'), { old: 1 }, 'the old build was killed too early');

    // The new build recovers it: patch is false (stepOld is recorded where the marker would go), so the old branch replays.
    const recovering = startPatchChild('new', 'recover', workflowID, { role: 'new', config, log });
    const report = await recovering.result<PatchReport>();

    assert.deepEqual(report.result, {
      ok: true,
      value: { finishedBy: 'new', steps: [`step1:${workflowID}@old`, `stepOld:${workflowID}@old`, `finish:${workflowID}@new`] },
    }, recovering.describe());
    const executions = readExecutions(log);
    assert.deepEqual(countByRole(executions, 'step1'), { old: 1 });
    assert.deepEqual(countByRole(executions, 'stepOld'), { old: 1 });
    assert.deepEqual(countByRole(executions, 'patch:false'), { new: 1 });
    assert.deepEqual(countByRole(executions, 'patch:true'), {});
    assert.deepEqual(countByRole(executions, 'stepNew'), {});
    assert.deepEqual(countByRole(executions, 'finish'), { new: 1 });
    assert.deepEqual(report.status, {
      status: 'SUCCESS',
      recoveryAttempts: 2,
      executorId: executorID,
      applicationVersion: 'PATCHING_ENABLED',
    });
    assert.equal(report.applicationVersion, 'PATCHING_ENABLED');
    assert.deepEqual(report.versions, ['PATCHING_ENABLED']);
    // No marker: patch() returning false consumed no function ID.
    assert.deepEqual(report.steps, [
      [0, 'patch.step1', `step1:${workflowID}@old`],
      [1, 'patch.stepOld', `stepOld:${workflowID}@old`],
      [2, 'patch.finish', `finish:${workflowID}@new`],
    ]);
  });

  test('a workflow the old code started but was killed before the branch point takes the new branch under new code', testTimeout, async () => {
    const config = freshConfig();
    log = freshLogPath();
    const workflowID = 'patch-old-before-branch';

    const old = startPatchChild('old', 'start', workflowID, { role: 'old', config, log, blockAt: 'after-step1' });
    await killAt(old, 'after-step1');
    assert.deepEqual(countByRole(readExecutions(log), 'stepOld'), {}, 'the old build was killed too late');

    const recovering = startPatchChild('new', 'recover', workflowID, { role: 'new', config, log });
    const report = await recovering.result<PatchReport>();

    assert.deepEqual(report.result, {
      ok: true,
      value: { finishedBy: 'new', steps: [`step1:${workflowID}@old`, `stepNew:${workflowID}@new`, `finish:${workflowID}@new`] },
    }, recovering.describe());
    const executions = readExecutions(log);
    assert.deepEqual(countByRole(executions, 'step1'), { old: 1 });
    assert.deepEqual(countByRole(executions, 'patch:true'), { new: 1 });
    assert.deepEqual(countByRole(executions, 'stepNew'), { new: 1 });
    assert.deepEqual(countByRole(executions, 'stepOld'), {});
    assert.deepEqual(countByRole(executions, 'finish'), { new: 1 });
    assert.deepEqual([report.status?.status, report.status?.recoveryAttempts], ['SUCCESS', 2]);
    assert.deepEqual(report.steps, [
      [0, 'patch.step1', `step1:${workflowID}@old`],
      [1, 'DBOS.patch-v2', true],
      [2, 'patch.stepNew', `stepNew:${workflowID}@new`],
      [3, 'patch.finish', `finish:${workflowID}@new`],
    ]);
  });

  test('old code past the branch, recovered twice by new code: patch stays false in every later recovery', testTimeout, async () => {
    const config = freshConfig();
    log = freshLogPath();
    const workflowID = 'patch-old-new-new';

    await killAt(startPatchChild('old', 'start', workflowID, { role: 'old', config, log, blockAt: 'after-branch' }), 'after-branch');
    // The first new process replays the old branch and is killed past it, before its last step.
    await killAt(startPatchChild('new', 'recover', workflowID, { role: 'new-1', config, log, blockAt: 'after-branch' }), 'after-branch');

    const recovering = startPatchChild('new', 'recover', workflowID, { role: 'new-2', config, log });
    const report = await recovering.result<PatchReport>();

    assert.deepEqual(report.result, {
      ok: true,
      value: { finishedBy: 'new', steps: [`step1:${workflowID}@old`, `stepOld:${workflowID}@old`, `finish:${workflowID}@new`] },
    }, recovering.describe());
    const executions = readExecutions(log);
    assert.deepEqual(countByRole(executions, 'step1'), { old: 1 });
    assert.deepEqual(countByRole(executions, 'stepOld'), { old: 1 });
    assert.deepEqual(countByRole(executions, 'patch:false'), { 'new-1': 1, 'new-2': 1 });
    assert.deepEqual(countByRole(executions, 'stepNew'), {});
    assert.deepEqual(countByRole(executions, 'finish'), { 'new-2': 1 });
    assert.deepEqual([report.status?.status, report.status?.recoveryAttempts], ['SUCCESS', 3]);
    assert.deepEqual(stepNames(report.steps), [[0, 'patch.step1'], [1, 'patch.stepOld'], [2, 'patch.finish']]);
  });

  test('a workflow started by new code (marker recorded) and finished by deprecated code: the marker is consumed, no non-determinism', testTimeout, async () => {
    const config = freshConfig();
    log = freshLogPath();
    const workflowID = 'patch-new-then-deprecated';

    const started = startPatchChild('new', 'start', workflowID, { role: 'new', config, log, blockAt: 'after-branch' });
    await killAt(started, 'after-branch');
    assert.deepEqual(countByRole(readExecutions(log), 'stepNew'), { new: 1 }, 'the new build was killed too early');

    const recovering = startPatchChild('deprecated', 'recover', workflowID, { role: 'deprecated', config, log });
    const report = await recovering.result<PatchReport>();

    assert.deepEqual(report.result, {
      ok: true,
      value: { finishedBy: 'deprecated', steps: [`step1:${workflowID}@new`, `stepNew:${workflowID}@new`, `finish:${workflowID}@deprecated`] },
    }, recovering.describe());
    const executions = readExecutions(log);
    assert.deepEqual(countByRole(executions, 'step1'), { new: 1 });
    assert.deepEqual(countByRole(executions, 'patch:true'), { new: 1 });
    assert.deepEqual(countByRole(executions, 'deprecatePatch:true'), { deprecated: 1 });
    assert.deepEqual(countByRole(executions, 'stepNew'), { new: 1 });
    assert.deepEqual(countByRole(executions, 'finish'), { deprecated: 1 });
    assert.deepEqual(report.status, {
      status: 'SUCCESS',
      recoveryAttempts: 2,
      executorId: executorID,
      applicationVersion: 'PATCHING_ENABLED',
    });
    // The marker written by the new build stays; the deprecated build wrote nothing of its own but its last step.
    assert.deepEqual(report.steps, [
      [0, 'patch.step1', `step1:${workflowID}@new`],
      [1, 'DBOS.patch-v2', true],
      [2, 'patch.stepNew', `stepNew:${workflowID}@new`],
      [3, 'patch.finish', `finish:${workflowID}@deprecated`],
    ]);
  });

  test('a workflow started by deprecated code records no marker, and a fresh one under new code records one', testTimeout, async () => {
    const config = freshConfig();
    log = freshLogPath();

    const deprecated = await startPatchChild('deprecated', 'start', 'patch-fresh-deprecated', { role: 'deprecated', config, log }).result<PatchReport>();
    const id1 = 'patch-fresh-deprecated';
    assert.deepEqual(deprecated.result, {
      ok: true,
      value: { finishedBy: 'deprecated', steps: [`step1:${id1}@deprecated`, `stepNew:${id1}@deprecated`, `finish:${id1}@deprecated`] },
    });
    assert.deepEqual(stepNames(deprecated.steps), [[0, 'patch.step1'], [1, 'patch.stepNew'], [2, 'patch.finish']]);

    const fresh = await startPatchChild('new', 'start', 'patch-fresh-new', { role: 'new', config, log }).result<PatchReport>();
    const id2 = 'patch-fresh-new';
    assert.deepEqual(fresh.result, {
      ok: true,
      value: { finishedBy: 'new', steps: [`step1:${id2}@new`, `stepNew:${id2}@new`, `finish:${id2}@new`] },
    });
    assert.deepEqual(stepNames(fresh.steps), [[0, 'patch.step1'], [1, 'DBOS.patch-v2'], [2, 'patch.stepNew'], [3, 'patch.finish']]);
    assert.deepEqual([deprecated.status?.applicationVersion, fresh.status?.applicationVersion, fresh.versions], ['PATCHING_ENABLED', 'PATCHING_ENABLED', ['PATCHING_ENABLED']]);
  });
});
