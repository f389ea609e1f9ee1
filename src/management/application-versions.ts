/**
 * Application versions as operators see them: every version a process has
 * launched with (registered at launch), the latest first, and promotion of a
 * version to latest. Registering a queue with onConflict
 * 'update_if_latest_version' asks which version is the latest.
 */
import { DBOSApplicationVersionNotFoundError, DBOSConfigurationError, DBOSInitializationError } from '../errors/errors.ts';
import type { Engine } from '../engine/engine.ts';
import type { ApplicationVersionRecord } from '../system-database/records.ts';

/** DBOS's VersionInfo. */
export interface VersionInfo {
  versionId: string;
  versionName: string;
  versionTimestamp: number;
  createdAt: number;
  applicationName?: string;
}

function toVersionInfo(record: ApplicationVersionRecord): VersionInfo {
  return {
    versionId: record.versionID,
    versionName: record.versionName,
    versionTimestamp: record.versionTimestamp,
    createdAt: record.createdAt,
    ...(record.applicationName === null ? {} : { applicationName: record.applicationName }),
  };
}

/** Record this process's version at launch (a version seen before keeps its place). */
export async function registerApplicationVersion(engine: Engine): Promise<void> {
  const { applicationVersion, applicationName } = engine.identity;
  await engine.systemDatabase.applicationVersions.register(applicationVersion, applicationName, Date.now());
}

export async function listApplicationVersions(engine: Engine): Promise<VersionInfo[]> {
  const records = await engine.systemDatabase.applicationVersions.list(engine.identity.applicationName);
  return records.map(toVersionInfo);
}

export async function getLatestApplicationVersion(engine: Engine): Promise<VersionInfo> {
  const [latest] = await listApplicationVersions(engine);
  if (!latest) throw new DBOSInitializationError('No application version is registered yet.');
  return latest;
}

/**
 * Make a version the latest. As in DBOS 5.3, it acts for an application (the
 * given one, else this process's): an unowned version becomes that
 * application's, and one another application owns is refused. Unlike DBOS,
 * an unknown version is an error rather than a silent no-op.
 */
export async function setLatestApplicationVersion(engine: Engine, versionName: string, applicationName?: string): Promise<void> {
  const owner = applicationName ?? (engine.identity.applicationName || null);
  const outcome = await engine.systemDatabase.applicationVersions.promote(versionName, Date.now(), owner);
  if (outcome === 'missing') throw new DBOSApplicationVersionNotFoundError(versionName);
  if (outcome !== 'promoted') {
    throw new DBOSConfigurationError(
      `Application version '${versionName}' is already registered by application '${outcome.ownedBy}' in this system database. ` +
        `Application version names must be unique across applications sharing a system database. Either set a distinct ` +
        `applicationVersion for '${owner}', or, if '${outcome.ownedBy}' was renamed to '${owner}', re-own its rows first with ` +
        'DBOSClient.renameApplication.',
    );
  }
}
