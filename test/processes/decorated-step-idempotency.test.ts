/**
 * A @DBOS.step() method called outside a workflow under withNextWorkflowID
 * is a workflow of its own (`temp_workflow-step-<name>`), so it is idempotent
 * on that ID across processes: two processes calling it at the same instant
 * run the body once and both get that run's result; a process killed inside
 * the step leaves it PENDING, and the next process of the same executor
 * recovers it (with the class as `this`) and returns its result to a call
 * under the same ID.
 */
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { afterEach, test } from 'node:test';
import { forEachBackend } from '../helpers/backends.ts';
import { countByRole, freshLogPath, killAllChildren, readExecutions, removeLog, startChild } from './child-process.ts';

const script = join(import.meta.dirname, 'fixtures', 'temp-step-worker.ts');
const testTimeout = { timeout: 60_000 };

forEachBackend('a decorated step called outside a workflow, from two processes', (backend) => {
  let log = '';
  afterEach(async () => {
    await killAllChildren();
    removeLog(log);
  });

  test('called under one ID from two processes at once, the step runs once and both get its result', testTimeout, async () => {
    const base = backend.freshConfig();
    log = freshLogPath();
    const workflowID = 'temp-step-once';
    const children = ['a', 'b'].map((role) =>
      startChild('at-barrier', [workflowID], { role, config: { ...base, executorID: `executor-${role}` }, log, script }),
    );
    await Promise.all(children.map((child) => child.waitForLine('MARK ready')));
    const startAt = Date.now() + 150;
    for (const child of children) child.send(`GO ${startAt}`);
    const [resultOfA, resultOfB] = await Promise.all(children.map((child) => child.result()));

    const ranIn = countByRole(readExecutions(log), `charge:${workflowID}`);
    assert.equal(Object.values(ranIn).reduce((sum, count) => sum + count, 0), 1, `the step ran ${JSON.stringify(ranIn)}`);
    const expected = { ok: true, value: { chargedBy: Object.keys(ranIn)[0], amount: '5 EUR', thisIsClass: true, workflowID } };
    assert.deepEqual(resultOfA, expected, children[0]!.describe());
    assert.deepEqual(resultOfB, expected, children[1]!.describe());
  });

  test('killed inside the step, it is recovered by the next process, and a call under the ID gets that result', testTimeout, async () => {
    const config = backend.freshConfig();
    log = freshLogPath();
    const workflowID = 'temp-step-crash';
    const first = startChild('blocking', [workflowID], { role: 'first', config, log, script, env: { DURABLY_TEST_BLOCK_STEP: '1' } });
    await first.waitForLine(`MARK charge:${workflowID}`);
    assert.equal((await first.kill()).signal, 'SIGKILL', first.describe());

    const second = startChild('call', [workflowID], { role: 'second', config, log, script });
    const report = await second.result();
    assert.deepEqual(report.result, { ok: true, value: { chargedBy: 'second', amount: '5 EUR', thisIsClass: true, workflowID } }, second.describe());
    assert.deepEqual(report.status, { name: 'temp_workflow-step-charge', status: 'SUCCESS', recoveryAttempts: 2 });
    assert.deepEqual(countByRole(readExecutions(log), `charge:${workflowID}`), { first: 1, second: 1 });
  });
});
