/**
 * `durably workflow list | get | steps`: reading workflows through the same
 * listing functions DBOS.listWorkflows and DBOS.listWorkflowSteps use.
 */
import { defaultExecutorTimeoutMs } from '../../engine/engine.ts';
import { DBOSNonExistentWorkflowError } from '../../errors/errors.ts';
import { listWorkflows } from '../../management/list-workflows.ts';
import { listWorkflowSteps } from '../../management/workflow-control.ts';
import type { GetWorkflowsInput, WorkflowStatus, WorkflowStatusString } from '../../types/workflow-types.ts';
import type { Command } from '../command.ts';
import { withManagedDatabase } from '../cli-database.ts';
import { choiceListOption, integerOption, jsonObjectOption, listOption, timeOption } from '../option-values.ts';
import { cellText, recordText, tableText, timeText } from '../print.ts';

export const workflowStatuses = ['PENDING', 'SUCCESS', 'ERROR', 'MAX_RECOVERY_ATTEMPTS_EXCEEDED', 'CANCELLED', 'ENQUEUED', 'DELAYED'] as const;

const defaultLimit = 10;

function listInput(values: Parameters<Command['run']>[0]['values']): GetWorkflowsInput {
  const since = timeOption(values, 'since');
  const until = timeOption(values, 'until');
  return {
    status: choiceListOption(values, 'status', workflowStatuses) as WorkflowStatusString[] | undefined,
    workflowName: listOption(values, 'name'),
    queueName: listOption(values, 'queue'),
    applicationVersion: listOption(values, 'app-version'),
    applicationName: listOption(values, 'application-name'),
    attributes: jsonObjectOption(values, 'attributes'),
    startTime: since === undefined ? undefined : new Date(since).toISOString(),
    endTime: until === undefined ? undefined : new Date(until).toISOString(),
    limit: integerOption(values, 'limit', 1) ?? defaultLimit,
    offset: integerOption(values, 'offset', 0),
    sortDesc: values['oldest-first'] !== true,
    ...(values.stranded === true ? { stranded: true } : {}),
    loadInput: false,
    loadOutput: false,
  };
}

function workflowTable(workflows: readonly WorkflowStatus[], stranded: boolean): string {
  const table = tableText(
    ['WORKFLOW ID', 'STATUS', 'NAME', 'QUEUE', 'CREATED', 'APP VERSION'],
    workflows.map((w) => [w.workflowID, w.status, w.workflowName, w.queueName ?? '', timeText(w.createdAt), w.applicationVersion ?? '']),
    stranded ? '(no stranded workflows)' : '(no workflows)',
  );
  if (!stranded || workflows.length === 0) return table;
  return (
    `${table}\nStranded: no live process runs the APP VERSION each one needs. Relaunch that version, or launch ` +
    'a newer one with adoptCompatibleWorkflows: true to adopt those whose history replays against its code.'
  );
}

function statusText(w: WorkflowStatus): string {
  return recordText([
    ['Workflow ID', w.workflowID],
    ['Status', w.status],
    ['Name', w.workflowName],
    ['Class', w.workflowClassName || undefined],
    ['Config', w.workflowConfigName],
    ['Queue', w.queueName],
    ['Created', timeText(w.createdAt)],
    ['Updated', w.updatedAt === undefined ? undefined : timeText(w.updatedAt)],
    ['Completed', w.completedAt === undefined ? undefined : timeText(w.completedAt)],
    ['Application', w.applicationName],
    ['App version', w.applicationVersion],
    ['Executor', w.executorId],
    ['Parent', w.parentWorkflowID],
    ['Forked from', w.forkedFrom],
    ['Schedule', w.scheduleName],
    ['Input', w.input],
    ['Output', w.output],
    ['Error', w.error],
  ]);
}

