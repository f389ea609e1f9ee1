/**
 * Exactly once across a real crash, for every data source: a child process commits a transaction's writes
 * (and completion row) in the application database and is SIGKILLed at once, before the system database
 * checkpoint. A second process recovers the workflow: the transaction is not run again, its committed
 * outcome is returned from the completion row, and the workflow finishes.
 */
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { join } from 'node:path';
import { afterEach, test } from 'node:test';
import type { TestBackend } from '../helpers/backends.ts';
import { countByRole, freshLogPath, killAllChildren, readExecutions, removeLog, startChild } from '../processes/child-process.ts';
import type { AppDatabaseModule, AppSpec } from './fixtures/app-database.ts';

const script = join(import.meta.dirname, 'fixtures', 'transaction-worker.ts');

export function defineTransactionCrash(module: AppDatabaseModule, modulePath: string, backend: TestBackend): void {
  let log = '';
  let spec: AppSpec | undefined;
  afterEach(async () => {
    await killAllChildren();
    removeLog(log);
    if (spec) await module.drop(spec);
  });

  test('a process killed right after the commit, before the checkpoint: recovery does not run the transaction again', { timeout: 60_000 }, async () => {
    spec = await module.create();
    const app = module.open(spec);
    const config = backend.freshConfig();
    log = freshLogPath();
    const workflowID = randomUUID();
    const env = { DURABLY_TEST_APP_MODULE: modulePath, DURABLY_TEST_APP_SPEC: JSON.stringify(spec) };
    try {
      const first = startChild('start', [workflowID], { role: 'first', config, log, script, env: { ...env, DURABLY_TEST_CRASH: '1' } });
      const exit = await first.exited;
      assert.equal(exit.signal, 'SIGKILL', first.describe());
      assert.deepEqual(await app.items(), ['crash'], 'the transaction committed before the kill');
      assert.equal((await app.completionRows()).length, 1);

      const recovering = startChild('recover', [workflowID], { role: 'recover', config, log, script, env });
      const report = await recovering.result();
      assert.deepEqual(report.result, { label: 'crash', n: 1 }, recovering.describe());
      assert.deepEqual(report.steps, [[0, 'tx.crashInsert'], [1, 'tx.crashAfter']]);
      const executions = readExecutions(log);
      assert.deepEqual(countByRole(executions, 'transaction'), { first: 1 });
      assert.deepEqual(countByRole(executions, 'after'), { recover: 1 });
      assert.deepEqual(await app.items(), ['crash']);
      assert.equal(await app.counter(), 1);
    } finally {
      await app.close();
    }
  });
}
