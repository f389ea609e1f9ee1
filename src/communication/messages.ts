/**
 * Messages between workflows and the outside world: DBOS.send and DBOS.recv.
 * A send from workflow code commits with its checkpoint (replay does not send
 * again); a send from outside with an idempotency key is sent at most once.
 * A recv consumes the oldest message on its topic and records it in the same
 * transaction, so each message is delivered exactly once, also across crashes;
 * its timeout is durable (a recovered workflow waits only what remains).
 */
import { randomUUID } from 'node:crypto';
import { recordedOutcome, recordValue, replay } from '../engine/checkpoint.ts';
import { durableDeadline } from '../engine/durable-sleep.ts';
import type { Engine } from '../engine/engine.ts';
import { encodeValue } from '../engine/stored-values.ts';
import type { SendOptions } from '../types/serialization-types.ts';
import { waitForWrite } from '../engine/wait-for-write.ts';
import { reserveFunctionID, workflowCodeState } from '../engine/workflow-context.ts';
import type { MessageRecord } from '../system-database/records.ts';
import { monotonicNow } from '../support/clock.ts';
import { checkpointFor } from '../engine/checkpoint.ts';
import { notFromWorkflowCode, timeoutMs } from './operation-record.ts';
import { valueFormat } from './value-format.ts';

/** DBOS's stored name of the default topic. */
export const defaultTopic = '__null__topic__';

export async function send(
  engine: Engine,
  destinationID: string,
  message: unknown,
  topic?: string,
  idempotencyKey?: string,
  options?: SendOptions,
): Promise<void> {
  const workflow = workflowCodeState();
  const storedTopic = topic ?? defaultTopic;
  const format = valueFormat(options, 'DBOS.send');
  // Never the same millisecond twice in this process: messages are received in the order sent.
  const createdAt = monotonicNow();
  // Reserved before the first await (encoding may be async), so the function ID depends on call order only.
  const functionID = workflow ? reserveFunctionID(workflow) : undefined;
  if (workflow && recordedOutcome(workflow, functionID!, 'DBOS.send')) return;
  const startedAt = Date.now();
  const record = await messageRecord(destinationID, message, storedTopic, idempotencyKey, format, createdAt);
  if (!workflow) return engine.systemDatabase.communication.sendMessage(record);
  await engine.systemDatabase.communication.sendMessage(record, checkpointFor(workflow, functionID!, 'DBOS.send', startedAt));
}

/** The stored message (an idempotency key makes its ID, so a repeated send is not a second message). */
export async function messageRecord(
  destinationID: string,
  message: unknown,
  storedTopic: string,
  idempotencyKey: string | undefined,
  format: ReturnType<typeof valueFormat>,
  createdAt: number,
): Promise<MessageRecord> {
  const serialized = await encodeValue(message, `the message for workflow ${destinationID}`, format);
  return {
    messageID: idempotencyKey !== undefined ? `${idempotencyKey}::${destinationID}` : randomUUID(),
    destinationID,
    topic: storedTopic,
    text: serialized.text,
    serialization: serialized.serialization,
    createdAt,
  };
}

export async function recv<T>(topic?: string, timeoutSeconds?: number): Promise<T | null> {
  const workflow = workflowCodeState();
  if (!workflow) {
    throw notFromWorkflowCode('DBOS.recv');
  }
  const waitMs = timeoutMs(timeoutSeconds, 'DBOS.recv');
  const functionID = reserveFunctionID(workflow);
  const timeoutFunctionID = reserveFunctionID(workflow);
  const recorded = recordedOutcome(workflow, functionID, 'DBOS.recv');
  if (recorded) return (await replay<T | null>(recorded)) ?? null;
  const startedAt = Date.now();
  const deadline = await durableDeadline(workflow, timeoutFunctionID, waitMs);
  const storedTopic = topic ?? defaultTopic;
  const { engine } = workflow;
  const consumed = await waitForWrite(
    engine,
    [{ kind: 'message', workflowID: workflow.workflowID, topic: storedTopic }],
    deadline,
    () => engine.systemDatabase.communication.consumeMessage(storedTopic, checkpointFor(workflow, functionID, 'DBOS.recv', startedAt)),
  );
  if (consumed) return replay<T>(consumed);
  // Timed out: record that, so a replay also times out here. A message arriving now waits for the next recv.
  return recordValue<T | null>(workflow, functionID, 'DBOS.recv', null, { startedAtEpochMs: startedAt });
}
