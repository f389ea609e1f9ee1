/**
 * Application versions as operators see them: every version a process has
 * launched with (registered at launch), the latest first, and promotion of a
 * version to latest. Registering a queue with onConflict
 * 'update_if_latest_version' asks which version is the latest.
 */
import { DBOSApplicationVersionNotFoundError, DBOSInitializationError } from '../errors/errors.ts';
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

export async function setLatestApplicationVersion(engine: Engine, versionName: string): Promise<void> {
  if (!(await engine.systemDatabase.applicationVersions.promote(versionName, Date.now()))) {
    throw new DBOSApplicationVersionNotFoundError(versionName);
  }
}
