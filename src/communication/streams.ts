/**
 * Streams: a workflow appends values to named streams (DBOS.writeStream,
 * DBOS.closeStream); anyone reads them in order with DBOS.readStream, an async
 * iterator that ends when the stream is closed or the workflow has ended.
 * Writes from workflow code are recorded (replay does not write again);
 * writes from a step are not (the step may run again: at least once).
 */
import { DBOSInvalidWorkflowTransitionError, DBOSNonExistentWorkflowError } from '../api/errors.ts';
import { recordedOutcome } from '../engine/checkpoint.ts';
import type { Engine } from '../engine/engine.ts';
import { deserializeValue, portableSerialization, serializeValue } from '../engine/serialization.ts';
import { waitForWrite } from '../engine/wait-for-write.ts';
import { currentContext, reserveFunctionID } from '../engine/workflow-context.ts';
import { isTerminalStatus, type StreamEntry } from '../system-database/records.ts';
import { communicationKey, outcomeChannel, streamsChannel } from '../system-database/system-database.ts';
import { checkpointFor } from './operation-record.ts';

/** DBOS's close marker: the portable-JSON string below as a stream's last value. */
const closedSentinel = JSON.stringify('__DBOS_STREAM_CLOSED__');

function isSentinel(entry: StreamEntry): boolean {
  return entry.text === closedSentinel || entry.text === '__DBOS_STREAM_CLOSED__';
}

async function append(key: string, text: string, serialization: string, operation: string): Promise<void> {
  const context = currentContext();
  const workflow = context.workflow;
  if (!workflow) {
    throw new DBOSInvalidWorkflowTransitionError(`${operation} can only be called from a workflow or one of its steps.`);
  }
  const { systemDatabase } = workflow.engine;
  if (context.step) {
    // From a step: not recorded; the step's own outcome is.
    await systemDatabase.writeStream({ workflowID: workflow.workflowID, key, text, serialization, functionID: context.step.functionID });
    return;
  }
  const functionID = reserveFunctionID(workflow);
  if (recordedOutcome(workflow, functionID, operation)) return;
  const startedAt = Date.now();
  await systemDatabase.writeStream(
    { workflowID: workflow.workflowID, key, text, serialization, functionID },
    checkpointFor(workflow, functionID, operation, startedAt),
  );
}

export async function writeStream(key: string, value: unknown): Promise<void> {
  const serialized = serializeValue(value, `the value written to stream "${key}"`);
  await append(key, serialized.text, serialized.serialization, 'DBOS.writeStream');
}

export async function closeStream(key: string): Promise<void> {
  await append(key, closedSentinel, portableSerialization, 'DBOS.closeStream');
}

/** Every value of the stream, in order, until it is closed or its workflow has ended. */
export async function* readStream<T>(engine: Engine, workflowID: string, key: string): AsyncGenerator<T, void, undefined> {
  const { systemDatabase } = engine;
  let offset = 0;
  const interests = [
    { channel: streamsChannel, key: communicationKey(workflowID, key) },
    { channel: outcomeChannel, key: workflowID },
  ];
  for (;;) {
    const batch = await waitForWrite(engine, interests, Number.POSITIVE_INFINITY, async () => {
      const entries = await systemDatabase.readStream(workflowID, key, offset);
      if (entries.length > 0) return entries;
      const status = await systemDatabase.getWorkflowStatus(workflowID);
      if (!status) throw new DBOSNonExistentWorkflowError(workflowID, `Cannot read stream "${key}": workflow ${workflowID} does not exist.`);
      if (!isTerminalStatus(status.status)) return undefined;
      // The workflow has ended: whatever it wrote is committed; one last read, then the end.
      return systemDatabase.readStream(workflowID, key, offset);
    });
    if (!batch || batch.length === 0) return;
    for (const entry of batch) {
      if (isSentinel(entry)) return;
      offset = entry.offset + 1;
      yield deserializeValue<T>(entry.text, entry.serialization);
    }
  }
}
