/**
 * Dynamic schedules (`workflow_schedules`) on a launched runtime: created,
 * read, listed, changed, paused, resumed and deleted at runtime; each slot
 * runs once as `sched-<name>-<ISO slot>` with (scheduledDate, context);
 * triggerSchedule runs one now, backfillSchedule every slot of a past range
 * (idempotently); automaticBackfill makes up the slots missed while down;
 * changes made from workflow code are recorded, so replay does not repeat
 * them. Timing assertions only poll for a condition, with generous deadlines.
 */
import assert from 'node:assert/strict';
import { afterEach, beforeEach, test } from 'node:test';
import {
  DBOS,
  DBOSConfigurationError,
  DBOSNotRegisteredError,
  DBOSScheduleExistsError,
  DBOSScheduleNotFoundError,
  WorkflowQueue,
} from '../../src/index.ts';
import { deferred, type Deferred } from '../../src/support/deferred.ts';
import { forEachBackend } from '../helpers/backends.ts';
import { crashAndRelaunch, launch } from '../helpers/lifecycle.ts';

interface Run {
  workflowID: string;
  scheduled: Date;
  context: unknown;
  ranAt: number;
}

let runs: Run[] = [];
const record = DBOS.registerWorkflow(
  async (scheduled: Date, context: unknown) => {
    runs.push({ workflowID: DBOS.workflowID!, scheduled, context, ranAt: Date.now() });
  },
  { name: 'dyn.record' },
);
const other = DBOS.registerWorkflow(async (_scheduled: Date, _context: unknown) => undefined, { name: 'dyn.other' });
const notRegistered = async (_scheduled: Date, _context: unknown) => undefined;

const dynQueue = new WorkflowQueue('dyn.queue');
void dynQueue;
const internalQueue = '_dbos_internal_queue';
/** A crontab that does not fire while a test runs (midnight of January 1st). */
const never = '0 0 1 1 *';

// Each workflow execution waits on the gate current when it gets there; gates of crashed executions never open.
let gate: Deferred<void> = deferred();
/** The runs each execution of the manager workflow started (trigger, then backfill). */
let managerStarts: string[][] = [];
let reached: Deferred<void> = deferred();

const manager = DBOS.registerWorkflow(
  async () => {
    await DBOS.createSchedule({ scheduleName: 'from-workflow', workflowFn: record, schedule: never, context: { by: 'workflow' } });
    await DBOS.updateSchedule('from-workflow', { context: { by: 'workflow', version: 2 } });
    await DBOS.pauseSchedule('from-workflow');
    await DBOS.resumeSchedule('from-workflow');
    await DBOS.deleteSchedule('doomed-by-workflow');
    const triggered = await DBOS.triggerSchedule('from-workflow');
    // Midnight of January 1st falls in this range in every time zone.
    const backfilled = await DBOS.backfillSchedule('from-workflow', new Date('2025-12-30T00:00:00Z'), new Date('2026-01-03T00:00:00Z'));
    managerStarts.push([triggered.workflowID, ...backfilled.map((h) => h.workflowID)]);
    reached.resolve();
    await gate.promise;
    return 'managed';
  },
  { name: 'dyn.manager' },
);

const applier = DBOS.registerWorkflow(
  async () => {
    try {
      await DBOS.applySchedules([{ scheduleName: 'applied-in-workflow', workflowFn: record, schedule: never }]);
      return 'applied';
    } catch (error) {
      return (error as Error).name;
    }
  },
  { name: 'dyn.applier' },
);

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** Poll `probe` until it returns true; fail naming `what` after the deadline. */
async function until(what: string, probe: () => boolean | Promise<boolean>, timeoutMs = 20_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await probe())) {
    if (Date.now() > deadline) assert.fail(`timed out waiting for ${what}`);
    await sleep(25);
  }
}

/** The runs of one schedule, by the workflow ID prefix. */
function runsOf(name: string): Run[] {
  return runs.filter((r) => r.workflowID.startsWith(`sched-${name}-`) && !r.workflowID.startsWith(`sched-${name}-trigger-`));
}

function assertEachSlotOnce(list: Run[], name: string): void {
  const ids = list.map((r) => r.workflowID);
  assert.equal(new Set(ids).size, ids.length, `a slot of ${name} ran twice: ${ids.join(', ')}`);
  for (const run of list) {
    assert.ok(run.scheduled instanceof Date, 'the scheduled date is a Date');
    assert.equal(run.workflowID, `sched-${name}-${run.scheduled.toISOString()}`);
    assert.equal(run.scheduled.getUTCMilliseconds(), 0, 'slots fall on whole seconds');
  }
}

/** Slots (epoch seconds) between the first and the last run that never ran. */
function gaps(list: Run[]): number[] {
  const seconds = new Set(list.map((r) => r.scheduled.getTime() / 1000));
  const missing: number[] = [];
  for (let s = Math.min(...seconds); s <= Math.max(...seconds); s++) if (!seconds.has(s)) missing.push(s);
  return missing;
}

