/**
 * `durably workflow replay ID` and `durably verify --since 1d`: replay
 * verification (engine/replay-verification.ts) from the command line. The CLI
 * has no application code of its own, so `--app MODULE` names a JavaScript
 * module of the application that registers its workflows when imported (and
 * does not launch): the CLI imports it, then replays recorded histories
 * against those registrations, on the database given by --db. Nothing is run
 * or written: this is the pre-deploy check (run it in CI with the new code
 * against a copy of production's system database). Exit code 1 when a
 * workflow diverges.
 */
import { resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { Engine } from '../../engine/engine.ts';
import { verifyWorkflowReplay, type ReplayReport } from '../../engine/replay-verification.ts';
import { DBOSCommandUsageError, DBOSReplayDivergenceError } from '../../errors/errors.ts';
import { listWorkflows } from '../../management/list-workflows.ts';
import { registry } from '../../runtime/process-registry.ts';
import type { WorkflowStatusString } from '../../types/workflow-types.ts';
import type { Command, OptionValues } from '../command.ts';
import { withManagedDatabase } from '../cli-database.ts';
import { choiceListOption, integerOption, listOption, stringOption } from '../option-values.ts';
import { recordText, tableText } from '../print.ts';
import { workflowStatuses } from './workflow-reads.ts';

const appOption = { app: { type: 'string' } } as const;
const appHelp = ['--app MODULE', "the application's module that registers its workflows when imported (.js/.mjs; required)"] as const;

/** Import the application's module, so its workflows are registered in this process. */
async function loadApplication(values: OptionValues): Promise<void> {
  const module = stringOption(values, 'app');
  if (!module) throw new DBOSCommandUsageError('--app MODULE is required: the module of your application that registers its workflows.');
  await import(pathToFileURL(resolve(module)).href);
}

/** An engine that only reads: the database's, with the application's registrations (patching allowed, as recorded). */
function replayEngine(database: Engine): Engine {
  return new Engine(database.systemDatabase, registry, database.identity, database.logger, undefined, true);
}

const durationUnits: Record<string, number> = { ms: 1, s: 1000, m: 60_000, h: 3_600_000, d: 86_400_000, w: 604_800_000 };

/** --since: a duration back from now (30m, 12h, 1d, 2w), an ISO 8601 time, or epoch milliseconds. */
export function sinceOption(values: OptionValues, name: string, now = Date.now()): number | undefined {
  const text = stringOption(values, name);
  if (text === undefined) return undefined;
  const duration = /^(\d+)(ms|s|m|h|d|w)$/.exec(text);
  if (duration) return now - Number(duration[1]) * durationUnits[duration[2]!]!;
  const epochMs = /^\d+$/.test(text) ? Number(text) : Date.parse(text);
  if (!Number.isFinite(epochMs)) {
    throw new DBOSCommandUsageError(`--${name} must be a duration (30m, 12h, 1d, 2w), an ISO 8601 time or epoch milliseconds, got "${text}".`);
  }
  return epochMs;
}

function reportText(report: ReplayReport): string {
  return recordText([
    ['Workflow ID', report.workflowID],
    ['Name', report.workflowName],
    ['Status', report.status],
    ['Replays', report.ok ? 'yes' : 'NO'],
    ['Operations', `${report.replayedOperations} of ${report.recordedOperations} recorded replayed`],
    ['Divergence', report.divergence?.message],
  ]);
}

function failIfDiverged(reports: readonly ReplayReport[]): void {
  const diverged = reports.filter((report) => !report.ok);
  if (diverged.length > 0) throw new DBOSReplayDivergenceError(diverged.map((r) => r.workflowID), diverged[0]!.divergence!.message);
}

const replay: Command = {
  words: ['workflow', 'replay'],
  args: ['WORKFLOW_ID'],
  summary: "replay a workflow's recorded history against the application's code (runs nothing)",
  options: appOption,
  optionHelp: [appHelp],
  async run({ values, args, env, out }) {
    const [workflowID] = args as [string];
    await loadApplication(values);
    const report = await withManagedDatabase(values, env, (engine) => verifyWorkflowReplay(replayEngine(engine), workflowID));
    out.result(report, () => reportText(report));
    failIfDiverged([report]);
  },
};

const defaultVerifyLimit = 1000;

const verify: Command = {
  words: ['verify'],
  args: [],
  summary: "replay every workflow of the application created in a time range against its code (the pre-deploy check)",
  options: {
    ...appOption,
    since: { type: 'string' },
    status: { type: 'string', multiple: true },
    name: { type: 'string', multiple: true },
    limit: { type: 'string' },
  },
  optionHelp: [
    appHelp,
    ['--since WHEN', 'created at or after WHEN: a duration back from now (1d, 12h), ISO 8601 or epoch ms (default 1d)'],
    ['--status S[,S]', `only these statuses (default: all; ${workflowStatuses.join(', ')})`],
    ['--name NAME', 'only workflows of this name (repeatable)'],
    ['--limit N', `at most N workflows, newest first (default ${defaultVerifyLimit})`],
  ],
  async run({ values, env, out }) {
    const since = sinceOption(values, 'since') ?? Date.now() - durationUnits.d!;
    const input = {
      startTime: new Date(since).toISOString(),
      status: choiceListOption(values, 'status', workflowStatuses) as WorkflowStatusString[] | undefined,
      workflowName: listOption(values, 'name'),
      limit: integerOption(values, 'limit', 1) ?? defaultVerifyLimit,
      sortDesc: true,
      loadInput: false,
      loadOutput: false,
    };
    await loadApplication(values);
    const reports = await withManagedDatabase(values, env, async (engine) => {
      const replayer = replayEngine(engine);
      const results: ReplayReport[] = [];
      for (const workflow of await listWorkflows(engine, input)) results.push(await verifyWorkflowReplay(replayer, workflow.workflowID));
      return results;
    });
    out.result(reports, () =>
      tableText(
        ['WORKFLOW ID', 'NAME', 'STATUS', 'REPLAYS', 'DIVERGENCE'],
        reports.map((r) => [r.workflowID, r.workflowName, r.status, r.ok ? 'yes' : 'NO', r.divergence?.message ?? '']),
        '(no workflows in that range)',
      ),
    );
    failIfDiverged(reports);
  },
};

export const replayCommands: Command[] = [replay, verify];
