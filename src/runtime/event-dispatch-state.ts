/**
 * Event receivers' versioned state (DBOS.getEventDispatchState / upsertEventDispatchState), in DBOS's shape
 * (`DBOSExternalState`: optional value and versions, the sequence a bigint) over the system database's
 * `event_dispatch_kv` rows. An update older than the stored row leaves it as it was; both calls return
 * what is stored.
 */
import { DBOSConfigurationError } from '../errors/errors.ts';
import type { Engine } from '../engine/engine.ts';
import type { EventDispatchState } from '../system-database/records.ts';
import type { DBOSExternalState } from '../types/lifecycle-types.ts';

function fromRecord(record: EventDispatchState): DBOSExternalState {
  return {
    service: record.service,
    workflowFnName: record.workflowFnName,
    key: record.key,
    ...(record.value === null ? {} : { value: record.value }),
    ...(record.updateTime === null ? {} : { updateTime: record.updateTime }),
    ...(record.updateSeq === null ? {} : { updateSeq: BigInt(record.updateSeq) }),
  };
}

function requireText(what: string, value: unknown): string {
  if (typeof value === 'string') return value;
  throw new DBOSConfigurationError(`Event dispatch state: ${what} must be a string, got ${JSON.stringify(value)}.`);
}

export async function getEventDispatchState(
  engine: Engine,
  service: string,
  workflowFnName: string,
  key: string,
): Promise<DBOSExternalState | undefined> {
  const record = await engine.systemDatabase.getEventDispatchState(
    requireText('service', service),
    requireText('workflowFnName', workflowFnName),
    requireText('key', key),
  );
  return record && fromRecord(record);
}

export async function upsertEventDispatchState(engine: Engine, state: DBOSExternalState): Promise<DBOSExternalState> {
  if (state.value !== undefined && state.value !== null) requireText('value', state.value);
  if (state.updateTime !== undefined && state.updateTime !== null && !Number.isFinite(state.updateTime)) {
    throw new DBOSConfigurationError(`Event dispatch state: updateTime must be a finite number, got ${String(state.updateTime)}.`);
  }
  const stored = await engine.systemDatabase.upsertEventDispatchState({
    service: requireText('service', state.service),
    workflowFnName: requireText('workflowFnName', state.workflowFnName),
    key: requireText('key', state.key),
    value: state.value ?? null,
    updateTime: state.updateTime ?? null,
    // Stored as DECIMAL(38,0); carried as a number here (exact up to 2^53).
    updateSeq: state.updateSeq === undefined || state.updateSeq === null ? null : Number(state.updateSeq),
  });
  return fromRecord(stored);
}
