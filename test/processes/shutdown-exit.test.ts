/**
 * After DBOS.shutdown() nothing of the engine keeps a process alive or runs:
 * a child shuts down while its workflow is in a 6 s durable sleep and then
 * ends by itself (no process.exit), long before the sleep would have ended,
 * without running the step after the sleep. A second process recovers the
 * workflow, and that step runs exactly once, there.
 */
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { afterEach, test } from 'node:test';
import { forEachBackend } from '../helpers/backends.ts';
import { countByRole, freshLogPath, killAllChildren, readExecutions, removeLog, startChild } from './child-process.ts';

const testTimeout = { timeout: 90_000 };
const shutdownWorker = join(import.meta.dirname, 'fixtures', 'shutdown-worker.ts');
const sleepMs = 6000;
/** Generous: the point is that the process does not wait out the 6 s sleep. */
const exitWithinMs = 4000;

forEachBackend('a process that shuts down during a durable sleep', (backend) => {
  let log = '';
  afterEach(async () => {
    await killAllChildren();
    removeLog(log);
  });

  test('exits by itself at once; a new process recovers the workflow and the step after the sleep runs once', testTimeout, async () => {
    const config = backend.freshConfig();
    log = freshLogPath();
    const workflowID = `shutdown-sleep-${Date.now()}`;

    const first = startChild('start-sleeping-then-shutdown', [workflowID, String(sleepMs)], {
      role: 'first', config, log, script: shutdownWorker,
    });
    const wakeAt = Number(await first.waitForLine('MARK sleeping'));
    const sleepingSeenAt = Date.now();
    const exit = await first.exited;
    const exitedAfterMs = Date.now() - sleepingSeenAt;
    assert.deepEqual(exit, { code: 0, signal: null }, first.describe());
    assert.ok(first.lines.includes('MARK shut-down'), first.describe());
    assert.ok(exitedAfterMs < exitWithinMs, `the process took ${exitedAfterMs} ms to exit after shutdown\n${first.describe()}`);
    assert.ok(Date.now() < wakeAt, 'the process outlived its workflow\'s sleep');
    assert.deepEqual(countByRole(readExecutions(log), 'after-sleep'), {}, first.describe());

    const recovering = startChild('recover', [workflowID], { role: 'recover', config, log });
    const report = await recovering.result();
    assert.deepEqual(report.result, {
      ok: true,
      value: { orderID: workflowID, steps: [`before:${workflowID}`, `after:${workflowID}`] },
    }, recovering.describe());
    const executions = readExecutions(log);
    assert.deepEqual(countByRole(executions, 'before-sleep'), { first: 1 });
    assert.deepEqual(countByRole(executions, 'after-sleep'), { recover: 1 });
    assert.deepEqual([report.status.status, report.status.recoveryAttempts], ['SUCCESS', 2]);
    assert.deepEqual(
      report.steps.map((step: { functionName: string }) => step.functionName),
      ['beforeSleep', 'DBOS.sleep', 'afterSleep'],
    );
    // The recorded wake-up time was kept: the recovered workflow waited for it, not for a new 6 s.
    assert.equal(report.steps[1].completedAtEpochMs, wakeAt);
    assert.ok(report.steps[2].startedAtEpochMs >= wakeAt);
  });
});
