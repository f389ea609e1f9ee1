/**
 * After DBOS.shutdown() no timer of the queue runner keeps the process alive:
 * a child whose queue loop waits for a DELAYED workflow due in 20 s shuts
 * down, holds no timer once shutdown returns, and then ends by itself (no
 * process.exit), long before that workflow would have been due.
 */
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { afterEach, test } from 'node:test';
import { forEachBackend } from '../helpers/backends.ts';
import { freshLogPath, killAllChildren, removeLog, startChild } from './child-process.ts';

const queueShutdownWorker = join(import.meta.dirname, 'fixtures', 'queue-shutdown-worker.ts');
const delaySeconds = 20;
/** Generous: the point is that the process does not wait out the 20 s delay. */
const exitWithinMs = 5000;

forEachBackend('a process that shuts down while its queue waits for a delayed workflow', (backend) => {
  let log = '';
  afterEach(async () => {
    await killAllChildren();
    removeLog(log);
  });

  test('holds no timer once shutdown returns and exits by itself at once', { timeout: 90_000 }, async () => {
    log = freshLogPath();
    const child = startChild('enqueue-delayed-then-shutdown', [String(delaySeconds)], {
      role: 'delayed', config: backend.freshConfig(), log, script: queueShutdownWorker, timeoutMs: 60_000,
    });
    await child.waitForLine('MARK enqueued');
    const shutdownAt = Date.now();
    const exit = await child.exited;
    const exitedAfterMs = Date.now() - shutdownAt;
    assert.deepEqual(exit, { code: 0, signal: null }, child.describe());
    const shutDown = child.lines.find((line) => line.startsWith('MARK shut-down '));
    assert.ok(shutDown, child.describe());
    const resources = JSON.parse(shutDown.slice('MARK shut-down '.length)) as string[];
    assert.ok(!resources.includes('Timeout'), `a timer outlived DBOS.shutdown(): ${resources.join(', ')}`);
    assert.ok(exitedAfterMs < exitWithinMs, `the process took ${exitedAfterMs} ms to exit after shutdown\n${child.describe()}`);
  });
});
