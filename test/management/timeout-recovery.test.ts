/**
 * A timeout survives a crash: a child process starts a workflow with a
 * timeout and is SIGKILLed; a new process recovers it with the recorded
 * deadline (unchanged), and once past it the workflow is CANCELLED without
 * running later steps, whether the recovery came before the deadline or
 * after it.
 */
import assert from 'node:assert/strict';
import { afterEach, test } from 'node:test';
import { forEachBackend } from '../helpers/backends.ts';
import { freshLogPath, killAllChildren, removeLog } from '../processes/child-process.ts';
import {
  assertContiguous,
  logOnceQuiet,
  pause,
  reportOf,
  startControlChild,
  startedStatusOf,
} from '../processes/fixtures/control-harness.ts';
import { stepsOf, type ControlExecution } from '../processes/fixtures/control-workflows.ts';

const testTimeout = { timeout: 90_000 };
/** Room for a noisy machine between a deadline and the last step that may start before it is noticed. */
const slackMs = 3000;
const cancelled = ['DBOSWorkflowCancelledError', 'DBOSAwaitedWorkflowCancelledError'];

function byRole(executions: readonly ControlExecution[], role: string): ControlExecution[] {
  return executions.filter((e) => e.role === role);
}

forEachBackend('a workflow timeout across a crash', (backend) => {
  let log = '';
  afterEach(async () => {
    await killAllChildren();
    removeLog(log);
  });

  test('recovered before its deadline: runs on, then is cancelled at the recorded deadline', testTimeout, async () => {
    const config = backend.freshConfig();
    log = freshLogPath();
    const workflowID = 'tr-before';
    const first = startControlChild('start', ['loop', workflowID, JSON.stringify(['tr', 1000, 100]), '10000'], {
      role: 'first', config, log,
    });
    const started = await startedStatusOf(first);
    const deadline = started?.deadlineEpochMS;
    assert.ok(deadline !== undefined, first.describe());
    assert.equal(started?.timeoutMS, 10_000);
    await first.waitForLine('MARK tr:step-2');
    assert.equal((await first.kill()).signal, 'SIGKILL');

    const recovering = startControlChild('recover', [workflowID], { role: 'recover', config, log });
    const launchedAt = Number(await recovering.waitForLine('MARK launched'));
    assert.ok(launchedAt < deadline, `the recovering process launched ${launchedAt - deadline} ms after the deadline`);
    const report = await reportOf(recovering);
    assert.ok(report.outcome?.ok === false && cancelled.includes(report.outcome.error.className), recovering.describe());
    assert.equal(report.status?.status, 'CANCELLED');
    assert.equal(report.status?.deadlineEpochMS, deadline, 'the recorded deadline did not move');
    assert.equal(report.status?.recoveryAttempts, 2);

    const executions = await logOnceQuiet(log);
    const firstSteps = stepsOf(byRole(executions, 'first'), 'tr');
    const recoveredSteps = stepsOf(byRole(executions, 'recover'), 'tr');
    assertContiguous(firstSteps, 'first process');
    assert.ok(recoveredSteps.length > 0, 'the recovered workflow ran on until its deadline');
    // It resumed at the first unrecorded step (the step cut short by the kill may run again).
    const resumedAt = recoveredSteps[0]!;
    assert.ok(resumedAt === firstSteps.length || resumedAt === firstSteps.length - 1, `resumed at step ${resumedAt}`);
    assert.deepEqual(recoveredSteps, recoveredSteps.map((_, index) => resumedAt + index));
    assert.ok(resumedAt + recoveredSteps.length < 1000);
    const lastStart = Math.max(...byRole(executions, 'recover').map((e) => e.at));
    assert.ok(lastStart <= deadline + slackMs, `a step started ${lastStart - deadline} ms after the deadline`);
  });

  /** Start with a 2 s timeout, kill after two steps, recover once past the deadline: nothing may run. */
  async function recoverAfterDeadline(workflowID: string, pauseMs: number): Promise<void> {
    const config = backend.freshConfig();
    log = freshLogPath();
    const first = startControlChild('start', ['loop', workflowID, JSON.stringify(['tr', 100_000, pauseMs]), '2000'], {
      role: 'first', config, log,
    });
    const deadline = (await startedStatusOf(first))?.deadlineEpochMS;
    assert.ok(deadline !== undefined, first.describe());
    await first.waitForLine('MARK tr:step-1');
    await first.kill();
    const firstSteps = stepsOf(byRole(await logOnceQuiet(log, 0), 'first'), 'tr');
    while (Date.now() <= deadline + 200) await pause(50);

    const recovering = startControlChild('recover', [workflowID], { role: 'recover', config, log });
    const report = await reportOf(recovering);
    assert.ok(report.outcome?.ok === false && cancelled.includes(report.outcome.error.className), recovering.describe());
    assert.equal(report.status?.status, 'CANCELLED');
    assert.equal(report.status?.deadlineEpochMS, deadline, 'the recorded deadline did not move');

    const executions = await logOnceQuiet(log);
    assertContiguous(firstSteps, 'first process');
    assert.deepEqual(stepsOf(byRole(executions, 'recover'), 'tr'), [], 'no step ran after the deadline');
  }

  test('recovered after its deadline: cancelled without running another step', testTimeout, async () => {
    await recoverAfterDeadline('tr-after', 100);
  });

  // BUG (Postgres): the deadline is only enforced once the timer's cancel UPDATE has returned
  // (src/engine/run-workflow.ts armDeadline); until then the recovered body replays its recorded
  // steps and runs new ones, although its deadline passed before the process even launched.
  test('recovered after its deadline, with no pause between steps: no step runs either', testTimeout, async () => {
    await recoverAfterDeadline('tr-after-tight', 0);
  });
});
