/**
 * Which system database a command acts on, resolved as a launching app
 * resolves it (runtime/resolve-config.ts): --db, else DBOS_SYSTEM_DATABASE_URL,
 * else the SQLite file `./<name>.sqlite` of the app in the current folder
 * (name from --app-name, else package.json). Management commands open it as
 * a DBOSClient does: never migrated, a missing or older schema refused with
 * the remedy, `durably migrate`.
 */
import { DBOSInitializationError } from '../errors/errors.ts';
import { describeTarget, openClientEngineOn } from '../client/client-database.ts';
import type { Engine } from '../engine/engine.ts';
import { resolveConfig } from '../runtime/resolve-config.ts';
import type { SystemDatabaseTarget } from '../system-database/open-system-database.ts';
import { consoleLogger, type DLogger } from '../telemetry/logger.ts';
import type { OptionSpecs, OptionValues } from './command.ts';
import { stringOption } from './option-values.ts';

/** The options every command takes. */
export const databaseOptions: OptionSpecs = {
  db: { type: 'string' },
  schema: { type: 'string' },
  'app-name': { type: 'string' },
};

export const databaseOptionHelp: readonly (readonly [string, string])[] = [
  ['--db URL', 'system database: postgresql://... or a SQLite file (default: $DBOS_SYSTEM_DATABASE_URL, else ./<app>.sqlite)'],
  ['--schema NAME', 'Postgres schema of the system database (default dbos)'],
  ['--app-name NAME', "the application whose rows are shown (and unowned ones); default: package.json's name"],
  ['--json', 'print JSON (errors too, on stderr)'],
  ['-h, --help', 'show help'],
];

/** Failures of the CLI itself are reported as one line; the library's own logging stays quiet. */
export const cliLogger: DLogger = consoleLogger('silent');

export interface CliDatabase {
  target: SystemDatabaseTarget;
  applicationName: string;
}

export function resolveCliDatabase(values: OptionValues, env: NodeJS.ProcessEnv): CliDatabase {
  const config = resolveConfig(
    {
      name: stringOption(values, 'app-name'),
      systemDatabaseUrl: stringOption(values, 'db'),
      systemDatabaseSchemaName: stringOption(values, 'schema'),
      logLevel: 'silent',
    },
    env,
  );
  return { target: config.target, applicationName: config.name };
}

/** The database as a client sees it; an unmigrated or older one is refused, naming `durably migrate`. */
export async function openManagedDatabase(values: OptionValues, env: NodeJS.ProcessEnv): Promise<Engine> {
  const { target, applicationName } = resolveCliDatabase(values, env);
  try {
    return await openClientEngineOn(target, applicationName, cliLogger);
  } catch (error) {
    if (!(error instanceof DBOSInitializationError) || error.code !== 'SCHEMA_NOT_MIGRATED') throw error;
    throw new DBOSInitializationError(
      `The system database ${describeTarget(target)} is missing or older than this durably's schema: run \`durably migrate\` ` +
        '(with the same --db) or launch the application once, then try again.',
      error,
      { code: 'SCHEMA_NOT_MIGRATED' },
    );
  }
}

/** Run `work` on the managed database and close it, whatever happens. */
export async function withManagedDatabase<T>(values: OptionValues, env: NodeJS.ProcessEnv, work: (engine: Engine) => Promise<T>): Promise<T> {
  const engine = await openManagedDatabase(values, env);
  try {
    return await work(engine);
  } finally {
    await engine.systemDatabase.close();
  }
}
