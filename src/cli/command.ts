/**
 * The shape of one CLI command (`durably <group> <verb>`): its words, its
 * arguments and options (node:util parseArgs's format), its help, and what
 * it does. Each file under commands/ exports a list of these.
 */
import type { ParseArgsConfig } from 'node:util';
import type { CliOutput } from './print.ts';

export type OptionSpecs = NonNullable<ParseArgsConfig['options']>;
export type OptionValues = Record<string, string | boolean | (string | boolean)[] | undefined>;

export interface CommandInput {
  /** The parsed options, by long name. */
  values: OptionValues;
  /** The positional arguments, as many as the command names. */
  args: string[];
  env: NodeJS.ProcessEnv;
  out: CliOutput;
}

export interface Command {
  /** The words that select it: ['workflow', 'list'], or ['migrate']. */
  words: readonly string[];
  /** Names of its positional arguments, all required (shown in its usage line). */
  args: readonly string[];
  summary: string;
  options: OptionSpecs;
  /** Help lines for its own options: [flag text, what it does]. */
  optionHelp: readonly (readonly [string, string])[];
  run(input: CommandInput): Promise<void>;
}
