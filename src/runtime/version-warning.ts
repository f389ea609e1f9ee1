/**
 * Recovery resumes only this executor's PENDING workflows of the current
 * application version. When the version changed (by default it is a hash of
 * the registered workflows, so registering one more workflow between a
 * shutdown and a relaunch changes it), the previous version's unfinished
 * workflows are never resumed and their getResult waits forever. One query at
 * launch finds them and says so, loudly, once.
 */
import type { Engine } from '../engine/engine.ts';

export async function warnAboutStrandedVersions(engine: Engine, executorTimeoutMs: number): Promise<void> {
  const { systemDatabase, identity, logger } = engine;
  const stranded = await systemDatabase.countStrandedVersions(
    identity.executorID,
    identity.applicationVersion,
    Date.now() - executorTimeoutMs,
  );
  if (stranded.length === 0) return;
  const total = stranded.reduce((sum, version) => sum + version.count, 0);
  const listed = stranded.map((version) => `${version.applicationVersion} (${version.count})`).join(', ');
  logger.warn(
    `${total} PENDING workflow(s) of executor "${identity.executorID}" belong to other application versions — ${listed} — ` +
      `that no live process runs, and this launch (version ${identity.applicationVersion}) will not recover them. ` +
      'The default version is a hash of the registered workflows, so it changes when code or registrations change: ' +
      'set applicationVersion in the config to keep one version (or relaunch with the old one to finish them).',
  );
}