const list: Command = {
  words: ['workflow', 'list'],
  args: [],
  summary: 'list workflows, newest first',
  options: {
    status: { type: 'string', multiple: true },
    name: { type: 'string', multiple: true },
    queue: { type: 'string', multiple: true },
    since: { type: 'string' },
    until: { type: 'string' },
    limit: { type: 'string' },
    offset: { type: 'string' },
    'app-version': { type: 'string', multiple: true },
    'application-name': { type: 'string', multiple: true },
    attributes: { type: 'string' },
    'oldest-first': { type: 'boolean' },
    stranded: { type: 'boolean' },
    'executor-timeout': { type: 'string' },
  },
  optionHelp: [
    ['--status S[,S]', `only these statuses (${workflowStatuses.join(', ')})`],
    ['--name NAME', 'only workflows of this name (repeatable)'],
    ['--queue NAME', 'only workflows on this queue (repeatable)'],
    ['--since TIME', 'created at or after TIME (ISO 8601 or epoch ms)'],
    ['--until TIME', 'created at or before TIME (ISO 8601 or epoch ms)'],
    ['--limit N', `at most N workflows (default ${defaultLimit})`],
    ['--offset N', 'skip the first N'],
    ['--app-version V', 'only workflows of this application version (repeatable)'],
    ['--application-name A', 'only workflows this application owns (repeatable; default: every application)'],
    ['--attributes JSON', 'only workflows whose attributes contain this JSON object (JSONB @>)'],
    ['--oldest-first', 'oldest first instead of newest first'],
    ['--stranded', 'only PENDING or ENQUEUED workflows whose application version no live process runs'],
    ['--executor-timeout MS', `a process silent this long is dead, for --stranded (default ${defaultExecutorTimeoutMs}; the application's executorTimeoutMs)`],
  ],
  async run({ values, env, out }) {
    const input = listInput(values);
    const executorTimeoutMs = integerOption(values, 'executor-timeout', 1);
    const workflows = await withManagedDatabase(values, env, (engine) => {
      if (executorTimeoutMs !== undefined) engine.executorTimeoutMs = executorTimeoutMs;
      return listWorkflows(engine, input);
    });
    out.result(workflows, () => workflowTable(workflows, input.stranded === true));
  },
};

const get: Command = {
  words: ['workflow', 'get'],
  args: ['WORKFLOW_ID'],
  summary: "show one workflow's status, inputs and outcome",
  options: {},
  optionHelp: [],
  async run({ values, args, env, out }) {
    const [workflowID] = args as [string];
    const [status] = await withManagedDatabase(values, env, (engine) => listWorkflows(engine, { workflowIDs: [workflowID] }));
    if (!status) throw new DBOSNonExistentWorkflowError(`There is no workflow "${workflowID}".`, { workflowID });
    out.result(status, () => statusText(status));
  },
};

const steps: Command = {
  words: ['workflow', 'steps'],
  args: ['WORKFLOW_ID'],
  summary: "list a workflow's recorded steps in order",
  options: {},
  optionHelp: [],
  async run({ values, args, env, out }) {
    const [workflowID] = args as [string];
    const found = await withManagedDatabase(values, env, (engine) => listWorkflowSteps(engine, workflowID));
    if (!found) throw new DBOSNonExistentWorkflowError(`There is no workflow "${workflowID}".`, { workflowID });
    out.result(found, () =>
      tableText(
        ['STEP', 'NAME', 'STARTED', 'MS', 'CHILD', 'OUTPUT OR ERROR'],
        found.map((s) => [
          String(s.functionID),
          s.name,
          timeText(s.startedAtEpochMs),
          s.startedAtEpochMs !== undefined && s.completedAtEpochMs !== undefined ? String(s.completedAtEpochMs - s.startedAtEpochMs) : '',
          s.childWorkflowID ?? '',
          s.error ? `error: ${cellText(s.error instanceof Error ? s.error.message : s.error)}` : cellText(s.output),
        ]),
        '(no steps recorded)',
      ),
    );
  },
};

export const workflowReadCommands: Command[] = [list, get, steps];
