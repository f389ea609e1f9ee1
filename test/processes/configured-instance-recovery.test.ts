/**
 * ConfiguredInstance workflows across a crash (issue 9, bug 2): a child
 * starts one workflow on each of two instances of a class and is SIGKILLed
 * while both are in their second step; a new process, which constructs the
 * same instances before launching, resumes each on the instance it was
 * started on (`this` is that instance, with its configuration) and the first
 * step does not run again.
 */
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { afterEach, test } from 'node:test';
import { forEachBackend } from '../helpers/backends.ts';
import { countByRole, freshLogPath, killAllChildren, readExecutions, removeLog, startChild } from './child-process.ts';

const script = join(import.meta.dirname, 'fixtures', 'instance-worker.ts');

forEachBackend('ConfiguredInstance recovery across processes', (backend) => {
  let log = '';
  afterEach(async () => {
    await killAllChildren();
    removeLog(log);
  });

  test('workflows on two instances, killed mid-way, resume on their own instances in a new process', { timeout: 60_000 }, async () => {
    const config = backend.freshConfig();
    log = freshLogPath();
    const ids = ['mail-support-1', 'mail-sales-1'];

    const first = startChild('start', ids, {
      role: 'first', config, log, script, env: { DURABLY_TEST_BLOCK_DELIVER: '1' },
    });
    await first.waitForLine('MARK deliver:support');
    await first.waitForLine('MARK deliver:sales');
    assert.equal((await first.kill()).signal, 'SIGKILL', first.describe());

    const recovering = startChild('recover', ids, { role: 'recover', config, log, script });
    const report = await recovering.result();

    assert.deepEqual(report.support.result, {
      instance: 'support',
      sender: 'support@example.com',
      receipt: 'delivered(support@example.com to Ada)',
      isMailer: true,
    }, recovering.describe());
    assert.deepEqual(report.sales.result, {
      instance: 'sales',
      sender: 'sales@example.com',
      receipt: 'delivered(sales@example.com to Grace)',
      isMailer: true,
    });
    for (const [key, instance] of [['support', 'support'], ['sales', 'sales']] as const) {
      assert.deepEqual(report[key].status, {
        status: 'SUCCESS', workflowClassName: 'Mailer', workflowConfigName: instance, recoveryAttempts: 2,
      });
      assert.deepEqual(report[key].steps, [[0, 'compose'], [1, 'deliver']]);
    }
    const executions = readExecutions(log);
    assert.deepEqual(countByRole(executions, 'compose:support'), { first: 1 });
    assert.deepEqual(countByRole(executions, 'compose:sales'), { first: 1 });
    assert.deepEqual(countByRole(executions, 'deliver:support'), { first: 1, recover: 1 });
    assert.deepEqual(countByRole(executions, 'deliver:sales'), { first: 1, recover: 1 });
  });
});
