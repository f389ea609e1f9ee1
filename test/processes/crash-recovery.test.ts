/**
 * Crash recovery with real processes: a child starts a workflow and is
 * SIGKILLed in the middle of it; a second child only launches, which resumes
 * the PENDING workflow of executor `local` from its last recorded step. The
 * parent counts executions in a log the steps append to, so it sees what ran
 * in which process. Assertions are on counts, results and recorded data only.
 */
import assert from 'node:assert/strict';
import { afterEach, test } from 'node:test';
import { forEachBackend } from '../helpers/backends.ts';
import { countByRole, freshLogPath, killAllChildren, readExecutions, removeLog, startChild } from './child-process.ts';

const testTimeout = { timeout: 60_000 };

forEachBackend('crash recovery across processes', (backend) => {
  let log = '';
  afterEach(async () => {
    await killAllChildren();
    removeLog(log);
  });

  test('a workflow killed during step 2 resumes in a new process: step 1 once, step 2 again, step 3 once', testTimeout, async () => {
    const config = backend.freshConfig();
    log = freshLogPath();
    const workflowID = 'order-crash-1';

    const first = startChild('start-three-steps', [workflowID], {
      role: 'first', config, log, env: { DURABLY_TEST_BLOCK_STEP2: '1' },
    });
    await first.waitForLine('MARK step2');
    const killed = await first.kill();
    assert.equal(killed.signal, 'SIGKILL', first.describe());

    const recovering = startChild('recover', [workflowID], { role: 'recover', config, log });
    const report = await recovering.result();

    assert.deepEqual(report.result, {
      ok: true,
      value: { orderID: workflowID, steps: [`reserved:${workflowID}`, `charged:${workflowID}`, `shipped:${workflowID}`] },
    }, recovering.describe());
    const executions = readExecutions(log);
    assert.deepEqual(countByRole(executions, 'step1'), { first: 1 });
    assert.deepEqual(countByRole(executions, 'step2'), { first: 1, recover: 1 });
    assert.deepEqual(countByRole(executions, 'step3'), { recover: 1 });
    assert.deepEqual(report.status, {
      status: 'SUCCESS',
      recoveryAttempts: 2,
      executorId: 'local',
      applicationVersion: report.applicationVersion,
    });
    assert.deepEqual(
      report.steps.map((step: { functionID: number; functionName: string }) => [step.functionID, step.functionName]),
      [[0, 'reserve'], [1, 'charge'], [2, 'ship']],
    );
  });

  test('a workflow killed during a durable sleep is finished by the recovering process', testTimeout, async () => {
    const config = backend.freshConfig();
    log = freshLogPath();
    const workflowID = 'order-sleep-1';
    const sleepMs = 1500;

    const first = startChild('start-sleeping', [workflowID, String(sleepMs)], { role: 'first', config, log });
    const wakeAtBeforeCrash = Number(await first.waitForLine('MARK sleeping'));
    await first.kill();
    // Killed inside the sleep: nothing after it ran in the first process.
    assert.deepEqual(countByRole(readExecutions(log), 'after-sleep'), {}, 'the first process was killed too late');

    const recovering = startChild('recover', [workflowID], { role: 'recover', config, log });
    const report = await recovering.result();

    assert.deepEqual(report.result, {
      ok: true,
      value: { orderID: workflowID, steps: [`before:${workflowID}`, `after:${workflowID}`] },
    }, recovering.describe());
    const executions = readExecutions(log);
    assert.deepEqual(countByRole(executions, 'before-sleep'), { first: 1 });
    assert.deepEqual(countByRole(executions, 'after-sleep'), { recover: 1 });
    assert.equal(report.status.status, 'SUCCESS');
    assert.equal(report.status.recoveryAttempts, 2);

    const [before, sleep, after, ...extra] = report.steps;
    assert.deepEqual([before.functionName, sleep.functionName, after.functionName, extra.length],
      ['beforeSleep', 'DBOS.sleep', 'afterSleep', 0]);
    // The sleep was recorded once, before the crash, and replayed: its wake-up time did not move.
    assert.equal(sleep.completedAtEpochMs, wakeAtBeforeCrash);
    assert.equal(JSON.parse(sleep.output), wakeAtBeforeCrash);
    assert.equal(wakeAtBeforeCrash - sleep.startedAtEpochMs, sleepMs);
    // The step after the sleep ran only once the recorded wake-up time had come.
    assert.ok(after.startedAtEpochMs >= wakeAtBeforeCrash,
      `afterSleep started at ${after.startedAtEpochMs}, before the recorded wake-up time ${wakeAtBeforeCrash}`);
  });
});
