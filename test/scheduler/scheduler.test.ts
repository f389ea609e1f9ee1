/**
 * Static cron schedules on a launched runtime: every tick runs once under its
 * deterministic ID with (scheduledTime, actualTime); ExactlyOncePerInterval
 * enqueues the ticks missed while not launched, the default mode skips them.
 */
import assert from 'node:assert/strict';
import { afterEach, test } from 'node:test';
import { DBOS, SchedulerMode } from '../../src/index.ts';
import { forEachBackend } from '../helpers/backends.ts';
import { launch } from '../helpers/lifecycle.ts';

interface Tick {
  workflowID: string;
  scheduled: Date;
  actual: Date;
  ranAt: number;
}

const ticks: Record<string, Tick[]> = { everySecond: [], decorated: [], backfilled: [], skipped: [] };
function record(kind: string, scheduled: Date, actual: Date): void {
  ticks[kind]!.push({ workflowID: DBOS.workflowID!, scheduled, actual, ranAt: Date.now() });
}
function reset(): void {
  for (const kind of Object.keys(ticks)) ticks[kind] = [];
}

const everySecond = DBOS.registerWorkflow(async (scheduled: Date, actual: Date) => record('everySecond', scheduled, actual), {
  name: 'everySecond',
});
DBOS.registerScheduled(everySecond, { crontab: '*/1 * * * * *' });

class Cron {
  @DBOS.scheduled({ crontab: '* * * * * *' })
  @DBOS.workflow()
  static async decorated(scheduled: Date, actual: Date): Promise<void> {
    record('decorated', scheduled, actual);
  }
}
void Cron;

const backfilled = DBOS.registerWorkflow(async (scheduled: Date, actual: Date) => record('backfilled', scheduled, actual), {
  name: 'backfilled',
});
DBOS.registerScheduled(backfilled, { crontab: '* * * * * *', mode: SchedulerMode.ExactlyOncePerInterval });
const skipped = DBOS.registerWorkflow(async (scheduled: Date, actual: Date) => record('skipped', scheduled, actual), {
  name: 'skipped',
});
DBOS.registerScheduled(skipped, { crontab: '* * * * * *' });

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

function assertEachTickOnce(list: Tick[], name: string): void {
  const ids = list.map((t) => t.workflowID);
  assert.equal(new Set(ids).size, ids.length, `a tick of ${name} ran twice: ${ids.join(', ')}`);
  for (const tick of list) {
    assert.ok(tick.scheduled instanceof Date && tick.actual instanceof Date, 'both arguments are Dates');
    assert.equal(tick.workflowID, `sched-${name}-${tick.scheduled.toISOString()}`);
    assert.equal(tick.scheduled.getUTCMilliseconds(), 0, 'slots fall on whole seconds');
    assert.ok(tick.actual.getTime() >= tick.scheduled.getTime(), 'actual time is not before the slot');
  }
}

/** Slots (epoch seconds) between the first and the last recorded tick that never ran. */
function gaps(list: Tick[]): number[] {
  const seconds = new Set(list.map((t) => t.scheduled.getTime() / 1000));
  const missing: number[] = [];
  for (let s = Math.min(...seconds); s <= Math.max(...seconds); s++) if (!seconds.has(s)) missing.push(s);
  return missing;
}

forEachBackend('static cron schedules', (backend) => {
  afterEach(async () => {
    await DBOS.shutdown();
  });

  test('an every-second schedule runs each tick once with its scheduled time', { timeout: 30_000 }, async () => {
    reset();
    await launch(backend);
    await sleep(2_600);
    assert.ok(ticks.everySecond!.length >= 2, `expected 2+ ticks, got ${ticks.everySecond!.length}`);
    assertEachTickOnce(ticks.everySecond!, 'everySecond');
    assert.deepEqual(gaps(ticks.everySecond!), []);
    const status = await DBOS.getWorkflowStatus(ticks.everySecond![0]!.workflowID);
    assert.equal(status?.status, 'SUCCESS');
  });

  test('@DBOS.scheduled on a static workflow method', { timeout: 30_000 }, async () => {
    reset();
    await launch(backend);
    await sleep(2_300);
    const first = ticks.decorated![0]!;
    assert.ok(first, 'the decorated schedule ran');
    assertEachTickOnce(ticks.decorated!, 'Cron.decorated');
    const status = await DBOS.getWorkflowStatus(first.workflowID);
    assert.equal(status?.queueName, '_dbos_internal_queue');
    assert.equal(status?.workflowClassName, 'Cron');
  });

  test('ExactlyOncePerInterval backfills missed ticks; the default mode skips them', { timeout: 30_000 }, async () => {
    reset();
    const config = await launch(backend);
    await sleep(1_600);
    await DBOS.shutdown();
    const downFrom = Date.now();
    await sleep(2_200);
    const downUntil = Date.now();
    DBOS.setConfig(config);
    await DBOS.launch();
    await sleep(1_800);
    await DBOS.shutdown();

    assertEachTickOnce(ticks.backfilled!, 'backfilled');
    assertEachTickOnce(ticks.skipped!, 'skipped');
    const missedWhileDown = (list: Tick[]) =>
      list.filter((t) => t.scheduled.getTime() > downFrom + 200 && t.scheduled.getTime() < downUntil - 200);
    assert.ok(missedWhileDown(ticks.backfilled!).length >= 1, 'the slots missed while down ran after relaunch');
    assert.ok(missedWhileDown(ticks.backfilled!).every((t) => t.ranAt >= downUntil), 'they ran after relaunch');
    assert.deepEqual(gaps(ticks.backfilled!), [], 'no slot of the ExactlyOncePerInterval schedule is missing');
    assert.deepEqual(missedWhileDown(ticks.skipped!), [], 'the default mode skips the slots missed while down');
    assert.ok(gaps(ticks.skipped!).length >= 1, 'the default mode left a gap');
  });
});
