/**
 * `durably workflow cancel | resume | delete | fork`: steering one workflow
 * through the functions DBOS.cancelWorkflow and friends use. Each checks the
 * workflow exists first (the library's bulk forms skip unknown IDs silently;
 * an operator who mistypes an ID should hear about it).
 */
import { DBOSCommandUsageError, DBOSNonExistentWorkflowError } from '../../errors/errors.ts';
import type { Engine } from '../../engine/engine.ts';
import { cancelWorkflowIDs, deleteWorkflows, forkWorkflow, resumeWorkflowIDs } from '../../management/workflow-control.ts';
import type { Command, CommandInput } from '../command.ts';
import { withManagedDatabase } from '../cli-database.ts';
import { integerOption, stringOption } from '../option-values.ts';

async function existingStatus(engine: Engine, workflowID: string): Promise<string> {
  const row = await engine.systemDatabase.getWorkflowStatus(workflowID);
  if (!row) throw new DBOSNonExistentWorkflowError(`There is no workflow "${workflowID}".`, { workflowID });
  return row.status;
}

/**
 * One workflow changed by `change`, which returns the status it set (undefined: it changed nothing); prints the
 * status before and that one. Not a read afterwards: a running application may already have moved the workflow
 * on (a resumed one dequeued within milliseconds is PENDING again).
 */
function steering(
  verb: string,
  summary: string,
  change: (engine: Engine, workflowID: string, input: CommandInput) => Promise<string | undefined>,
): Command {
  return {
    words: ['workflow', verb],
    args: ['WORKFLOW_ID'],
    summary,
    options: {},
    optionHelp: [],
    async run(input) {
      const [workflowID] = input.args as [string];
      const result = await withManagedDatabase(input.values, input.env, async (engine) => {
        const before = await existingStatus(engine, workflowID);
        const after = (await change(engine, workflowID, input)) ?? before;
        return { workflowID, before, after };
      });
      input.out.result(result, () =>
        result.before === result.after
          ? `Workflow ${workflowID} is ${result.after} (unchanged).\n`
          : `Workflow ${workflowID}: ${result.before} -> ${result.after}.\n`,
      );
    },
  };
}

const cancel = steering('cancel', 'cancel a workflow (and the workflows it started) that has not finished', async (engine, id) =>
  (await cancelWorkflowIDs(engine, [id])).includes(id) ? 'CANCELLED' : undefined,
);

const resume = steering('resume', 'run a cancelled or failed-over workflow again from its last recorded step', async (engine, id) =>
  (await resumeWorkflowIDs(engine, [id])).includes(id) ? 'ENQUEUED' : undefined,
);

const remove = steering('delete', 'delete a workflow and everything it recorded, irreversibly', async (engine, id) => {
  await deleteWorkflows(engine, [id]);
  return 'DELETED';
});

const fork: Command = {
  words: ['workflow', 'fork'],
  args: ['WORKFLOW_ID'],
  summary: "start a new workflow with this one's inputs, reusing its recorded steps before --step",
  options: {
    step: { type: 'string' },
    'new-id': { type: 'string' },
    'app-version': { type: 'string' },
  },
  optionHelp: [
    ['--step N', 'the first step to run again (required; 0 runs everything again)'],
    ['--new-id ID', "the new workflow's ID (default: a random UUID)"],
    ['--app-version V', 'run the fork under this application version (default: the original\'s)'],
  ],
  async run({ values, args, env, out }) {
    const [workflowID] = args as [string];
    const startStep = integerOption(values, 'step', 0);
    if (startStep === undefined) throw new DBOSCommandUsageError('workflow fork needs --step N (the first step to run again).');
    const options = { newWorkflowID: stringOption(values, 'new-id'), applicationVersion: stringOption(values, 'app-version') };
    const handle = await withManagedDatabase(values, env, async (engine) => {
      await existingStatus(engine, workflowID);
      return forkWorkflow(engine, workflowID, startStep, options);
    });
    const result = { workflowID: handle.workflowID, forkedFrom: workflowID, startStep };
    out.result(result, () => `Forked ${workflowID} from step ${startStep}: new workflow ${handle.workflowID}.\n`);
  },
};

export const workflowControlCommands: Command[] = [cancel, resume, remove, fork];
