/**
 * SQL for forking a workflow: a new workflow with the original's inputs,
 * enqueued, that reuses the original's recorded outcomes (and the stream
 * values and event values written) before `startStep`, so it runs afresh only
 * from there; its trace context is the original's, marked as a link (a fork
 * is a trace of its own). One transaction.
 */
import type { QueryRunner } from '../connection.ts';
import type { Dialect } from '../dialect.ts';
import type { ForkRequest } from '../records.ts';
import { queueChannel } from '../system-database.ts';

/** Returns false when the original does not exist. */
export async function forkWorkflow(tx: QueryRunner, d: Dialect, fork: ForkRequest): Promise<boolean> {
  const status = d.table('workflow_status');
  const insert = `INSERT INTO ${status} (workflow_uuid, status, name, class_name, config_name, authenticated_user, assumed_role,
       authenticated_roles, request, serialization, executor_id, application_version, application_name,
       created_at, updated_at, recovery_attempts, queue_name, workflow_timeout_ms, forked_from, owner_xid, priority,
       queue_partition_key, attributes, trace_context)
     SELECT $1, 'ENQUEUED', name, class_name, config_name, authenticated_user, assumed_role, authenticated_roles, request,
       serialization, $2, COALESCE($3, application_version), application_name, $4, $4, 0, $5, $6, workflow_uuid, $7, 0,
       $9, attributes, CASE WHEN trace_context IS NULL THEN NULL ELSE CAST($10 AS TEXT) || trace_context END
     FROM ${status} WHERE workflow_uuid = $8
     RETURNING workflow_uuid, queue_name`;
  const inserted = await tx.query(d.notifying(insert, [{ channel: queueChannel, keyColumn: 'queue_name' }]), [
    fork.newWorkflowID,
    fork.executorID,
    fork.applicationVersion,
    fork.now,
    fork.queueName,
    fork.timeoutMs,
    fork.ownerXid,
    fork.originalID,
    fork.queuePartitionKey ?? null,
    fork.traceLinkPrefix,
  ]);
  if (inserted.length === 0) return false;
  await tx.query(`UPDATE ${status} SET was_forked_from = TRUE WHERE workflow_uuid = $1`, [fork.originalID]);
  // The original's inputs, wherever they are stored (DBOS 5.3's payload table, else the legacy column).
  await tx.query(
    `INSERT INTO ${d.table('workflow_input')} (workflow_uuid, inputs, retention_timestamp)
     SELECT $1, COALESCE((SELECT i.inputs FROM ${d.table('workflow_input')} AS i WHERE i.workflow_uuid = $2), s.inputs), $3
     FROM ${status} AS s WHERE s.workflow_uuid = $2`,
    [fork.newWorkflowID, fork.originalID, fork.now],
  );
  const copies = [
    `INSERT INTO ${d.table('operation_outputs')} (workflow_uuid, function_id, function_name, output, error, child_workflow_id,
       started_at_epoch_ms, completed_at_epoch_ms, serialization)
     SELECT $1, function_id, function_name, output, error, child_workflow_id, started_at_epoch_ms, completed_at_epoch_ms,
       serialization FROM ${d.table('operation_outputs')} WHERE workflow_uuid = $2 AND function_id < $3`,
    `INSERT INTO ${d.table('streams')} (workflow_uuid, key, value, "offset", function_id, serialization)
     SELECT $1, key, value, "offset", function_id, serialization FROM ${d.table('streams')}
     WHERE workflow_uuid = $2 AND function_id < $3`,
    `INSERT INTO ${d.table('workflow_events_history')} (workflow_uuid, function_id, key, value, serialization)
     SELECT $1, function_id, key, value, serialization FROM ${d.table('workflow_events_history')}
     WHERE workflow_uuid = $2 AND function_id < $3`,
  ];
  for (const copy of copies) await tx.query(copy, [fork.newWorkflowID, fork.originalID, fork.startStep]);
  // Each event's value as it was before startStep: its latest copied history value.
  const history = d.table('workflow_events_history');
  await tx.query(
    `INSERT INTO ${d.table('workflow_events')} (workflow_uuid, key, value, serialization)
     SELECT h.workflow_uuid, h.key, h.value, h.serialization FROM ${history} AS h
     WHERE h.workflow_uuid = $1 AND h.function_id = (
       SELECT MAX(latest.function_id) FROM ${history} AS latest WHERE latest.workflow_uuid = $1 AND latest.key = h.key)`,
    [fork.newWorkflowID],
  );
  return true;
}
