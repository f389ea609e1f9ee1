/** The help the CLI prints: the whole tool, one group of verbs, or one command. */
import type { Command } from './command.ts';
import { databaseOptionHelp } from './cli-database.ts';

function optionLines(lines: readonly (readonly [string, string])[]): string {
  const width = Math.max(...lines.map(([flag]) => flag.length));
  return lines.map(([flag, text]) => `  ${flag.padEnd(width)}  ${text}`).join('\n');
}

function usageLine(command: Command): string {
  return ['durably', ...command.words, ...command.args, '[options]'].join(' ');
}

export function commandHelp(command: Command): string {
  const own = command.optionHelp.length > 0 ? `Options:\n${optionLines(command.optionHelp)}\n\n` : '';
  return `Usage: ${usageLine(command)}\n\n${command.summary[0]!.toUpperCase()}${command.summary.slice(1)}.\n\n${own}Common options:\n${optionLines(databaseOptionHelp)}\n`;
}

function commandList(commands: readonly Command[]): string {
  return optionLines(commands.map((c) => [[...c.words, ...c.args].join(' '), c.summary]));
}

export function groupHelp(group: string, commands: readonly Command[]): string {
  return `Usage: durably ${group} <verb> [options]\n\nVerbs:\n${commandList(commands)}\n\nRun \`durably ${group} <verb> --help\` for a verb's options.\n`;
}

export function toolHelp(commands: readonly Command[]): string {
  return (
    'Usage: durably <command> [options]\n\n' +
    'Manage the workflows of durably (and DBOS) applications in their system database.\n\n' +
    `Commands:\n${commandList(commands)}\n\n` +
    `Common options:\n${optionLines(databaseOptionHelp)}\n\n` +
    'Exit codes: 0 done, 1 failed (one line on stderr), 2 bad usage.\n'
  );
}
