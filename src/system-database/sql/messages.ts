/**
 * SQL for messages (DBOS.send / DBOS.recv). A send and, from a workflow, its
 * checkpoint commit together; a receive marks the oldest unconsumed message
 * consumed and records it as the receiving workflow's operation in the same
 * transaction, so each message is delivered exactly once, also across crashes.
 */
import type { QueryRunner } from '../connection.ts';
import type { Dialect } from '../dialect.ts';
import type { MessageRecord, StepOutcomeRecord } from '../records.ts';
import { messagesChannel } from '../system-database.ts';
import { insertStepOutcomeOrConflict, isSameAttempt, selectStepOutcomes } from './steps.ts';

/** Insert a message unless its ID was sent before; false when its destination does not exist. */
export async function insertMessage(tx: QueryRunner, d: Dialect, message: MessageRecord): Promise<boolean> {
  const exists = await tx.query(`SELECT 1 AS found FROM ${d.table('workflow_status')} WHERE workflow_uuid = $1`, [
    message.destinationID,
  ]);
  if (exists.length === 0) return false;
  const insert = `INSERT INTO ${d.table('notifications')}
      (message_uuid, destination_uuid, topic, message, serialization, created_at_epoch_ms, consumed)
     VALUES ($1, $2, $3, $4, $5, $6, FALSE)
     ON CONFLICT (message_uuid) DO NOTHING
     RETURNING destination_uuid || '::' || topic AS channel_key`;
  await tx.query(d.notifying(insert, [{ channel: messagesChannel, keyColumn: 'channel_key' }]), [
    message.messageID,
    message.destinationID,
    message.topic,
    message.text,
    message.serialization,
    message.createdAt,
  ]);
  return true;
}

export async function sendMessage(
  tx: QueryRunner,
  d: Dialect,
  message: MessageRecord,
  checkpoint: StepOutcomeRecord | undefined,
): Promise<boolean> {
  if (!(await insertMessage(tx, d, message))) return false;
  if (checkpoint) await insertStepOutcomeOrConflict(tx, d, checkpoint);
  return true;
}

/**
 * Consume the oldest unconsumed message of (workflow, topic) and record it as
 * `checkpoint` (its output is the message). Undefined, writing nothing, when
 * there is none.
 */
export async function consumeMessage(
  tx: QueryRunner,
  d: Dialect,
  topic: string,
  checkpoint: StepOutcomeRecord,
): Promise<StepOutcomeRecord | undefined> {
  const table = d.table('notifications');
  const [oldest] = await tx.query<{ message_uuid: string; message: string; serialization: string | null }>(
    `SELECT message_uuid, message, serialization FROM ${table}
     WHERE destination_uuid = $1 AND topic = $2 AND consumed = FALSE
     ORDER BY created_at_epoch_ms, message_uuid LIMIT 1 ${d.skipLocked}`,
    [checkpoint.workflowID, topic],
  );
  if (!oldest) {
    // None left: unless an earlier attempt of this very receive consumed it and committed, its answer lost
    // with its connection; then that recorded message is this receive's (else it would wait for another).
    const [recorded] = await selectStepOutcomes(tx, d, checkpoint.workflowID, checkpoint.functionID);
    return recorded && isSameAttempt(recorded, checkpoint) ? recorded : undefined;
  }
  // Which operation consumed it: a rewind to before that operation drops the message with it (sql/rewind.ts).
  await tx.query(`UPDATE ${table} SET consumed = TRUE, consumed_by_function_id = $2 WHERE message_uuid = $1`, [
    oldest.message_uuid,
    checkpoint.functionID,
  ]);
  const recorded = { ...checkpoint, output: oldest.message, serialization: oldest.serialization };
  await insertStepOutcomeOrConflict(tx, d, recorded);
  return recorded;
}
