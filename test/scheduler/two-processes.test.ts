/**
 * Two processes run the same schedule on one system database: every tick
 * runs exactly once, in one of them, and no tick of the time both ran is lost.
 */
import assert from 'node:assert/strict';
import { readFileSync, existsSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, test } from 'node:test';
import { forEachBackend } from '../helpers/backends.ts';
import { freshLogPath, killAllChildren, removeLog, startChild } from '../processes/child-process.ts';

const script = join(import.meta.dirname, 'fixtures', 'scheduled-worker.ts');
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

interface Ran {
  role: string;
  workflowID: string;
  scheduled: string;
}

forEachBackend('one schedule in two processes', (backend) => {
  let log = '';
  afterEach(async () => {
    await killAllChildren();
    removeLog(log);
  });

  test('each tick runs once across both processes', { timeout: 60_000 }, async () => {
    const base = backend.freshConfig();
    log = freshLogPath();
    const children = ['a', 'b'].map((role) =>
      startChild('run', [], { role, config: { ...base, executorID: `executor-${role}` }, log, script }),
    );
    await Promise.all(children.map((child) => child.waitForLine('MARK ready')));
    const bothFrom = Date.now();
    await sleep(3_200);
    const bothUntil = Date.now();
    for (const child of children) child.send('STOP');
    await Promise.all(children.map((child) => child.result()));

    const ran: Ran[] = existsSync(log)
      ? readFileSync(log, 'utf8').split('\n').filter(Boolean).map((line) => JSON.parse(line) as Ran)
      : [];
    const ids = ran.map((r) => r.workflowID);
    assert.equal(new Set(ids).size, ids.length, `a tick ran twice: ${ids.sort().join(', ')}`);
    for (const r of ran) assert.equal(r.workflowID, `sched-sharedTick-${r.scheduled}`);
    const slots = new Set(ran.map((r) => Date.parse(r.scheduled)));
    // Every whole second while both ran (a margin at each end) ran once.
    for (let s = Math.ceil((bothFrom + 100) / 1000) * 1000; s < bothUntil - 300; s += 1000) {
      assert.ok(slots.has(s), `the tick of ${new Date(s).toISOString()} did not run; ran: ${[...slots].join(', ')}`);
    }
  });
});
