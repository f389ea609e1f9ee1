/**
 * DBOSClient.renameApplication (DBOS 5.3): move an application's rows to a
 * new name, or adopt the rows no application owns, in a system database
 * several applications share (reference 3.20). Validation here; the SQL and
 * its transactions in system-database/sql/rename-application.ts. Run it while
 * the renamed application is stopped: its workers dequeue by owner.
 */
import { DBOSConfigurationError } from '../errors/errors.ts';
import type { Engine } from '../engine/engine.ts';
import type { ApplicationRowCounts } from '../system-database/records.ts';

export type { ApplicationRowCounts };

/** DBOS's default: terminal workflows and steps move 10 000 rows per transaction. */
export const defaultRenameBatchSize = 10_000;

export interface RenameApplicationOptions {
  /** Terminal workflows and steps move this many per transaction (default 10 000); null: all in one transaction. */
  batchSize?: number | null;
  /** Also take the rows no application owns (default false); required when oldName is undefined. */
  adoptUnclaimedRows?: boolean;
}

export async function renameApplication(
  engine: Engine,
  oldName: string | undefined,
  newName: string,
  options: RenameApplicationOptions = {},
): Promise<ApplicationRowCounts> {
  const what = 'DBOSClient.renameApplication';
  if (typeof newName !== 'string' || newName === '') {
    throw new DBOSConfigurationError(`${what}: newName must be a non-empty string, got ${JSON.stringify(newName)}.`);
  }
  if (oldName !== undefined && (typeof oldName !== 'string' || oldName === '')) {
    throw new DBOSConfigurationError(`${what}: oldName must be a non-empty string or undefined, got ${JSON.stringify(oldName)}.`);
  }
  const adoptUnclaimedRows = options.adoptUnclaimedRows ?? false;
  if (typeof adoptUnclaimedRows !== 'boolean') {
    throw new DBOSConfigurationError(`${what}: adoptUnclaimedRows must be a boolean, got ${JSON.stringify(adoptUnclaimedRows)}.`);
  }
  if (oldName === undefined && !adoptUnclaimedRows) {
    throw new DBOSConfigurationError(
      `${what}: oldName is undefined, which names only the rows no application owns: pass { adoptUnclaimedRows: true } ` +
        `to give them to "${newName}", or the application's previous name.`,
    );
  }
  if (oldName === newName) {
    // DBOS's wording: renaming to the current name would move nothing.
    throw new DBOSConfigurationError(`${what}: Application '${newName}' already holds that name; nothing to rename.`);
  }
  const batchSize = options.batchSize === undefined ? defaultRenameBatchSize : options.batchSize;
  if (batchSize !== null && (!Number.isInteger(batchSize) || batchSize < 1)) {
    throw new DBOSConfigurationError(`${what}: batchSize must be an integer >= 1 or null, got ${JSON.stringify(batchSize)}.`);
  }
  return engine.systemDatabase.renameApplication({ oldName, newName, batchSize, adoptUnclaimedRows });
}
