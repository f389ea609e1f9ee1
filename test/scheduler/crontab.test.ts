/** Crontab parsing and validation, and the registration checks built on it (pure: no database). */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { DBOS, DBOSConfigurationError, SchedulerMode } from '../../src/index.ts';
import { CronExpression } from '../../src/scheduler/cron-expression.ts';
import { scheduledWorkflowID } from '../../src/scheduler/scheduler.ts';

const utc = (iso: string) => new Date(iso);

test('five fields: minute precision, next match strictly after the given time', () => {
  const cron = CronExpression.parse('*/15 * * * *', 'UTC');
  assert.equal(cron.next(utc('2024-01-01T00:00:00.000Z'))?.toISOString(), '2024-01-01T00:15:00.000Z');
  assert.equal(cron.next(utc('2024-01-01T00:14:59.999Z'))?.toISOString(), '2024-01-01T00:15:00.000Z');
});

test('six fields: a leading seconds field', () => {
  const cron = CronExpression.parse('*/1 * * * * *', 'UTC');
  assert.equal(cron.next(utc('2024-01-01T00:00:00.400Z'))?.toISOString(), '2024-01-01T00:00:01.000Z');
  assert.deepEqual(
    cron.between(utc('2024-01-01T00:00:00.000Z'), utc('2024-01-01T00:00:03.000Z')).map((d) => d.toISOString()),
    ['2024-01-01T00:00:01.000Z', '2024-01-01T00:00:02.000Z', '2024-01-01T00:00:03.000Z'],
  );
});

test('names, ranges, lists, and 7 as Sunday', () => {
  // 2024-01-01 is a Monday.
  assert.equal(CronExpression.parse('0 12 * * MON-FRI', 'UTC').next(utc('2024-01-01T00:00:00Z'))?.toISOString(), '2024-01-01T12:00:00.000Z');
  assert.equal(CronExpression.parse('0 0 * * 7', 'UTC').next(utc('2024-01-01T00:00:00Z'))?.toISOString(), '2024-01-07T00:00:00.000Z');
  assert.equal(CronExpression.parse('0 0 1 FEB,MAR *', 'UTC').next(utc('2024-01-01T00:00:00Z'))?.toISOString(), '2024-02-01T00:00:00.000Z');
});

test('a time zone shifts the fire times (durably extension)', () => {
  const cron = CronExpression.parse('0 9 * * *', 'America/New_York');
  assert.equal(cron.next(utc('2024-01-01T00:00:00Z'))?.toISOString(), '2024-01-01T14:00:00.000Z');
  assert.equal(cron.next(utc('2024-07-01T00:00:00Z'))?.toISOString(), '2024-07-01T13:00:00.000Z');
});

test('invalid crontabs are DBOSConfigurationErrors', () => {
  for (const bad of ['', 'bad', '* * * *', '* * * * * * *', '60 * * * *', '* 25 * * *', '* * * 13 *', '@daily']) {
    assert.throws(() => CronExpression.parse(bad), DBOSConfigurationError, `crontab ${JSON.stringify(bad)}`);
  }
  assert.throws(() => CronExpression.parse('* * * * *', 'Nowhere/Atlantis'), DBOSConfigurationError);
});

test('registerScheduled validates at registration', () => {
  const wf = DBOS.registerWorkflow(async (_s: Date, _a: Date) => undefined, { name: 'crontabValidationTarget' });
  assert.throws(() => DBOS.registerScheduled(wf, { crontab: '* * *' }), DBOSConfigurationError);
  assert.throws(() => DBOS.registerScheduled(wf, { crontab: '* * * * *', mode: 'Sometimes' as SchedulerMode }), DBOSConfigurationError);
  assert.throws(() => DBOS.registerScheduled(wf, { crontab: '* * * * *', timezone: 'Not/AZone' }), DBOSConfigurationError);
  assert.throws(() => DBOS.scheduled({ crontab: '99 * * * *' })(async () => undefined, { kind: 'method', name: 'x', static: true, addInitializer() {} } as never), DBOSConfigurationError);
});

test('scheduled workflow IDs name the schedule and the slot', () => {
  assert.equal(scheduledWorkflowID('Reports.nightly', utc('2024-01-01T00:00:00Z')), 'sched-Reports.nightly-2024-01-01T00:00:00.000Z');
  assert.equal(SchedulerMode.ExactlyOncePerIntervalWhenActive, 'ExactlyOncePerIntervalWhenActive');
});
