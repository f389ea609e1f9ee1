/**
 * SQL for application versions (`application_versions`, DBOS's table): each
 * launch registers its version; the latest is the one with the greatest
 * version_timestamp, which promotion sets to now.
 */
import { randomUUID } from 'node:crypto';
import type { QueryRunner, Row } from '../connection.ts';
import type { Dialect } from '../dialect.ts';
import type { ApplicationVersionRecord } from '../records.ts';
import { nullableString } from './row-values.ts';

const columns = 'version_id, version_name, version_timestamp, created_at, application_name';

/** Register a version unless known; an unowned row is claimed by `applicationName`. */
export async function insertApplicationVersion(
  runner: QueryRunner,
  d: Dialect,
  versionName: string,
  applicationName: string,
  now: number,
): Promise<void> {
  const table = d.table('application_versions');
  // A new version is the latest: strictly after every other, even when clocks tie.
  const insert = () =>
    runner.query(
      `INSERT INTO ${table} AS v (${columns}) VALUES ($1, $2, ${afterLatest(table, '$3')}, $3, $4)
       ON CONFLICT (version_name) DO UPDATE SET application_name = excluded.application_name
       WHERE v.application_name IS NULL`,
      [randomUUID(), versionName, now, applicationName],
    );
  try {
    await insert();
  } catch (error) {
    // Two processes launching the same version at once: Postgres may meet the other's row on DBOS's
    // (application_name, version_name) index rather than on the ON CONFLICT target. Once it committed, the
    // second attempt takes the ON CONFLICT path.
    if (!d.isUniqueViolation(error)) throw error;
    await insert();
  }
}

/** This application's versions and unowned ones, latest first. */
export async function selectApplicationVersions(
  runner: QueryRunner,
  d: Dialect,
  applicationName: string,
): Promise<ApplicationVersionRecord[]> {
  const rows = await runner.query(
    `SELECT ${columns} FROM ${d.table('application_versions')}
     WHERE application_name = $1 OR application_name IS NULL
     ORDER BY version_timestamp DESC, created_at DESC, version_name`,
    [applicationName],
  );
  return rows.map(toVersion);
}

/** What promoting a version did: it is the latest now, there is no such version, or another application owns it. */
export type VersionPromotion = 'promoted' | 'missing' | { ownedBy: string };

/**
 * Make a version the latest (strictly after every other, even when clocks
 * tie). With an owner, an unowned version is claimed by it and one owned by
 * another application is left alone (DBOS 5.3's ownership rule).
 */
export async function promoteApplicationVersion(
  runner: QueryRunner,
  d: Dialect,
  versionName: string,
  now: number,
  owner: string | null,
): Promise<VersionPromotion> {
  const table = d.table('application_versions');
  const rows = owner === null
    ? await runner.query(`UPDATE ${table} SET version_timestamp = ${afterLatest(table, '$2')} WHERE version_name = $1 RETURNING version_name`, [versionName, now])
    : await runner.query(
        `UPDATE ${table} SET version_timestamp = ${afterLatest(table, '$2')}, application_name = COALESCE(application_name, $3)
         WHERE version_name = $1 AND (application_name IS NULL OR application_name = $3) RETURNING version_name`,
        [versionName, now, owner],
      );
  if (rows.length > 0) return 'promoted';
  const [holder] = await runner.query(`SELECT application_name FROM ${table} WHERE version_name = $1`, [versionName]);
  return holder === undefined ? 'missing' : { ownedBy: String(holder.application_name) };
}

/** `now`, or just after the latest version's timestamp if that is not earlier. */
function afterLatest(table: string, now: string): string {
  return `(SELECT CASE WHEN MAX(version_timestamp) >= ${now} THEN MAX(version_timestamp) + 1 ELSE ${now} END FROM ${table})`;
}

function toVersion(row: Row): ApplicationVersionRecord {
  return {
    versionID: String(row.version_id),
    versionName: String(row.version_name),
    versionTimestamp: Number(row.version_timestamp),
    createdAt: Number(row.created_at),
    applicationName: nullableString(row.application_name),
  };
}
