/**
 * SQL for streams (DBOS.writeStream / DBOS.readStream): values appended to a
 * workflow's stream at the next offset, committed with the checkpoint when
 * written from workflow code; a closed stream ends with a sentinel value.
 */
import type { QueryRunner } from '../connection.ts';
import type { Dialect } from '../dialect.ts';
import type { PublishedValue, StepOutcomeRecord, StreamEntry } from '../records.ts';
import { streamsChannel } from '../system-database.ts';
import { insertStepOutcomeOrConflict } from './steps.ts';

export async function appendToStream(
  tx: QueryRunner,
  d: Dialect,
  entry: PublishedValue,
  checkpoint: StepOutcomeRecord | undefined,
): Promise<void> {
  if (checkpoint) await insertStepOutcomeOrConflict(tx, d, checkpoint);
  const table = d.table('streams');
  const insert = `INSERT INTO ${table} (workflow_uuid, key, value, serialization, function_id, "offset")
     SELECT $1, $2, $3, $4, $5, COALESCE(MAX("offset"), -1) + 1 FROM ${table} WHERE workflow_uuid = $1 AND key = $2
     RETURNING workflow_uuid || '::' || key AS channel_key`;
  await tx.query(d.notifying(insert, [{ channel: streamsChannel, keyColumn: 'channel_key' }]), [
    entry.workflowID,
    entry.key,
    entry.text,
    entry.serialization,
    entry.functionID,
  ]);
}

export async function selectStreamEntries(
  runner: QueryRunner,
  d: Dialect,
  workflowID: string,
  key: string,
  fromOffset: number,
): Promise<StreamEntry[]> {
  const rows = await runner.query<{ offset: number; value: string; serialization: string | null }>(
    `SELECT "offset", value, serialization FROM ${d.table('streams')}
     WHERE workflow_uuid = $1 AND key = $2 AND "offset" >= $3 ORDER BY "offset" LIMIT 1000`,
    [workflowID, key, fromOffset],
  );
  return rows.map((r) => ({ offset: Number(r.offset), text: r.value, serialization: r.serialization }));
}
