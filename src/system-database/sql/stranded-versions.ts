/**
 * Work no process will resume: the launch-time count of this executor's
 * PENDING workflows under another application version (recovery resumes only
 * its own version) that no other live executor runs; the condition listings
 * use for stranded workflows; and the hand-off of one stranded workflow to a
 * newer version that verified it replays (adoptCompatibleWorkflows).
 */
import type { QueryRunner } from '../connection.ts';
import type { Dialect } from '../dialect.ts';
import { queueChannel } from '../system-database.ts';

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

export interface StrandedAdoption {
  workflowID: string;
  /** The version the workflow was stamped with; the adoption applies only while it still is, and still stranded. */
  fromVersion: string;
  toVersion: string;
  /** Where a directly started (queueless) workflow goes to be claimed (recovery's internal queue). */
  fallbackQueue: string;
  liveSinceEpochMs: number;
  now: number;
}

/**
 * Stamp a stranded workflow with the adopting version and put it on its queue (ENQUEUED, as a takeover
 * does), where that version's processes claim it and resume it from its last recorded operation. One
 * conditional write: false when it is no longer stranded under `fromVersion` (a process of that version
 * came back, or another process adopted it first).
 */
export async function adoptStrandedWorkflow(runner: QueryRunner, d: Dialect, adoption: StrandedAdoption): Promise<string | undefined> {
  const update = `UPDATE ${d.table('workflow_status')}
     SET application_version = $1, status = 'ENQUEUED', queue_name = COALESCE(queue_name, $2), started_at_epoch_ms = NULL,
       workflow_deadline_epoch_ms = NULL, updated_at = $3
     WHERE workflow_uuid = $4 AND application_version = $5 AND ${strandedCondition(d, '$6')}
     RETURNING queue_name`;
  const rows = await runner.query<{ queue_name: string }>(d.notifying(update, [{ channel: queueChannel, keyColumn: 'queue_name' }]), [
    adoption.toVersion,
    adoption.fallbackQueue,
    adoption.now,
    adoption.workflowID,
    adoption.fromVersion,
    adoption.liveSinceEpochMs,
  ]);
  return rows[0]?.queue_name;
}
