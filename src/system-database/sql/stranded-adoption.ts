/**
 * SQL for adoptCompatibleWorkflows (queues/stranded-adoption.ts): the hand-off
 * of one stranded workflow to a version that verified its history replays.
 */
import type { QueryRunner } from '../connection.ts';
import type { Dialect } from '../dialect.ts';
import type { StrandedAdoption } from '../records.ts';
import { queueChannel } from '../system-database.ts';
import { strandedCondition } from './stranded-versions.ts';

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
