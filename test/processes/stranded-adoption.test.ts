/**
 * The deploy hand-off with real processes (fixtures/stranded-worker.ts): a
 * v1 process is SIGKILLed mid-workflow and never comes back; a process of a
 * newer build with adoptCompatibleWorkflows: true launches on the same system
 * database. When the workflow's history replays against the new code (same
 * steps, or a DBOS.patch branch), it adopts it and finishes it from the last
 * recorded step; when it does not (a renamed step), it leaves it stranded and
 * says why. Each build has its own executorID and application version.
 */
import assert from 'node:assert/strict';
import { afterEach, test } from 'node:test';
import { join } from 'node:path';
import type { DBOSConfig } from '../../src/index.ts';
import { forEachBackend } from '../helpers/backends.ts';
import { countByRole, freshLogPath, killAllChildren, readExecutions, removeLog, startChild, type TestChild } from './child-process.ts';

const workerPath = join(import.meta.dirname, 'fixtures', 'stranded-worker.ts');
const testTimeout = { timeout: 60_000 };

type Build = 'v1' | 'v2' | 'v2-renamed' | 'v2-patched';

interface StrandedReport {
  result: { ok: boolean; value?: { finishedBy: Build; steps: string[] }; error?: unknown } | { refused: true };
  status: { status: string; applicationVersion: string; executorId: string } | null;
  stranded: [string, string][];
  refusals: string[];
  steps: [number, string, unknown][];
}

function startWorker(build: Build, command: 'start' | 'adopt' | 'refuse', workflowID: string, options: { config: DBOSConfig; log: string; blockAt?: string }): TestChild {
  const env: Record<string, string> = options.blockAt ? { DURABLY_TEST_BLOCK_AT: options.blockAt } : {};
  return startChild(build, [command, workflowID], { role: build, config: options.config, log: options.log, env, script: workerPath });
}

/** v1 starts the workflow and is SIGKILLed where it stops (outside any step). */
async function strandUnderV1(workflowID: string, config: DBOSConfig, log: string, blockAt: 'after-step1' | 'after-step2'): Promise<void> {
  const v1 = startWorker('v1', 'start', workflowID, { config, log, blockAt });
  await v1.waitForLine(`MARK blocked:${blockAt}`);
  const killed = await v1.kill();
  assert.equal(killed.signal, 'SIGKILL', v1.describe());
}

forEachBackend('stranded workflows adopted across a deploy', (backend) => {
  let log = '';
  afterEach(async () => {
    await killAllChildren();
    removeLog(log);
  });

  test('v1 killed mid-workflow; v2 with the same steps adopts it and finishes it from the last recorded step', testTimeout, async () => {
    const config = backend.freshConfig();
    log = freshLogPath();
    const id = 'adopt-compatible';
    await strandUnderV1(id, config, log, 'after-step1');

    const v2 = startWorker('v2', 'adopt', id, { config, log });
    const report = await v2.result<StrandedReport>();

    assert.deepEqual(report.result, { ok: true, value: { finishedBy: 'v2', steps: [`step1:${id}@v1`, `step2:${id}@v2`, `finish:${id}@v2`] } }, v2.describe());
    assert.deepEqual(report.status, { status: 'SUCCESS', applicationVersion: 'v2', executorId: 'executor-v2' });
    assert.deepEqual(report.stranded, []);
    const executions = readExecutions(log);
    assert.deepEqual(countByRole(executions, 'step1'), { v1: 1 }, 'step1 was recorded by v1 and replayed, not run again');
    assert.deepEqual(countByRole(executions, 'step2'), { v2: 1 });
    assert.deepEqual(countByRole(executions, 'finish'), { v2: 1 });
    assert.ok(v2.lines.some((line) => line.startsWith('LOG info Adopted stranded workflow adopt-compatible')), v2.describe());
  });

  test('v2 with a renamed step refuses it, says why, and it stays stranded under v1', testTimeout, async () => {
    const config = backend.freshConfig();
    log = freshLogPath();
    const id = 'adopt-renamed';
    await strandUnderV1(id, config, log, 'after-step1');

    const v2 = startWorker('v2-renamed', 'refuse', id, { config, log });
    const report = await v2.result<StrandedReport>();

    assert.equal(report.refusals.length, 1, v2.describe());
    assert.match(report.refusals[0]!, /Workflow adopt-renamed \(stranded\.order\) is stranded under application version v1/);
    assert.match(report.refusals[0]!, /Operation #0: the code calls "stranded\.firstStep", the history recorded "stranded\.step1"/);
    assert.deepEqual(report.stranded, [[id, 'v1']]);
    assert.equal(report.status?.applicationVersion, 'v1');
    assert.ok(['PENDING', 'ENQUEUED'].includes(report.status!.status), JSON.stringify(report.status));
    const executions = readExecutions(log);
    assert.deepEqual(countByRole(executions, 'step1'), { v1: 1 });
    assert.deepEqual(countByRole(executions, 'step2'), {}, 'nothing of the refused workflow ran under v2');
  });

  test('patched code adopts a v1 workflow past the branch point: patch is false and the old branch replays', testTimeout, async () => {
    const config = backend.freshConfig();
    log = freshLogPath();
    const id = 'adopt-patched-past';
    await strandUnderV1(id, config, log, 'after-step2');

    const v2 = startWorker('v2-patched', 'adopt', id, { config, log });
    const report = await v2.result<StrandedReport>();

    assert.deepEqual(report.result, { ok: true, value: { finishedBy: 'v2-patched', steps: [`step1:${id}@v1`, `step2:${id}@v1`, `finish:${id}@v2-patched`] } }, v2.describe());
    assert.deepEqual(report.status?.applicationVersion, 'PATCHING_ENABLED');
    const executions = readExecutions(log);
    assert.deepEqual(countByRole(executions, 'patch:false'), { 'v2-patched': 2 }, 'false in the verifying replay and in the execution');
    assert.deepEqual(countByRole(executions, 'stepNew'), {});
    assert.deepEqual(countByRole(executions, 'finish'), { 'v2-patched': 1 });
    assert.deepEqual(report.steps.map(([functionID, name]) => [functionID, name]), [[0, 'stranded.step1'], [1, 'stranded.step2'], [2, 'stranded.finish']]);
  });

  test('patched code adopts a v1 workflow killed before the branch point: it takes the new branch', testTimeout, async () => {
    const config = backend.freshConfig();
    log = freshLogPath();
    const id = 'adopt-patched-before';
    await strandUnderV1(id, config, log, 'after-step1');

    const v2 = startWorker('v2-patched', 'adopt', id, { config, log });
    const report = await v2.result<StrandedReport>();

    assert.deepEqual(report.result, { ok: true, value: { finishedBy: 'v2-patched', steps: [`step1:${id}@v1`, `stepNew:${id}@v2-patched`, `finish:${id}@v2-patched`] } }, v2.describe());
    const executions = readExecutions(log);
    assert.deepEqual(countByRole(executions, 'patch:true'), { 'v2-patched': 1 });
    assert.deepEqual(countByRole(executions, 'step2'), {});
    assert.deepEqual(report.steps.map(([functionID, name]) => [functionID, name]), [
      [0, 'stranded.step1'], [1, 'DBOS.patch-v2'], [2, 'stranded.stepNew'], [3, 'stranded.finish'],
    ]);
  });
});
