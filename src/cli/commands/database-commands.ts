/**
 * `durably migrate | reset | gc`: the system database as a whole. `migrate`
 * is the only command that changes the schema (for deploy pipelines that
 * migrate before rolling out workers that may not); `reset` drops it and
 * asks for -y; `gc` is DBOS's garbage collection (its admin server's
 * cutoff_epoch_timestamp_ms and rows_threshold), scoped as DBOS scopes it:
 * the application's workflows (--app-name, else package.json's name) and
 * unowned ones.
 */
import { DBOSCommandUsageError } from '../../errors/errors.ts';
import { describeTarget } from '../../client/client-database.ts';
import { migrateSystemDatabase, resetSystemDatabase } from '../../management/schema-admin.ts';
import { garbageCollect } from '../../management/workflow-control.ts';
import type { Command } from '../command.ts';
import { cliLogger, resolveCliDatabase, withManagedDatabase } from '../cli-database.ts';
import { integerOption, timeOption } from '../option-values.ts';

const migrate: Command = {
  words: ['migrate'],
  args: [],
  summary: "create the system database, or upgrade it to this durably's schema",
  options: {},
  optionHelp: [],
  async run({ values, env, out }) {
    const { target } = resolveCliDatabase(values, env);
    const version = await migrateSystemDatabase(target, cliLogger);
    const where = describeTarget(target);
    out.result({ database: where, schemaVersion: version }, () => `System database ${where} is at schema version ${version}.\n`);
  },
};

const reset: Command = {
  words: ['reset'],
  args: [],
  summary: 'drop the system database (every workflow, queue, schedule): the SQLite file, or the Postgres schema',
  options: { yes: { type: 'boolean', short: 'y' } },
  optionHelp: [['-y, --yes', 'confirm (required)']],
  async run({ values, env, out }) {
    const { target } = resolveCliDatabase(values, env);
    const where = describeTarget(target);
    if (values.yes !== true) {
      throw new DBOSCommandUsageError(`reset drops the system database ${where} with every workflow in it; pass -y to confirm.`);
    }
    await resetSystemDatabase(target);
    out.result({ database: where, dropped: true }, () => `Dropped the system database ${where}.\n`);
  },
};

const gc: Command = {
  words: ['gc'],
  args: [],
  summary:
    'delete finished workflows created before --cutoff, or beyond the newest --rows-threshold (never unfinished ones), ' +
    "of --app-name's application and unowned ones, as DBOS's garbage collection",
  options: { cutoff: { type: 'string' }, 'rows-threshold': { type: 'string' } },
  optionHelp: [
    ['--cutoff TIME', 'delete finished workflows created before TIME (ISO 8601 or epoch ms)'],
    ['--rows-threshold N', 'keep only the newest N workflows (finished ones beyond them are deleted)'],
  ],
  async run({ values, env, out }) {
    const cutoffEpochTimestampMs = timeOption(values, 'cutoff');
    const rowsThreshold = integerOption(values, 'rows-threshold', 0);
    if (cutoffEpochTimestampMs === undefined && rowsThreshold === undefined) {
      throw new DBOSCommandUsageError('gc needs --cutoff TIME, --rows-threshold N, or both.');
    }
    const deleted = await withManagedDatabase(values, env, (engine) => garbageCollect(engine, { cutoffEpochTimestampMs, rowsThreshold }));
    out.result({ deleted }, () => `Deleted ${deleted} finished workflow(s).\n`);
  },
};

export const databaseCommands: Command[] = [migrate, reset, gc];
