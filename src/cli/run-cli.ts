/**
 * The `durably` command line: finds the command the words name, parses its
 * options (node:util parseArgs, strict), runs it, and turns the outcome into
 * an exit code: 0 done, 1 failed, 2 bad usage. A failure is one line on
 * stderr (`durably: <message>`), or with --json one JSON object
 * `{"error":{"code","message"}}` on stderr; stdout carries only results.
 */
import { parseArgs } from 'node:util';
import { DBOSCommandUsageError } from '../errors/errors.ts';
import type { Command, OptionValues } from './command.ts';
import { databaseOptions } from './cli-database.ts';
import { dashboardCommands } from './commands/dashboard-command.ts';
import { databaseCommands } from './commands/database-commands.ts';
import { queueCommands } from './commands/queue-commands.ts';
import { replayCommands } from './commands/replay-commands.ts';
import { scheduleCommands } from './commands/schedule-commands.ts';
import { versionCommands } from './commands/version-commands.ts';
import { workflowControlCommands } from './commands/workflow-control.ts';
import { workflowReadCommands } from './commands/workflow-reads.ts';
import { commandHelp, groupHelp, toolHelp } from './help-text.ts';
import { cliOutput, jsonText } from './print.ts';

export const commands: readonly Command[] = [
  ...workflowReadCommands,
  ...workflowControlCommands,
  ...replayCommands,
  ...queueCommands,
  ...scheduleCommands,
  ...versionCommands,
  ...databaseCommands,
  ...dashboardCommands,
];

export interface CliIO {
  stdout(text: string): void;
  stderr(text: string): void;
  env: NodeJS.ProcessEnv;
}

const isHelp = (word: string | undefined) => word === '--help' || word === '-h';

/** Help printed on request (exit 0). */
class HelpRequest {
  constructor(readonly text: string) {}
}

/** The command `argv` names and the words after it; help, or a usage error, when it names none. */
function findCommand(argv: readonly string[]): { command: Command; rest: string[] } {
  const [first, second] = argv;
  if (first === undefined || isHelp(first)) {
    if (first === undefined) throw new DBOSCommandUsageError('no command given; run `durably --help` for the list.');
    throw new HelpRequest(toolHelp(commands));
  }
  const single = commands.find((c) => c.words.length === 1 && c.words[0] === first);
  if (single) return { command: single, rest: argv.slice(1) };
  const group = commands.filter((c) => c.words[0] === first);
  if (group.length === 0) throw new DBOSCommandUsageError(`unknown command "${first}"; run \`durably --help\` for the list.`);
  if (second === undefined || isHelp(second)) {
    if (second === undefined) throw new DBOSCommandUsageError(`\`durably ${first}\` needs a verb: ${group.map((c) => c.words[1]).join(', ')}.`);
    throw new HelpRequest(groupHelp(first, group));
  }
  const command = group.find((c) => c.words[1] === second);
  if (!command) {
    throw new DBOSCommandUsageError(`unknown verb "${first} ${second}"; the verbs are: ${group.map((c) => c.words[1]).join(', ')}.`);
  }
  return { command, rest: argv.slice(2) };
}

function parseCommandLine(command: Command, rest: string[]): { values: OptionValues; args: string[] } {
  let parsed;
  try {
    parsed = parseArgs({
      args: rest,
      options: { ...databaseOptions, json: { type: 'boolean' }, help: { type: 'boolean', short: 'h' }, ...command.options },
      allowPositionals: true,
      strict: true,
    });
  } catch (error) {
    // parseArgs's messages are already one line naming the option.
    throw new DBOSCommandUsageError(`${command.words.join(' ')}: ${(error as Error).message}`);
  }
  if (parsed.values.help === true) throw new HelpRequest(commandHelp(command));
  if (parsed.positionals.length !== command.args.length) {
    const expected = command.args.length === 0 ? 'no arguments' : command.args.join(' ');
    throw new DBOSCommandUsageError(
      `${command.words.join(' ')} takes ${expected}, got ${parsed.positionals.length === 0 ? 'none' : `"${parsed.positionals.join(' ')}"`}.`,
    );
  }
  return { values: parsed.values as OptionValues, args: parsed.positionals };
}

function report(error: unknown, json: boolean, io: CliIO): number {
  const exitCode = error instanceof DBOSCommandUsageError ? 2 : 1;
  const message = (error instanceof Error ? error.message : String(error)).replace(/\s*\n\s*/g, ' ');
  const code = (error as { code?: unknown })?.code;
  if (json) io.stderr(`${jsonText({ error: { code: typeof code === 'string' ? code : 'ERROR', message, exitCode } })}\n`);
  else io.stderr(`durably: ${message}${exitCode === 2 ? ' (see --help)' : ''}\n`);
  return exitCode;
}

/** Run one command line; resolves to the process's exit code. */
export async function runCli(argv: readonly string[], io: CliIO): Promise<number> {
  const json = argv.includes('--json');
  try {
    const { command, rest } = findCommand(argv);
    const { values, args } = parseCommandLine(command, rest);
    await command.run({ values, args, env: io.env, out: cliOutput(json, io.stdout) });
    return 0;
  } catch (error) {
    if (error instanceof HelpRequest) {
      io.stdout(error.text);
      return 0;
    }
    return report(error, json, io);
  }
}
