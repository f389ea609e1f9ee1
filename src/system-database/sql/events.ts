/**
 * SQL for events (DBOS.setEvent / DBOS.getEvent): the latest value per key,
 * plus every value by the operation that set it (so a forked or replayed
 * workflow can see the value as it was), committed with the checkpoint.
 */
import type { QueryRunner } from '../connection.ts';
import type { Dialect } from '../dialect.ts';
import type { PublishedValue, StepOutcomeRecord, StoredValue } from '../records.ts';
import { eventsChannel } from '../system-database.ts';
import { insertStepOutcomeOrConflict } from './steps.ts';

export async function setEvent(tx: QueryRunner, d: Dialect, event: PublishedValue, checkpoint: StepOutcomeRecord): Promise<void> {
  await insertStepOutcomeOrConflict(tx, d, checkpoint);
  const upsert = `INSERT INTO ${d.table('workflow_events')} (workflow_uuid, key, value, serialization)
     VALUES ($1, $2, $3, $4)
     ON CONFLICT (workflow_uuid, key) DO UPDATE SET value = excluded.value, serialization = excluded.serialization
     RETURNING workflow_uuid || '::' || key AS channel_key`;
  const params = [event.workflowID, event.key, event.text, event.serialization];
  await tx.query(d.notifying(upsert, [{ channel: eventsChannel, keyColumn: 'channel_key' }]), params);
  await tx.query(
    `INSERT INTO ${d.table('workflow_events_history')} (workflow_uuid, key, value, serialization, function_id)
     VALUES ($1, $2, $3, $4, $5)
     ON CONFLICT (workflow_uuid, function_id, key) DO UPDATE SET value = excluded.value, serialization = excluded.serialization`,
    [...params, event.functionID],
  );
}

export async function selectEvent(runner: QueryRunner, d: Dialect, workflowID: string, key: string): Promise<StoredValue | undefined> {
  const [row] = await runner.query<{ value: string; serialization: string | null }>(
    `SELECT value, serialization FROM ${d.table('workflow_events')} WHERE workflow_uuid = $1 AND key = $2`,
    [workflowID, key],
  );
  return row ? { text: row.value, serialization: row.serialization } : undefined;
}
