/**
 * SQL for `event_dispatch_kv`: event receivers' versioned state. An upsert
 * replaces a stored row only with a newer one (greater update_time or
 * update_seq, or when neither carries a version), so concurrent writers
 * converge on the newest state.
 */
import type { QueryRunner, Row } from '../connection.ts';
import type { Dialect } from '../dialect.ts';
import type { EventDispatchState } from '../records.ts';

const columns = 'service_name, workflow_fn_name, key, value, update_seq, update_time';

function newer(column: string): string {
  return `(excluded.${column} IS NOT NULL AND (kv.${column} IS NULL OR excluded.${column} > kv.${column}))`;
}

const noVersions = `(excluded.update_time IS NULL AND excluded.update_seq IS NULL
  AND kv.update_time IS NULL AND kv.update_seq IS NULL)`;

function toState(row: Row): EventDispatchState {
  const num = (v: unknown) => (v === null || v === undefined ? null : Number(v));
  return {
    service: String(row.service_name),
    workflowFnName: String(row.workflow_fn_name),
    key: String(row.key),
    value: (row.value as string | null) ?? null,
    updateSeq: num(row.update_seq),
    updateTime: num(row.update_time),
  };
}

export async function selectEventDispatchState(
  runner: QueryRunner,
  d: Dialect,
  service: string,
  workflowFnName: string,
  key: string,
): Promise<EventDispatchState | undefined> {
  const rows = await runner.query(
    `SELECT ${columns} FROM ${d.table('event_dispatch_kv')}
     WHERE service_name = $1 AND workflow_fn_name = $2 AND key = $3`,
    [service, workflowFnName, key],
  );
  return rows[0] && toState(rows[0]);
}

/** Insert or, if newer, replace; returns the row as stored (newest wins). */
export async function upsertEventDispatchState(
  runner: QueryRunner,
  d: Dialect,
  state: EventDispatchState,
): Promise<EventDispatchState> {
  await runner.query(
    `INSERT INTO ${d.table('event_dispatch_kv')} AS kv (${columns}) VALUES ($1, $2, $3, $4, $5, $6)
     ON CONFLICT (service_name, workflow_fn_name, key) DO UPDATE
       SET value = excluded.value, update_seq = excluded.update_seq, update_time = excluded.update_time
       WHERE ${newer('update_time')} OR ${newer('update_seq')} OR ${noVersions}`,
    [state.service, state.workflowFnName, state.key, state.value, state.updateSeq, state.updateTime],
  );
  return (await selectEventDispatchState(runner, d, state.service, state.workflowFnName, state.key))!;
}
