/**
 * Recovery in the background, with real processes: a child starts more
 * workflows than one recovery batch holds, each blocked in its second step,
 * and is SIGKILLed; a second child's launch returns before recovery has
 * finished, serves a new workflow and awaits a pending one meanwhile, and
 * every pending workflow is then finished there, its first step replayed.
 */
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { afterEach, test } from 'node:test';
import { forEachBackend } from '../helpers/backends.ts';
import { freshLogPath, killAllChildren, removeLog, startChild } from './child-process.ts';

const script = join(import.meta.dirname, 'fixtures', 'recovery-worker.ts');
/** More than two batches of 500. */
const pendingCount = 1_100;

forEachBackend('background recovery across processes', (backend) => {
  let log = '';
  afterEach(async () => {
    await killAllChildren();
    removeLog(log);
  });

  test('launch returns before recovery is done; every batch of killed workflows is then finished', { timeout: 120_000 }, async () => {
    const config = backend.freshConfig();
    log = freshLogPath();
    const first = startChild('start-blocked', [String(pendingCount)], { role: 'first', config, log, script, timeoutMs: 60_000 });
    await first.waitForLine('MARK blocked');
    assert.equal((await first.kill()).signal, 'SIGKILL', first.describe());

    const recovering = startChild('recover', [String(pendingCount)], { role: 'recover', config, log, script, timeoutMs: 60_000 });
    const report = await recovering.result();
    assert.equal(report.finishedAtLaunch, false, 'DBOS.launch() returned before recovery finished');
    assert.ok(report.resumedAtLaunch < pendingCount, `${report.resumedAtLaunch} resumed before launch returned`);
    assert.equal(report.fresh, 'fresh', 'a new workflow runs while recovery goes on');
    assert.equal(report.last, (pendingCount - 1) * 3 + 1, 'getResult of a workflow still waiting for recovery');
    assert.equal(report.resumed, pendingCount, recovering.describe());
    assert.equal(report.wrongResults, 0);
    assert.equal(report.preparedHere, 0, 'the recorded first steps are replayed, not run again');
    assert.equal(report.finishedHere, pendingCount);
    assert.deepEqual(report.statuses, { [`SUCCESS/2`]: pendingCount });
  });
});
