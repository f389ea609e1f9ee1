/**
 * Events: DBOS.setEvent publishes a key/value of the running workflow (with
 * its history, for replay and fork); DBOS.getEvent waits for another
 * workflow's value from anywhere. From workflow code, getEvent is recorded and
 * its timeout durable.
 */
import { recordedOutcome, recordValue, replay } from '../engine/checkpoint.ts';
import { durableDeadline } from '../engine/durable-sleep.ts';
import type { Engine } from '../engine/engine.ts';
import { decodeValue, encodeValue } from '../engine/stored-values.ts';
import type { SetEventOptions } from '../types/serialization-types.ts';
import { waitForWrite } from '../engine/wait-for-write.ts';
import { reserveFunctionID, workflowCodeState } from '../engine/workflow-context.ts';
import { checkpointFor } from '../engine/checkpoint.ts';
import { notFromWorkflowCode, timeoutMs } from './operation-record.ts';
import { valueFormat } from './value-format.ts';

export async function setEvent(key: string, value: unknown, options?: SetEventOptions): Promise<void> {
  const workflow = workflowCodeState();
  if (!workflow) {
    throw notFromWorkflowCode('DBOS.setEvent');
  }
  const format = valueFormat(options, 'DBOS.setEvent');
  const functionID = reserveFunctionID(workflow);
  if (recordedOutcome(workflow, functionID, 'DBOS.setEvent')) return;
  const startedAt = Date.now();
  const serialized = await encodeValue(value, `the value of event "${key}"`, format);
  await workflow.engine.systemDatabase.communication.setEvent(
    { workflowID: workflow.workflowID, key, text: serialized.text, serialization: serialized.serialization, functionID },
    checkpointFor(workflow, functionID, 'DBOS.setEvent', startedAt),
  );
}

export async function getEvent<T>(engine: Engine, workflowID: string, key: string, timeoutSeconds?: number): Promise<T | null> {
  const waitMs = timeoutMs(timeoutSeconds, 'DBOS.getEvent');
  const workflow = workflowCodeState();
  const read = async (deadline: number) => {
    const stored = await waitForWrite(
      engine,
      [{ kind: 'event', workflowID, key }],
      deadline,
      () => engine.systemDatabase.communication.getEvent(workflowID, key),
    );
    return stored ? decodeValue<T>(stored.text, stored.serialization) : null;
  };
  if (!workflow) return read(Date.now() + waitMs);
  const functionID = reserveFunctionID(workflow);
  const timeoutFunctionID = reserveFunctionID(workflow);
  const recorded = recordedOutcome(workflow, functionID, 'DBOS.getEvent');
  if (recorded) return (await replay<T | null>(recorded)) ?? null;
  const startedAt = Date.now();
  const value = await read(await durableDeadline(workflow, timeoutFunctionID, waitMs));
  return recordValue<T | null>(workflow, functionID, 'DBOS.getEvent', value, { startedAtEpochMs: startedAt });
}