async function assertCode(promise: Promise<unknown>, errorClass: new (...args: any[]) => Error, code: string): Promise<void> {
  await assert.rejects(promise, (error: Error & { code?: string }) => {
    assert.ok(error instanceof errorClass, `expected ${errorClass.name}, got ${error.name}: ${error.message}`);
    assert.equal(error.code, code);
    return true;
  });
}

forEachBackend('dynamic schedules', (backend) => {
  beforeEach(() => {
    runs = [];
    managerStarts = [];
    gate = deferred();
    reached = deferred();
  });
  afterEach(async () => {
    await DBOS.shutdown();
  });

  test('createSchedule, getSchedule and listSchedules with each filter', { timeout: 30_000 }, async () => {
    await launch(backend);
    const context = { label: 'alpha', at: new Date('2024-05-06T07:08:09.000Z'), list: [1, 2] };
    await DBOS.createSchedule({ scheduleName: 'alpha-1', workflowFn: record, schedule: never, context });
    await DBOS.createSchedule({
      scheduleName: 'alpha-2',
      workflowFn: other,
      schedule: '*/5 0 1 1 *',
      options: { automaticBackfill: true, cronTimezone: 'Europe/Paris', queueName: 'dyn.queue' },
    });
    await DBOS.createSchedule({ scheduleName: 'beta', workflowFn: record, schedule: ` ${never}  ` });
    await DBOS.pauseSchedule('beta');

    const alpha1 = await DBOS.getSchedule('alpha-1');
    assert.ok(alpha1);
    assert.equal(typeof alpha1.scheduleId, 'string');
    assert.ok(alpha1.scheduleId.length > 0);
    const { scheduleId: _id, ...rest } = alpha1;
    assert.deepEqual(rest, {
      scheduleName: 'alpha-1',
      workflowName: 'dyn.record',
      workflowClassName: '',
      schedule: never,
      status: 'ACTIVE',
      context,
      lastFiredAt: null,
      automaticBackfill: false,
      cronTimezone: null,
      queueName: null,
      applicationName: 'durably-test',
    });
    assert.ok((alpha1.context as { at: Date }).at instanceof Date, 'the context comes back with its Date');

    const alpha2 = await DBOS.getSchedule('alpha-2');
    assert.deepEqual(
      [alpha2?.workflowName, alpha2?.status, alpha2?.context, alpha2?.automaticBackfill, alpha2?.cronTimezone, alpha2?.queueName],
      ['dyn.other', 'ACTIVE', null, true, 'Europe/Paris', 'dyn.queue'],
    );
    const beta = await DBOS.getSchedule('beta');
    assert.equal(beta?.status, 'PAUSED');
    assert.equal(beta?.schedule, never, 'the crontab is stored trimmed');
    assert.notEqual(beta?.scheduleId, alpha1.scheduleId);
    assert.equal(await DBOS.getSchedule('gamma'), null);

    const names = async (filters?: Parameters<typeof DBOS.listSchedules>[0]) =>
      (await DBOS.listSchedules(filters)).map((s) => s.scheduleName);
    assert.deepEqual(await names(), ['alpha-1', 'alpha-2', 'beta']);
    assert.deepEqual(await names({}), ['alpha-1', 'alpha-2', 'beta']);
    assert.deepEqual(await names({ status: 'PAUSED' }), ['beta']);
    assert.deepEqual(await names({ status: 'ACTIVE' }), ['alpha-1', 'alpha-2']);
    assert.deepEqual(await names({ status: ['ACTIVE', 'PAUSED'] }), ['alpha-1', 'alpha-2', 'beta']);
    assert.deepEqual(await names({ workflowName: 'dyn.other' }), ['alpha-2']);
    assert.deepEqual(await names({ workflowName: ['dyn.record'] }), ['alpha-1', 'beta']);
    assert.deepEqual(await names({ workflowName: ['dyn.record', 'dyn.other'] }), ['alpha-1', 'alpha-2', 'beta']);
    assert.deepEqual(await names({ workflowName: 'dyn.nothing' }), []);
    assert.deepEqual(await names({ scheduleNamePrefix: 'alpha' }), ['alpha-1', 'alpha-2']);
    assert.deepEqual(await names({ scheduleNamePrefix: 'alpha-1' }), ['alpha-1']);
    assert.deepEqual(await names({ scheduleNamePrefix: ['alpha-2', 'be'] }), ['alpha-2', 'beta']);
    assert.deepEqual(await names({ scheduleNamePrefix: 'lpha' }), [], 'a prefix matches at the start only');
    assert.deepEqual(await names({ scheduleNamePrefix: '%' }), [], 'a prefix is not a LIKE pattern');
    assert.deepEqual(await names({ scheduleNamePrefix: '_lpha' }), [], 'a prefix is not a LIKE pattern');
    assert.deepEqual(await names({ scheduleNamePrefix: 'ALPHA' }), [], 'prefixes are case-sensitive');
    assert.deepEqual(await names({ applicationName: 'durably-test' }), ['alpha-1', 'alpha-2', 'beta']);
    assert.deepEqual(await names({ applicationName: ['another-app', 'durably-test'] }), ['alpha-1', 'alpha-2', 'beta']);
    assert.deepEqual(await names({ applicationName: 'another-app' }), []);
    assert.deepEqual(await names({ scheduleNamePrefix: 'alpha', workflowName: 'dyn.record' }), ['alpha-1'], 'filters combine');
    assert.deepEqual(await names({ status: 'PAUSED', scheduleNamePrefix: 'alpha' }), []);
    const listed = await DBOS.listSchedules({ scheduleNamePrefix: 'alpha-1' });
    assert.deepEqual(listed, [alpha1], 'listSchedules reports what getSchedule does');
  });

  test('a duplicate name is refused with SCHEDULE_EXISTS and changes nothing', { timeout: 30_000 }, async () => {
    await launch(backend);
    await DBOS.createSchedule({ scheduleName: 'dup', workflowFn: record, schedule: never, context: { v: 1 } });
    const before = await DBOS.getSchedule('dup');
    await assertCode(
      DBOS.createSchedule({
        scheduleName: 'dup',
        workflowFn: other,
        schedule: '*/3 * * * * *',
        context: { v: 2 },
        options: { automaticBackfill: true, cronTimezone: 'UTC', queueName: 'dyn.queue' },
      }),
      DBOSScheduleExistsError,
      'SCHEDULE_EXISTS',
    );
    await DBOS.pauseSchedule('dup');
    await assertCode(
      DBOS.createSchedule({ scheduleName: 'dup', workflowFn: record, schedule: never }),
      DBOSScheduleExistsError,
      'SCHEDULE_EXISTS',
    );
    assert.deepEqual(await DBOS.getSchedule('dup'), { ...before, status: 'PAUSED' });
    assert.equal((await DBOS.listSchedules()).length, 1);
  });

  test('invalid definitions are refused before anything is written', { timeout: 30_000 }, async () => {
    await launch(backend);
    const base = { scheduleName: 'bad', workflowFn: record, schedule: never };
    const refused: Array<[string, () => Promise<unknown>, new (...args: any[]) => Error]> = [
      ['an unparsable crontab', () => DBOS.createSchedule({ ...base, schedule: 'every second please' }), DBOSConfigurationError],
      ['a crontab with 3 fields', () => DBOS.createSchedule({ ...base, schedule: '* * *' }), DBOSConfigurationError],
      ['a crontab with 7 fields', () => DBOS.createSchedule({ ...base, schedule: '* * * * * * *' }), DBOSConfigurationError],
      ['an out-of-range minute', () => DBOS.createSchedule({ ...base, schedule: '61 * * * *' }), DBOSConfigurationError],
      ['an empty crontab', () => DBOS.createSchedule({ ...base, schedule: '' }), DBOSConfigurationError],
      ['an unknown time zone', () => DBOS.createSchedule({ ...base, options: { cronTimezone: 'Mars/Olympus_Mons' } }), DBOSConfigurationError],
      ['an empty name', () => DBOS.createSchedule({ ...base, scheduleName: '' }), DBOSConfigurationError],
      ['a blank name', () => DBOS.createSchedule({ ...base, scheduleName: '   ' }), DBOSConfigurationError],
      ['an empty queue name', () => DBOS.createSchedule({ ...base, options: { queueName: '' } }), DBOSConfigurationError],
      ['an unregistered workflow', () => DBOS.createSchedule({ ...base, workflowFn: notRegistered }), DBOSNotRegisteredError],
      [
        'two definitions of one name',
        () => DBOS.applySchedules([base, { ...base, schedule: '* * * * *' }]),
        DBOSConfigurationError,
      ],
      [
        'one bad definition among good ones',
        () => DBOS.applySchedules([{ ...base, scheduleName: 'good' }, { ...base, schedule: 'nope' }]),
        DBOSConfigurationError,
      ],
    ];
    for (const [what, call, errorClass] of refused) {
      await assert.rejects(call(), errorClass, what);
    }
    assert.deepEqual(await DBOS.listSchedules(), [], 'nothing was written');

    await DBOS.createSchedule({ ...base, context: { kept: true } });
    const stored = await DBOS.getSchedule('bad');
    await assert.rejects(DBOS.updateSchedule('bad', { schedule: '* * *' }), DBOSConfigurationError);
    await assert.rejects(DBOS.updateSchedule('bad', { schedule: 'nope', context: { kept: false } }), DBOSConfigurationError);
    await assert.rejects(DBOS.updateSchedule('bad', { cronTimezone: 'Nowhere/Atlantis' }), DBOSConfigurationError);
    await assert.rejects(DBOS.updateSchedule('bad', { queueName: '' }), DBOSConfigurationError);
    await assert.rejects(DBOS.getSchedule(''), DBOSConfigurationError);
    await assert.rejects(DBOS.backfillSchedule('bad', new Date('invalid'), new Date()), DBOSConfigurationError);
    assert.deepEqual(await DBOS.getSchedule('bad'), stored, 'a refused update changes nothing');
  });

  test('an every-second schedule runs each slot once with (scheduledDate, context)', { timeout: 30_000 }, async () => {
    await launch(backend);
    const context = { label: 'hello', when: new Date('2030-01-02T03:04:05.000Z') };
    await DBOS.createSchedule({ scheduleName: 'tick', workflowFn: record, schedule: '* * * * * *', context });
    await until('3 slots of "tick"', () => runsOf('tick').length >= 3);
    await until('"tick" to record when it last fired', async () => (await DBOS.getSchedule('tick'))?.lastFiredAt != null);
    await DBOS.deleteSchedule('tick');

    const ticks = runsOf('tick');
    assertEachSlotOnce(ticks, 'tick');
    assert.deepEqual(gaps(ticks), []);
    for (const run of ticks) {
      assert.deepEqual(run.context, context);
      assert.ok((run.context as { when: Date }).when instanceof Date);
    }
    const status = await DBOS.getWorkflowStatus(ticks[0]!.workflowID);
    assert.equal(status?.status, 'SUCCESS');
    assert.equal(status?.workflowName, 'dyn.record');
    assert.equal(status?.queueName, internalQueue);
  });

  test('lastFiredAt follows the fired slots', { timeout: 30_000 }, async () => {
    await launch(backend);
    await DBOS.createSchedule({ scheduleName: 'marked', workflowFn: record, schedule: '* * * * * *' });
    await until('2 slots of "marked"', () => runsOf('marked').length >= 2);
    await DBOS.pauseSchedule('marked');
    const slots = runsOf('marked').map((r) => r.scheduled.toISOString());
    await until('lastFiredAt to be one of the fired slots', async () => {
      const last = (await DBOS.getSchedule('marked'))?.lastFiredAt;
      return last != null && Date.parse(last) >= Date.parse(slots[1]!);
    });
    const last = (await DBOS.getSchedule('marked'))!.lastFiredAt!;
    assert.ok(runsOf('marked').some((r) => r.scheduled.getTime() === Date.parse(last)), `${last} is a fired slot`);
  });

  test('pauseSchedule stops the firing; resumeSchedule restarts it', { timeout: 30_000 }, async () => {
    await launch(backend);
    await DBOS.createSchedule({ scheduleName: 'pausable', workflowFn: record, schedule: '* * * * * *' });
    await until('a slot of "pausable"', () => runsOf('pausable').length >= 1);
    await DBOS.pauseSchedule('pausable');
    const pausedAt = Date.now();
    assert.equal((await DBOS.getSchedule('pausable'))?.status, 'PAUSED');
    assert.deepEqual((await DBOS.listSchedules({ status: 'PAUSED' })).map((s) => s.scheduleName), ['pausable']);
    await DBOS.pauseSchedule('pausable'); // pausing again is harmless
    await sleep(2_500);
    // A slot already being fired when the pause was made may still run, none after it.
    const afterPause = runsOf('pausable').filter((r) => r.scheduled.getTime() > pausedAt + 1_000);
    assert.deepEqual(afterPause.map((r) => r.workflowID), [], 'no slot fired while paused');

    await DBOS.resumeSchedule('pausable');
    const resumedAt = Date.now();
    assert.equal((await DBOS.getSchedule('pausable'))?.status, 'ACTIVE');
    await until('a slot after the resume', () => runsOf('pausable').some((r) => r.scheduled.getTime() > resumedAt));
    const all = runsOf('pausable');
    assertEachSlotOnce(all, 'pausable');
    const skipped = all.filter((r) => r.scheduled.getTime() > pausedAt + 1_000 && r.scheduled.getTime() < resumedAt - 1_000);
    assert.deepEqual(skipped, [], 'resuming does not make up the slots of the pause (no automaticBackfill)');
  });

  test('updateSchedule changes the context and the crontab of the next slots', { timeout: 40_000 }, async () => {
    await launch(backend);
    await DBOS.createSchedule({ scheduleName: 'changing', workflowFn: record, schedule: '* * * * * *', context: { v: 1 } });
    await until('a slot with context v1', () => runsOf('changing').some((r) => (r.context as { v: number }).v === 1));

    await DBOS.updateSchedule('changing', { context: { v: 2 } });
    const contextChangedAt = Date.now();
    assert.deepEqual((await DBOS.getSchedule('changing'))?.context, { v: 2 });
    await until('a slot with context v2', () => runsOf('changing').some((r) => (r.context as { v: number }).v === 2));
    const stale = runsOf('changing').filter((r) => r.scheduled.getTime() > contextChangedAt + 1_000 && (r.context as { v: number }).v !== 2);
    assert.deepEqual(stale, [], 'every slot after the change has the new context');

    await DBOS.updateSchedule('changing', { schedule: '*/2 * * * * *' });
    const crontabChangedAt = Date.now();
    assert.equal((await DBOS.getSchedule('changing'))?.schedule, '*/2 * * * * *');
    assert.deepEqual((await DBOS.getSchedule('changing'))?.context, { v: 2 }, 'a key not given is kept');
    const later = () => runsOf('changing').filter((r) => r.scheduled.getTime() > crontabChangedAt + 1_000);
    await until('2 slots of the new crontab', () => later().length >= 2);
    for (const run of later()) {
      assert.equal(run.scheduled.getUTCSeconds() % 2, 0, `${run.scheduled.toISOString()} is on an even second`);
    }
    assertEachSlotOnce(runsOf('changing'), 'changing');

    // An update without keys checks the schedule exists and changes nothing.
    const withoutLastFired = async () => ({ ...(await DBOS.getSchedule('changing')), lastFiredAt: null });
    const before = await withoutLastFired();
    await DBOS.updateSchedule('changing', {});
    assert.deepEqual(await withoutLastFired(), before);
  });

  test('updateSchedule: null clears the time zone and the queue; other keys are kept', { timeout: 30_000 }, async () => {
    await launch(backend);
    await DBOS.createSchedule({
      scheduleName: 'zoned',
      workflowFn: record,
      schedule: never,
      context: { keep: 'me' },
      options: { cronTimezone: 'America/New_York', queueName: 'dyn.queue' },
    });
    await DBOS.updateSchedule('zoned', { automaticBackfill: true, cronTimezone: 'Asia/Tokyo' });
    let zoned = await DBOS.getSchedule('zoned');
    assert.deepEqual(
      [zoned?.cronTimezone, zoned?.queueName, zoned?.automaticBackfill, zoned?.context, zoned?.schedule],
      ['Asia/Tokyo', 'dyn.queue', true, { keep: 'me' }, never],
    );
    await DBOS.updateSchedule('zoned', { cronTimezone: null, queueName: null });
    zoned = await DBOS.getSchedule('zoned');
    assert.deepEqual(
      [zoned?.cronTimezone, zoned?.queueName, zoned?.automaticBackfill, zoned?.context, zoned?.schedule, zoned?.status],
      [null, null, true, { keep: 'me' }, never, 'ACTIVE'],
    );
    await DBOS.updateSchedule('zoned', { automaticBackfill: false });
    zoned = await DBOS.getSchedule('zoned');
    assert.deepEqual([zoned?.context, zoned?.automaticBackfill], [{ keep: 'me' }, false]);
  });

  test('the time zone decides where the slots fall', { timeout: 30_000 }, async () => {
    await launch(backend);
    await DBOS.createSchedule({
      scheduleName: 'midnight',
      workflowFn: record,
      schedule: '0 0 * * *',
      options: { cronTimezone: 'Asia/Tokyo' },
    });
    const start = new Date('2024-01-01T00:00:00.000Z');
    const end = new Date('2024-01-04T00:00:00.000Z');
    const tokyo = await DBOS.backfillSchedule('midnight', start, end);
    assert.deepEqual(tokyo.map((h) => h.workflowID), [
      'sched-midnight-2024-01-01T15:00:00.000Z',
      'sched-midnight-2024-01-02T15:00:00.000Z',
      'sched-midnight-2024-01-03T15:00:00.000Z',
    ]);
    await DBOS.updateSchedule('midnight', { cronTimezone: 'UTC' });
    const utc = await DBOS.backfillSchedule('midnight', start, end);
    assert.deepEqual(utc.map((h) => h.workflowID), [
      'sched-midnight-2024-01-01T00:00:00.000Z',
      'sched-midnight-2024-01-02T00:00:00.000Z',
      'sched-midnight-2024-01-03T00:00:00.000Z',
    ], 'start is included, end is not');
    await Promise.all([...tokyo, ...utc].map((h) => h.getResult()));
    assert.equal(runsOf('midnight').length, 6);
  });

  test('deleteSchedule stops the firing; deleting a missing schedule is no error', { timeout: 30_000 }, async () => {
    await launch(backend);
    await DBOS.createSchedule({ scheduleName: 'doomed', workflowFn: record, schedule: '* * * * * *' });
    await DBOS.createSchedule({ scheduleName: 'survivor', workflowFn: record, schedule: never });
    await until('a slot of "doomed"', () => runsOf('doomed').length >= 1);
    await DBOS.deleteSchedule('doomed');
    const deletedAt = Date.now();
    assert.equal(await DBOS.getSchedule('doomed'), null);
    assert.deepEqual((await DBOS.listSchedules()).map((s) => s.scheduleName), ['survivor']);
    await DBOS.deleteSchedule('doomed');
    await DBOS.deleteSchedule('never-existed');
    await sleep(2_500);
    const afterDelete = runsOf('doomed').filter((r) => r.scheduled.getTime() > deletedAt + 1_000);
    assert.deepEqual(afterDelete.map((r) => r.workflowID), [], 'no slot fired after the delete');
    assertEachSlotOnce(runsOf('doomed'), 'doomed');

    // The name can be taken again.
    await DBOS.createSchedule({ scheduleName: 'doomed', workflowFn: other, schedule: never });
    assert.equal((await DBOS.getSchedule('doomed'))?.workflowName, 'dyn.other');
  });

  test('triggerSchedule runs the workflow once now, even when paused', { timeout: 30_000 }, async () => {
    await launch(backend);
    await DBOS.createSchedule({ scheduleName: 'manual', workflowFn: record, schedule: never, context: { why: 'manual' } });
    const before = Date.now();
    const handle = await DBOS.triggerSchedule('manual');
    const after = Date.now();
    const match = /^sched-manual-trigger-(.+)$/.exec(handle.workflowID);
    assert.ok(match, handle.workflowID);
    const triggeredAt = Date.parse(match[1]!);
    assert.equal(new Date(triggeredAt).toISOString(), match[1], 'the ID holds an ISO time');
    assert.ok(triggeredAt >= before && triggeredAt <= after, 'the ID holds the time of the trigger');
    await handle.getResult();
    const run = runs.filter((r) => r.workflowID === handle.workflowID);
    assert.equal(run.length, 1);
    assert.equal(run[0]!.scheduled.getTime(), triggeredAt, 'the scheduled date is the trigger time');
    assert.deepEqual(run[0]!.context, { why: 'manual' });
    const status = await DBOS.getWorkflowStatus(handle.workflowID);
    assert.deepEqual([status?.status, status?.queueName], ['SUCCESS', internalQueue]);

    await DBOS.pauseSchedule('manual');
    await sleep(2); // a distinct millisecond, hence a distinct ID
    const paused = await DBOS.triggerSchedule('manual');
    assert.notEqual(paused.workflowID, handle.workflowID);
    await paused.getResult();
    assert.equal(runs.filter((r) => r.workflowID === paused.workflowID).length, 1);
    assert.equal((await DBOS.getSchedule('manual'))?.status, 'PAUSED', 'a trigger does not resume');
  });

  test('backfillSchedule runs each slot of a past range once; again, it starts nothing new', { timeout: 30_000 }, async () => {
    await launch(backend);
    await DBOS.createSchedule({ scheduleName: 'past', workflowFn: record, schedule: '* * * * * *', context: 'ctx' });
    const start = new Date(Math.floor(Date.now() / 1000) * 1000 - 10_000);
    const end = new Date(start.getTime() + 3_000);
    const expected = [0, 1, 2].map((s) => `sched-past-${new Date(start.getTime() + s * 1000).toISOString()}`);

    const handles = await DBOS.backfillSchedule('past', start, end);
    assert.deepEqual(handles.map((h) => h.workflowID), expected);
    await Promise.all(handles.map((h) => h.getResult()));
    const backfilled = () => runs.filter((r) => expected.includes(r.workflowID));
    assert.equal(backfilled().length, 3);
    assertEachSlotOnce(backfilled(), 'past');
    for (const run of backfilled()) assert.equal(run.context, 'ctx');

    const again = await DBOS.backfillSchedule('past', start, end);
    assert.deepEqual(again.map((h) => h.workflowID), expected, 'the same IDs');
    await Promise.all(again.map((h) => h.getResult()));
    assert.equal(backfilled().length, 3, 'no slot ran again');
    const statuses = await DBOS.listWorkflows({ workflowIDs: expected });
    assert.deepEqual(statuses.map((s) => s.status), ['SUCCESS', 'SUCCESS', 'SUCCESS']);
    assert.ok(statuses.every((s) => s.queueName === internalQueue));
    assert.ok(statuses.every((s) => s.scheduleName === 'past'), 'runs record their schedule');
    // The schedule is live too: slots after its creation may have fired meanwhile (a loaded machine is slow).
    const listed = (await DBOS.listWorkflows({ scheduleName: 'past' })).map((w) => w.workflowID);
    assert.deepEqual(listed.filter((id) => expected.includes(id)), expected);
    const liveSince = `sched-past-${new Date(start.getTime() + 10_000).toISOString()}`;
    assert.ok(listed.filter((id) => !expected.includes(id)).every((id) => id >= liveSince), `only live slots besides: ${listed}`);

    // A range within one second, off the slots, holds none.
    assert.deepEqual(await DBOS.backfillSchedule('past', new Date(start.getTime() + 100), new Date(start.getTime() + 900)), []);
  });

  test('trigger, backfill, pause, resume and update of a missing schedule: SCHEDULE_NOT_FOUND', { timeout: 30_000 }, async () => {
    await launch(backend);
    const end = new Date();
    const start = new Date(end.getTime() - 5_000);
    await assertCode(DBOS.backfillSchedule('nope', start, end), DBOSScheduleNotFoundError, 'SCHEDULE_NOT_FOUND');
    await assertCode(DBOS.triggerSchedule('nope'), DBOSScheduleNotFoundError, 'SCHEDULE_NOT_FOUND');
    await assertCode(DBOS.pauseSchedule('nope'), DBOSScheduleNotFoundError, 'SCHEDULE_NOT_FOUND');
    await assertCode(DBOS.resumeSchedule('nope'), DBOSScheduleNotFoundError, 'SCHEDULE_NOT_FOUND');
    await assertCode(DBOS.updateSchedule('nope', { context: 1 }), DBOSScheduleNotFoundError, 'SCHEDULE_NOT_FOUND');
    await assertCode(DBOS.updateSchedule('nope', { schedule: '* * * * *' }), DBOSScheduleNotFoundError, 'SCHEDULE_NOT_FOUND');
    await assertCode(DBOS.updateSchedule('nope', {}), DBOSScheduleNotFoundError, 'SCHEDULE_NOT_FOUND');
    assert.deepEqual(await DBOS.listSchedules(), []);
    assert.deepEqual(await DBOS.listWorkflows(), [], 'no workflow was started');
  });

  test('the queueName option puts the runs on that queue', { timeout: 30_000 }, async () => {
    await launch(backend);
    await DBOS.createSchedule({
      scheduleName: 'queued',
      workflowFn: record,
      schedule: '* * * * * *',
      options: { queueName: 'dyn.queue' },
    });
    await until('a slot of "queued"', () => runsOf('queued').length >= 1);
    const first = runsOf('queued')[0]!;
    assert.equal((await DBOS.getWorkflowStatus(first.workflowID))?.queueName, 'dyn.queue');
    const triggered = await DBOS.triggerSchedule('queued');
    await triggered.getResult();
    assert.equal((await triggered.getStatus())?.queueName, 'dyn.queue');

    await DBOS.updateSchedule('queued', { queueName: null });
    const clearedAt = Date.now();
    await until('a slot after the queue was cleared', () => runsOf('queued').some((r) => r.scheduled.getTime() > clearedAt + 1_000));
    const later = runsOf('queued').find((r) => r.scheduled.getTime() > clearedAt + 1_000)!;
    assert.equal((await DBOS.getWorkflowStatus(later.workflowID))?.queueName, internalQueue);
    assertEachSlotOnce(runsOf('queued'), 'queued');
  });

  test('applySchedules inserts and redefines, keeping status and lastFiredAt', { timeout: 30_000 }, async () => {
    await launch(backend);
    await DBOS.createSchedule({ scheduleName: 'kept', workflowFn: record, schedule: '* * * * * *', context: { v: 1 } });
    await until('"kept" to fire', async () => (await DBOS.getSchedule('kept'))?.lastFiredAt != null);
    await DBOS.pauseSchedule('kept');
    const before = (await DBOS.getSchedule('kept'))!;

    await DBOS.applySchedules([
      { scheduleName: 'kept', workflowFn: other, schedule: never, context: { v: 2 }, cronTimezone: 'UTC', automaticBackfill: true },
      { scheduleName: 'fresh', workflowFn: record, schedule: never, context: { v: 3 }, queueName: 'dyn.queue' },
    ]);
    const kept = (await DBOS.getSchedule('kept'))!;
    assert.equal(kept.status, 'PAUSED', 'the status is kept');
    assert.equal(kept.scheduleId, before.scheduleId, 'the ID is kept');
    assert.ok(kept.lastFiredAt !== null && Date.parse(kept.lastFiredAt) >= Date.parse(before.lastFiredAt!), 'lastFiredAt is kept');
    assert.deepEqual(
      [kept.workflowName, kept.schedule, kept.context, kept.cronTimezone, kept.automaticBackfill, kept.queueName],
      ['dyn.other', never, { v: 2 }, 'UTC', true, null],
    );
    const fresh = (await DBOS.getSchedule('fresh'))!;
    assert.deepEqual(
      [fresh.status, fresh.workflowName, fresh.context, fresh.queueName, fresh.lastFiredAt, fresh.automaticBackfill],
      ['ACTIVE', 'dyn.record', { v: 3 }, 'dyn.queue', null, false],
    );

    // Applying the same definitions again changes nothing.
    await DBOS.applySchedules([
      { scheduleName: 'fresh', workflowFn: record, schedule: never, context: { v: 3 }, queueName: 'dyn.queue' },
    ]);
    assert.deepEqual(await DBOS.getSchedule('fresh'), fresh);
    assert.deepEqual((await DBOS.listSchedules()).map((s) => s.scheduleName), ['fresh', 'kept']);

    const refused = await DBOS.startWorkflow(applier)();
    assert.equal(await refused.getResult(), 'DBOSConfigurationError', 'applySchedules is refused from workflow code');
    assert.equal(await DBOS.getSchedule('applied-in-workflow'), null);
  });

  test('automaticBackfill runs the slots missed while down, each once; without it they are skipped', { timeout: 60_000 }, async () => {
    const config = await launch(backend);
    await DBOS.createSchedule({
      scheduleName: 'catchup',
      workflowFn: record,
      schedule: '* * * * * *',
      options: { automaticBackfill: true },
    });
    await DBOS.createSchedule({ scheduleName: 'skipper', workflowFn: record, schedule: '* * * * * *' });
    await until('2 slots of each', () => runsOf('catchup').length >= 2 && runsOf('skipper').length >= 2);
    // Shut down between two slots, not while one is being run.
    const seen = runsOf('catchup').length;
    await until('the next slot', () => runsOf('catchup').length > seen);
    await sleep(150);
    await DBOS.shutdown();
    const downFrom = Date.now();
    await sleep(2_500);
    const downUntil = Date.now();
    DBOS.setConfig(config);
    await DBOS.launch();
    await until('slots after the relaunch', () =>
      [runsOf('catchup'), runsOf('skipper')].every((list) => list.some((r) => r.scheduled.getTime() > downUntil + 1_000)),
    );
    await DBOS.pauseSchedule('catchup');
    await DBOS.pauseSchedule('skipper');

    const catchup = runsOf('catchup');
    const skipper = runsOf('skipper');
    assertEachSlotOnce(catchup, 'catchup');
    assertEachSlotOnce(skipper, 'skipper');
    const missedWhileDown = (list: Run[]) =>
      list.filter((r) => r.scheduled.getTime() > downFrom + 200 && r.scheduled.getTime() < downUntil - 200);
    assert.ok(missedWhileDown(catchup).length >= 2, `the slots missed while down ran: ${catchup.map((r) => r.workflowID).join(', ')}`);
    assert.ok(missedWhileDown(catchup).every((r) => r.ranAt >= downUntil), 'they ran after the relaunch');
    assert.deepEqual(gaps(catchup), [], 'no slot of the automaticBackfill schedule is missing');
    assert.deepEqual(missedWhileDown(skipper), [], 'without automaticBackfill the slots missed while down are skipped');
    assert.ok(gaps(skipper).length >= 2, 'without automaticBackfill there is a gap');
  });

  test('schedule changes made from workflow code are recorded as steps and not repeated by replay', { timeout: 30_000 }, async () => {
    const config = await launch(backend);
    await DBOS.createSchedule({ scheduleName: 'doomed-by-workflow', workflowFn: record, schedule: never });
    const workflowID = 'schedule-manager';
    await DBOS.startWorkflow(manager, { workflowID })();
    await reached.promise;

    const steps = await DBOS.listWorkflowSteps(workflowID);
    assert.deepEqual(steps?.map((s) => [s.functionID, s.name]), [
      [0, 'DBOS.createSchedule'],
      [1, 'DBOS.updateSchedule'],
      [2, 'DBOS.pauseSchedule'],
      [3, 'DBOS.resumeSchedule'],
      [4, 'DBOS.deleteSchedule'],
      [5, 'DBOS.triggerSchedule'],
      [6, 'DBOS.backfillSchedule'],
    ]);
    assert.equal(managerStarts.length, 1);
    assert.equal(managerStarts[0]!.length, 2, 'one trigger and one backfilled slot');
    const made = await DBOS.getSchedule('from-workflow');
    assert.deepEqual([made?.status, made?.context], ['ACTIVE', { by: 'workflow', version: 2 }]);
    assert.equal(await DBOS.getSchedule('doomed-by-workflow'), null);

    // Changes made since: a replay that made the workflow's changes again would undo them (or fail).
    await DBOS.updateSchedule('from-workflow', { context: { by: 'test' } });
    await DBOS.pauseSchedule('from-workflow');
    await DBOS.createSchedule({ scheduleName: 'doomed-by-workflow', workflowFn: other, schedule: never });

    gate = deferred();
    gate.resolve();
    await crashAndRelaunch(config);
    assert.equal(await DBOS.retrieveWorkflow(workflowID).getResult(), 'managed', 'the replayed create did not fail as a duplicate');
    const status = await DBOS.getWorkflowStatus(workflowID);
    assert.equal(status?.recoveryAttempts, 2, 'the workflow was replayed');
    const after = await DBOS.getSchedule('from-workflow');
    assert.deepEqual([after?.status, after?.context], ['PAUSED', { by: 'test' }], 'the update, pause and resume were not repeated');
    assert.equal((await DBOS.getSchedule('doomed-by-workflow'))?.workflowName, 'dyn.other', 'the delete was not repeated');
    assert.equal((await DBOS.listWorkflowSteps(workflowID))?.length, 7);
    assert.equal(managerStarts.length, 2);
    assert.deepEqual(managerStarts[1], managerStarts[0], 'the replay returned the runs started the first time');
    const started = await DBOS.listWorkflows({ scheduleName: 'from-workflow' });
    assert.deepEqual(started.map((w) => w.workflowID).sort(), [...managerStarts[0]!].sort(), 'no run was started again');
  });
});
