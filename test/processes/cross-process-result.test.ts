/**
 * Awaiting a workflow from another process: one child starts a workflow that
 * is held open until the parent creates a gate file; a second child, with
 * another executor ID (so its launch does not recover the first one's
 * workflow), sees it PENDING and awaits it with
 * `DBOS.retrieveWorkflow(id).getResult()`. The result, or the thrown error
 * with its name, message and own fields, arrives through the system database.
 */
import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import { afterEach, test } from 'node:test';
import { forEachBackend } from '../helpers/backends.ts';
import {
  countByRole,
  freshLogPath,
  killAllChildren,
  readExecutions,
  removeLog,
  startChild,
  type TestChild,
} from './child-process.ts';

forEachBackend('awaiting a workflow from another process', (backend) => {
  let log = '';
  let gate = '';
  afterEach(async () => {
    await killAllChildren();
    removeLog(log);
    removeLog(gate);
  });

  /** Start the gated workflow in one child, await it in another, then open the gate. */
  async function startHereAwaitThere(workflowID: string, outcome: 'succeed' | 'fail') {
    const base = backend.freshConfig();
    log = freshLogPath();
    gate = `${log}.gate`;
    const starter: TestChild = startChild('start-gated', [workflowID, gate, outcome], {
      role: 'starter', config: { ...base, executorID: 'starter' }, log,
    });
    await starter.waitForLine('MARK gate-waiting');
    const awaiter = startChild('await', [workflowID], { role: 'awaiter', config: { ...base, executorID: 'awaiter' }, log });
    const statusSeen = await awaiter.waitForLine('MARK awaiting');
    writeFileSync(gate, 'open');
    const [inStarter, inAwaiter] = await Promise.all([starter.result(), awaiter.result()]);
    const executions = readExecutions(log);
    assert.deepEqual(countByRole(executions, 'gate-waiting'), { starter: 1 });
    assert.deepEqual(countByRole(executions, 'gated-body-finishing'), { starter: 1 });
    return { statusSeen, inStarter, inAwaiter };
  }

  test('a result is awaited from another process', { timeout: 60_000 }, async () => {
    const workflowID = 'cross-result-1';
    const { statusSeen, inStarter, inAwaiter } = await startHereAwaitThere(workflowID, 'succeed');

    const value = { orderID: workflowID, gate: 'gate-open', total: 42, tags: ['a', 'b'] };
    assert.equal(statusSeen, 'PENDING');
    assert.deepEqual(inStarter, { ok: true, value });
    assert.deepEqual(inAwaiter, { ok: true, value, status: 'SUCCESS', executorId: 'starter' });
  });

  test('a custom error is seen in another process with its name, message and fields', { timeout: 60_000 }, async () => {
    const workflowID = 'cross-error-1';
    const { statusSeen, inStarter, inAwaiter } = await startHereAwaitThere(workflowID, 'fail');

    const expectedError = {
      isError: true,
      name: 'OrderRejectedError',
      message: `Order ${workflowID} was rejected: the amount is over the limit`,
      hasStack: true,
      fields: {
        name: 'OrderRejectedError', // an own field: the constructor assigns it
        code: 'ORDER_REJECTED',
        httpStatus: 422,
        details: { orderID: workflowID, reasons: ['amount-over-limit', 'manual-review'], limits: { max: 100 } },
        rejectedAt: { date: '2024-01-02T03:04:05.000Z' },
      },
    };
    assert.equal(statusSeen, 'PENDING');
    assert.equal(inAwaiter.ok, false);
    assert.equal(inAwaiter.status, 'ERROR');
    assert.deepEqual(inAwaiter.error, expectedError);
    // The process that ran it threw the original error: the other process sees the same.
    assert.deepEqual(inStarter, { ok: false, error: expectedError });
  });
});
