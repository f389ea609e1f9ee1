/**
 * SQL for rewinding a finished workflow in place (DBOS 5.3's rewindWorkflow):
 * its recorded history from `startStep` on is dropped and it is enqueued
 * again under the SAME ID, so its queue's worker replays the steps before
 * `startStep` and runs the rest afresh. Where fork copies what was written
 * before `startStep` into a new workflow, rewind deletes what was written at
 * or after it, with the same boundary (`function_id >= startStep`):
 * - step rows;
 * - event values: each key goes back to its last value published before
 *   the cut (workflow_events_history is the undo log), and a key only the
 *   dropped run published is unpublished;
 * - messages the dropped run consumed (notifications.consumed_by_function_id);
 * - a stream's close marker (so the replay can append again); the values
 *   written stay, as in DBOS: readers may already have seen them.
 * One transaction: a refused or failed rewind changes nothing.
 */
import type { QueryRunner } from '../connection.ts';
import type { Dialect } from '../dialect.ts';
import type { RewindOutcome, RewindRequest } from '../records.ts';
import { queueChannel } from '../system-database.ts';

/** How DBOS.closeStream's marker is stored (communication/streams.ts), current and legacy forms. */
const streamClosedValues = [JSON.stringify('__DBOS_STREAM_CLOSED__'), '__DBOS_STREAM_CLOSED__'];

const terminal = `('SUCCESS', 'ERROR', 'CANCELLED', 'MAX_RECOVERY_ATTEMPTS_EXCEEDED')`;

export async function rewindWorkflow(tx: QueryRunner, d: Dialect, rewind: RewindRequest): Promise<RewindOutcome> {
  const status = d.table('workflow_status');
  // The guarded update comes first: it takes the row's lock, so no concurrent resume or rewind interleaves.
  const update = `UPDATE ${status}
     SET status = 'ENQUEUED', queue_name = $1, queue_partition_key = $2,
       application_version = COALESCE($3, application_version), output = NULL, error = NULL,
       recovery_attempts = 0, workflow_deadline_epoch_ms = NULL, deduplication_id = NULL, started_at_epoch_ms = NULL,
       completed_at = NULL, delay_until_epoch_ms = NULL, updated_at = $4
     WHERE workflow_uuid = $5 AND status IN ${terminal}
     RETURNING workflow_uuid, queue_name`;
  const updated = await tx.query(d.notifying(update, [{ channel: queueChannel, keyColumn: 'queue_name' }]), [
    rewind.queueName,
    rewind.queuePartitionKey,
    rewind.applicationVersion,
    rewind.now,
    rewind.workflowID,
  ]);
  if (updated.length === 0) {
    const [row] = await tx.query<{ status: string }>(`SELECT status FROM ${status} WHERE workflow_uuid = $1`, [rewind.workflowID]);
    return row ? { kind: 'not-terminal', status: row.status } : { kind: 'missing' };
  }
  const id = rewind.workflowID;
  const cut = rewind.startStep;
  await tx.query(`DELETE FROM ${d.table('workflow_output')} WHERE workflow_uuid = $1`, [id]);
  await tx.query(`DELETE FROM ${d.table('operation_outputs')} WHERE workflow_uuid = $1 AND function_id >= $2`, [id, cut]);
  await rollBackEvents(tx, d, id, cut);
  await tx.query(
    `DELETE FROM ${d.table('notifications')} WHERE destination_uuid = $1 AND consumed = TRUE AND consumed_by_function_id >= $2`,
    [id, cut],
  );
  await tx.query(
    `DELETE FROM ${d.table('streams')} WHERE workflow_uuid = $1 AND function_id >= $2 AND value IN ($3, $4)`,
    [id, cut, ...streamClosedValues],
  );
  return { kind: 'rewound' };
}

/** Every event key published at or after the cut goes back to its latest value before it, or away. */
async function rollBackEvents(tx: QueryRunner, d: Dialect, workflowID: string, cut: number): Promise<void> {
  const events = d.table('workflow_events');
  const history = d.table('workflow_events_history');
  await tx.query(
    `DELETE FROM ${events} WHERE workflow_uuid = $1
       AND key IN (SELECT key FROM ${history} WHERE workflow_uuid = $1 AND function_id >= $2)`,
    [workflowID, cut],
  );
  await tx.query(`DELETE FROM ${history} WHERE workflow_uuid = $1 AND function_id >= $2`, [workflowID, cut]);
  await tx.query(
    `INSERT INTO ${events} (workflow_uuid, key, value, serialization)
     SELECT h.workflow_uuid, h.key, h.value, h.serialization FROM ${history} AS h
     WHERE h.workflow_uuid = $1
       AND h.function_id = (SELECT MAX(latest.function_id) FROM ${history} AS latest WHERE latest.workflow_uuid = $1 AND latest.key = h.key)
       AND NOT EXISTS (SELECT 1 FROM ${events} AS e WHERE e.workflow_uuid = $1 AND e.key = h.key)`,
    [workflowID],
  );
}
