/**
 * Exactly once across a real crash, for every data source and both placements of its database:
 * - killed right after the commit: with its own database, the writes and completion row committed but the
 *   system database checkpoint was never written; on the system database (single commit), the writes and the
 *   checkpoint committed together. Either way recovery returns the committed outcome without running again.
 * - killed inside the transaction, before COMMIT: nothing of the attempt remains (no writes, no completion
 *   row, no checkpoint), and recovery runs the transaction again, once.
 */
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { join } from 'node:path';
import { afterEach, test } from 'node:test';
import type { DBOSConfig } from '../../src/index.ts';
import type { TestBackend } from '../helpers/backends.ts';
import { rawRows } from '../helpers/raw-rows.ts';
import { countByRole, freshLogPath, killAllChildren, readExecutions, removeLog, startChild } from '../processes/child-process.ts';
import type { AppDatabaseModule, AppPlacement, AppSpec } from './fixtures/app-database.ts';

const script = join(import.meta.dirname, 'fixtures', 'transaction-worker.ts');

/** `afterCommitOnly`: just the kill after the commit (where a second route must prove itself: the ORMs' single commit). */
export function defineTransactionCrash(
  module: AppDatabaseModule,
  modulePath: string,
  backend: TestBackend,
  placement: AppPlacement,
  options: { afterCommitOnly?: boolean } = {},
): void {
  const single = placement === 'system-database';
  let log = '';
  let spec: AppSpec | undefined;
  afterEach(async () => {
    await killAllChildren();
    removeLog(log);
    if (spec) await module.drop(spec);
  });

  /** A fresh application database placed as asked, its system database, and the environment of the children. */
  async function prepare() {
    const config = backend.freshConfig();
    spec = await module.create(single ? config : undefined);
    log = freshLogPath();
    const env = { DURABLY_TEST_APP_MODULE: modulePath, DURABLY_TEST_APP_SPEC: JSON.stringify(spec) };
    return { config, app: module.open(spec), env, workflowID: randomUUID() };
  }

  const checkpoints = async (config: DBOSConfig, workflowID: string) =>
    (await rawRows(config, 'operation_outputs', 'workflow_uuid = ?', [workflowID])).map((row) => Number(row.function_id));

  test('a process killed right after the commit: recovery does not run the transaction again', { timeout: 60_000 }, async () => {
    const { config, app, env, workflowID } = await prepare();
    try {
      const first = startChild('start', [workflowID], { role: 'first', config, log, script, env: { ...env, DURABLY_TEST_CRASH: 'after-commit' } });
      const exit = await first.exited;
      assert.equal(exit.signal, 'SIGKILL', first.describe());
      assert.deepEqual(await app.items(), ['crash'], 'the transaction committed before the kill');
      assert.equal((await app.completionRows()).length, single ? 0 : 1);
      assert.deepEqual(await checkpoints(config, workflowID), single ? [0] : [], 'single commit: the checkpoint committed with the writes');

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

  if (options.afterCommitOnly) return;
  test('a process killed inside the transaction, before its commit: no trace remains and recovery runs it again', { timeout: 60_000 }, async () => {
    const { config, app, env, workflowID } = await prepare();
    try {
      const first = startChild('start', [workflowID], { role: 'first', config, log, script, env: { ...env, DURABLY_TEST_CRASH: 'before-commit' } });
      const exit = await first.exited;
      assert.equal(exit.signal, 'SIGKILL', first.describe());
      assert.deepEqual(await app.items(), [], 'the uncommitted writes are gone');
      assert.equal(await app.counter(), 0);
      assert.deepEqual(await app.completionRows(), []);
      assert.deepEqual(await checkpoints(config, workflowID), []);

      const recovering = startChild('recover', [workflowID], { role: 'recover', config, log, script, env });
      const report = await recovering.result();
      assert.deepEqual(report.result, { label: 'crash', n: 1 }, recovering.describe());
      assert.deepEqual(report.steps, [[0, 'tx.crashInsert'], [1, 'tx.crashAfter']]);
      assert.deepEqual(countByRole(readExecutions(log), 'transaction'), { first: 1, recover: 1 });
      assert.deepEqual(await app.items(), ['crash']);
      assert.equal(await app.counter(), 1);
      assert.equal((await app.completionRows()).length, single ? 0 : 1);
    } finally {
      await app.close();
    }
  });
}
