/**
 * Two processes on one system database follow the same dynamic schedule,
 * created (and paused, resumed) by one of them at runtime: every slot runs
 * exactly once, in one of them; the other learns of each change (Postgres
 * NOTIFY, else its schedulerPollingIntervalMs read) and keeps firing after
 * the creator leaves, or stops while the schedule is paused.
 */
import assert from 'node:assert/strict';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, test } from 'node:test';
import { forEachBackend, type TestBackend } from '../helpers/backends.ts';
import { freshLogPath, killAllChildren, removeLog, startChild, type TestChild } from '../processes/child-process.ts';

const script = join(import.meta.dirname, 'fixtures', 'dynamic-schedule-worker.ts');
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

interface Ran {
  role: string;
  workflowID: string;
  scheduled: string;
  context: unknown;
}

function readRuns(log: string): Ran[] {
  return existsSync(log)
    ? readFileSync(log, 'utf8').split('\n').filter(Boolean).map((line) => JSON.parse(line) as Ran)
    : [];
}

/** Poll `probe` until it returns true; fail naming `what` after the deadline. */
async function until(what: string, probe: () => boolean, timeoutMs = 20_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!probe()) {
    if (Date.now() > deadline) assert.fail(`timed out waiting for ${what}`);
    await sleep(50);
  }
}

/** Each slot ran once, under its slot ID, with the creator's context. */
function assertEachSlotOnce(ran: Ran[]): void {
  const ids = ran.map((r) => r.workflowID);
  assert.equal(new Set(ids).size, ids.length, `a slot ran twice: ${ids.sort().join(', ')}`);
  for (const r of ran) {
    assert.equal(r.workflowID, `sched-shared-dynamic-${r.scheduled}`);
    assert.deepEqual(r.context, { createdBy: 'a' });
  }
}

/** Every whole second in [from, until) that has no run. */
function missingSlots(ran: Ran[], from: number, until: number): string[] {
  const slots = new Set(ran.map((r) => Date.parse(r.scheduled)));
  const missing: string[] = [];
  for (let s = Math.ceil(from / 1000) * 1000; s < until; s += 1000) if (!slots.has(s)) missing.push(new Date(s).toISOString());
  return missing;
}

forEachBackend('one dynamic schedule in two processes', (backend) => {
  let log = '';
  afterEach(async () => {
    await killAllChildren();
    removeLog(log);
  });

  /** Children a and b on one fresh database, each its own executor, polling for schedule changes every 200 ms. */
  async function startChildren(b: TestBackend): Promise<TestChild[]> {
    const base = b.freshConfig({ schedulerPollingIntervalMs: 200 });
    log = freshLogPath();
    const children = ['a', 'b'].map((role) =>
      startChild('run', [], { role, config: { ...base, executorID: `executor-${role}` }, log, script }),
    );
    await Promise.all(children.map((child) => child.waitForLine('MARK ready')));
    return children;
  }

  test('each slot of a schedule created in one process runs once across both', { timeout: 60_000 }, async () => {
    const [a, b] = await startChildren(backend);
    a!.send('CREATE');
    await a!.waitForLine('MARK created');
    const createdAt = Date.now();
    await sleep(3_500);
    const stopAt = Date.now();
    for (const child of [a!, b!]) child.send('STOP');
    await Promise.all([a!.result(), b!.result()]);

    const ran = readRuns(log);
    assertEachSlotOnce(ran);
    assert.ok(ran.length >= 3, `expected 3+ slots, got ${ran.length}`);
    // Every whole second while both ran (a margin at each end) ran once.
    assert.deepEqual(missingSlots(ran, createdAt + 1_000, stopAt - 300), [], `ran: ${ran.map((r) => r.scheduled).join(', ')}`);
  });

  test('the other process follows the creation and keeps firing after the creator leaves', { timeout: 60_000 }, async () => {
    const [a, b] = await startChildren(backend);
    a!.send('CREATE');
    await a!.waitForLine('MARK created');
    a!.send('STOP');
    await a!.result();
    const aGoneAt = Date.now();
    await sleep(3_000);
    const stopAt = Date.now();
    b!.send('STOP');
    await b!.result();

    const ran = readRuns(log);
    assertEachSlotOnce(ran);
    const afterA = ran.filter((r) => Date.parse(r.scheduled) > aGoneAt);
    assert.ok(afterA.length >= 2, `expected 2+ slots after a left, got ${afterA.length}`);
    assert.ok(afterA.every((r) => r.role === 'b'), 'the slots after a left ran in b');
    assert.deepEqual(missingSlots(ran, aGoneAt + 1_000, stopAt - 300), [], `ran: ${ran.map((r) => r.scheduled).join(', ')}`);
  });

  test('a pause made in one process stops the other; a resume restarts both', { timeout: 60_000 }, async () => {
    const [a, b] = await startChildren(backend);
    a!.send('CREATE');
    await a!.waitForLine('MARK created');
    const createdAt = Date.now();
    await until('a slot after the creation', () => readRuns(log).some((r) => Date.parse(r.scheduled) > createdAt));

    b!.send('PAUSE');
    await b!.waitForLine('MARK paused');
    const pausedAt = Date.now();
    await sleep(2_500);
    const firedWhilePaused = readRuns(log).filter((r) => Date.parse(r.scheduled) > pausedAt + 1_000);
    assert.deepEqual(firedWhilePaused, [], 'no process fired a slot while the schedule was paused');

    b!.send('RESUME');
    await b!.waitForLine('MARK resumed');
    const resumedAt = Date.now();
    await until('a slot after the resume', () => readRuns(log).some((r) => Date.parse(r.scheduled) > resumedAt));
    for (const child of [a!, b!]) child.send('STOP');
    await Promise.all([a!.result(), b!.result()]);

    const ran = readRuns(log);
    assertEachSlotOnce(ran);
    const skipped = ran.filter((r) => Date.parse(r.scheduled) > pausedAt + 1_000 && Date.parse(r.scheduled) < resumedAt - 1_000);
    assert.deepEqual(skipped, [], 'the slots of the pause were not made up');
  });
});
