/**
 * Work no process will resume: the launch-time count of this executor's
 * PENDING workflows under another application version (recovery resumes only
 * its own version) that no other live executor runs; the condition listings
 * use for stranded workflows (and the adoption in stranded-adoption.ts).
 */
import type { QueryRunner } from '../connection.ts';
import type { Dialect } from '../dialect.ts';

export interface PendingVersionCount {
  applicationVersion: string;
  count: number;
}

export async function selectStrandedVersions(
  runner: QueryRunner,
  d: Dialect,
  executorID: string,
  applicationVersion: string,
  liveSinceEpochMs: number,
): Promise<PendingVersionCount[]> {
  const rows = await runner.query<{ application_version: string; count: number | string }>(
    `SELECT w.application_version, COUNT(*) AS count
       FROM ${d.table('workflow_status')} AS w
      WHERE w.status = 'PENDING' AND w.executor_id = $1 AND w.application_version <> $2
        AND NOT EXISTS (
          SELECT 1 FROM ${d.table('durably_executors')} AS e
           WHERE e.application_version = w.application_version AND e.executor_id <> $1 AND e.heartbeat_at >= $3)
      GROUP BY w.application_version
      ORDER BY w.application_version`,
    [executorID, applicationVersion, liveSinceEpochMs],
  );
  return rows.map((row) => ({ applicationVersion: row.application_version, count: Number(row.count) }));
}

/**
 * The condition a workflow_status row (read from the unaliased table) meets when it is stranded: PENDING or
 * ENQUEUED, stamped with an application version, and no executor of that version has beaten since
 * `liveSince` (a parameter placeholder). A row with no version (enqueued by a client) any process may
 * claim, so it is never stranded. The in-flight partial indexes find the candidate rows; the executors
 * table holds one row per live (or lately dead) process.
 */
export function strandedCondition(d: Dialect, liveSince: string): string {
  const status = d.table('workflow_status');
  return `(${status}.status IN ('PENDING', 'ENQUEUED') AND ${status}.application_version IS NOT NULL
    AND NOT EXISTS (
      SELECT 1 FROM ${d.table('durably_executors')} AS e
       WHERE e.application_version = ${status}.application_version AND e.heartbeat_at >= ${liveSince}))`;
}

/** The application versions some executor that beat since `liveSinceEpochMs` runs (a read of the small executors table). */
export async function selectLiveVersions(runner: QueryRunner, d: Dialect, liveSinceEpochMs: number): Promise<string[]> {
  const rows = await runner.query<{ application_version: string }>(
    `SELECT DISTINCT application_version FROM ${d.table('durably_executors')}
      WHERE heartbeat_at >= $1 AND application_version IS NOT NULL`,
    [liveSinceEpochMs],
  );
  return rows.map((row) => String(row.application_version));
}
