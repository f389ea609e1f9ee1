/**
 * Idempotency across processes: two processes, with different executor IDs
 * (so neither recovers the other's work), start the same workflow IDs at the
 * same instant. Each body must run exactly once, in one of them, and both
 * must get that one execution's result: the process that lost the insert
 * waits for the winner's outcome through the system database.
 */
import assert from 'node:assert/strict';
import { afterEach, test } from 'node:test';
import { forEachBackend } from '../helpers/backends.ts';
import { countByRole, freshLogPath, killAllChildren, readExecutions, removeLog, startChild } from './child-process.ts';

const executorOf: Record<string, string> = { a: 'executor-a', b: 'executor-b' };

forEachBackend('one workflow ID started from two processes at once', (backend) => {
  let log = '';
  afterEach(async () => {
    await killAllChildren();
    removeLog(log);
  });

  test('the body runs exactly once and both processes get its result', { timeout: 60_000 }, async () => {
    const base = backend.freshConfig();
    log = freshLogPath();
    const workflowIDs = ['once-1', 'once-2', 'once-3', 'once-4', 'once-5'];
    const children = ['a', 'b'].map((role) =>
      startChild('start-at-barrier', [role, ...workflowIDs], {
        role,
        config: { ...base, executorID: executorOf[role] },
        log,
      }),
    );
    // Both launched and waiting: then one start instant for both, a little ahead so the line reaches each in time.
    await Promise.all(children.map((child) => child.waitForLine('MARK ready')));
    const startAt = Date.now() + 150;
    for (const child of children) child.send(`GO ${startAt}`);
    const [resultsOfA, resultsOfB] = await Promise.all(children.map((child) => child.result()));

    const executions = readExecutions(log);
    for (const workflowID of workflowIDs) {
      const ranIn = countByRole(executions, `once-body:${workflowID}`);
      assert.equal(Object.values(ranIn).reduce((sum, count) => sum + count, 0), 1,
        `${workflowID} ran ${JSON.stringify(ranIn)}`);
      const winner = Object.keys(ranIn)[0]!;
      const expected = { startedBy: winner, executorID: executorOf[winner], workflowID };
      assert.deepEqual(resultsOfA[workflowID], { ok: true, value: expected }, `process a's result for ${workflowID}`);
      assert.deepEqual(resultsOfB[workflowID], { ok: true, value: expected }, `process b's result for ${workflowID}`);
    }
  });
});
