/**
 * `durably schedule list | pause | resume | trigger | backfill`: dynamic
 * schedules (DBOS.createSchedule's). Runs started here are enqueued by
 * workflow name, for the application's workers to run.
 */
import { DBOSCommandUsageError } from '../../errors/errors.ts';
import { listSchedules, setScheduleStatus, type WorkflowSchedule } from '../../scheduler/dynamic-schedules.ts';
import { backfillScheduleByName, triggerScheduleByName } from '../../scheduler/schedules-by-name.ts';
import type { Command } from '../command.ts';
import { withManagedDatabase } from '../cli-database.ts';
import { choiceListOption, listOption, timeOption } from '../option-values.ts';
import { tableText } from '../print.ts';

function scheduleTable(schedules: readonly WorkflowSchedule[]): string {
  return tableText(
    ['SCHEDULE', 'WORKFLOW', 'CRONTAB', 'STATUS', 'LAST FIRED', 'QUEUE'],
    schedules.map((s) => [
      s.scheduleName,
      s.workflowClassName ? `${s.workflowClassName}.${s.workflowName}` : s.workflowName,
      s.cronTimezone ? `${s.schedule} (${s.cronTimezone})` : s.schedule,
      s.status,
      s.lastFiredAt ?? '',
      s.queueName ?? '',
    ]),
    '(no schedules)',
  );
}

const list: Command = {
  words: ['schedule', 'list'],
  args: [],
  summary: 'list dynamic schedules',
  options: { status: { type: 'string', multiple: true }, workflow: { type: 'string', multiple: true }, prefix: { type: 'string', multiple: true } },
  optionHelp: [
    ['--status S', 'only ACTIVE or PAUSED schedules'],
    ['--workflow NAME', 'only schedules of this workflow (repeatable)'],
    ['--prefix P', 'only schedules whose name starts with P (repeatable)'],
  ],
  async run({ values, env, out }) {
    const filters = {
      status: choiceListOption(values, 'status', ['ACTIVE', 'PAUSED']),
      workflowName: listOption(values, 'workflow'),
      scheduleNamePrefix: listOption(values, 'prefix'),
    };
    const schedules = await withManagedDatabase(values, env, (engine) => listSchedules(engine, filters));
    out.result(schedules, () => scheduleTable(schedules));
  },
};

function statusChange(verb: 'pause' | 'resume', status: 'PAUSED' | 'ACTIVE'): Command {
  return {
    words: ['schedule', verb],
    args: ['SCHEDULE_NAME'],
    summary: verb === 'pause' ? 'stop firing a schedule until it is resumed' : 'fire a paused schedule again',
    options: {},
    optionHelp: [],
    async run({ values, args, env, out }) {
      const [name] = args as [string];
      await withManagedDatabase(values, env, (engine) => setScheduleStatus(engine, name, status));
      out.result({ scheduleName: name, status }, () => `Schedule ${name} is ${status}.\n`);
    },
  };
}

const trigger: Command = {
  words: ['schedule', 'trigger'],
  args: ['SCHEDULE_NAME'],
  summary: "enqueue one run of a schedule's workflow now, whatever its status",
  options: {},
  optionHelp: [],
  async run({ values, args, env, out }) {
    const [name] = args as [string];
    const handle = await withManagedDatabase(values, env, (engine) => triggerScheduleByName(engine, name, 'durably schedule trigger'));
    out.result({ scheduleName: name, workflowID: handle.workflowID }, () => `Enqueued run ${handle.workflowID} of schedule ${name}.\n`);
  },
};

const backfill: Command = {
  words: ['schedule', 'backfill'],
  args: ['SCHEDULE_NAME'],
  summary: 'enqueue every slot of a schedule in [--start, --end) that has not run',
  options: { start: { type: 'string' }, end: { type: 'string' } },
  optionHelp: [
    ['--start TIME', 'first slot time, included (ISO 8601 or epoch ms; required)'],
    ['--end TIME', 'end of the range, excluded (ISO 8601 or epoch ms; required)'],
  ],
  async run({ values, args, env, out }) {
    const [name] = args as [string];
    const start = timeOption(values, 'start');
    const end = timeOption(values, 'end');
    if (start === undefined || end === undefined) throw new DBOSCommandUsageError('schedule backfill needs --start TIME and --end TIME.');
    if (end <= start) throw new DBOSCommandUsageError('schedule backfill: --end must be after --start.');
    const handles = await withManagedDatabase(values, env, (engine) =>
      backfillScheduleByName(engine, name, new Date(start), new Date(end), 'durably schedule backfill'),
    );
    const workflowIDs = handles.map((h) => h.workflowID);
    out.result({ scheduleName: name, workflowIDs }, () =>
      `Enqueued ${workflowIDs.length} run(s) of schedule ${name}${workflowIDs.map((id) => `\n  ${id}`).join('')}\n`,
    );
  },
};

export const scheduleCommands: Command[] = [list, statusChange('pause', 'PAUSED'), statusChange('resume', 'ACTIVE'), trigger, backfill];
