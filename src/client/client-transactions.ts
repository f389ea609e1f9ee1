/**
 * DBOSClient's in-transaction variants: the enqueue or the message is written
 * through the caller's open `pg` transaction on the system database, so it
 * exists only if, and when, the caller commits (an order row and the workflow
 * that processes it, say). Postgres only; on SQLite, a typed error.
 */
import { DBOSConfigurationError, DBOSNonExistentWorkflowError, DBOSQueueDuplicatedError, DBOSWorkflowIDInUseError } from '../errors/errors.ts';
import type { Engine } from '../engine/engine.ts';
import { DurableWorkflowHandle } from '../engine/workflow-handle.ts';
import { defaultTopic, messageRecord } from '../communication/messages.ts';
import { valueFormat } from '../communication/value-format.ts';
import { monotonicNow } from '../support/clock.ts';
import type { CallerPgClient } from '../system-database/system-database.ts';
import type { SendOptions } from '../types/serialization-types.ts';
import { prepareClientEnqueue, type ClientEnqueueOptions } from './client-enqueue.ts';

export async function enqueueInTransaction<R>(
  engine: Engine,
  applicationName: string | undefined,
  client: CallerPgClient,
  options: ClientEnqueueOptions,
  positionalArgs: unknown[],
  namedArgs?: Record<string, unknown>,
): Promise<DurableWorkflowHandle<R>> {
  const what = 'DBOSClient.enqueueInTransaction';
  const writes = engine.systemDatabase.inCallerTransaction(client, what);
  if (options?.duplicationPolicy === 'return-existing') {
    throw new DBOSConfigurationError(`${what}: duplicationPolicy "return-existing" is not supported in a caller's transaction (as in DBOS).`);
  }
  const { record, rejectReuse } = await prepareClientEnqueue(engine, applicationName, options, positionalArgs, namedArgs);
  if (await writes.insertWorkflow(record)) return new DurableWorkflowHandle<R>(engine, record.workflowID);
  // Nothing written: the ID exists (idempotent, unless reuse is rejected) or the deduplication ID is held.
  const existing = await engine.systemDatabase.getWorkflowStatus(record.workflowID);
  if (existing) {
    if (rejectReuse) throw new DBOSWorkflowIDInUseError(record.workflowID, existing.status, existing.workflowName);
    return new DurableWorkflowHandle<R>(engine, record.workflowID);
  }
  if (record.deduplicationID !== null && record.queueName !== null) {
    throw new DBOSQueueDuplicatedError(record.workflowID, record.queueName, record.deduplicationID);
  }
  return new DurableWorkflowHandle<R>(engine, record.workflowID);
}

export async function sendInTransaction(
  engine: Engine,
  client: CallerPgClient,
  destinationID: string,
  message: unknown,
  topic?: string,
  idempotencyKey?: string,
  options?: SendOptions,
): Promise<void> {
  const what = 'DBOSClient.sendInTransaction';
  const writes = engine.systemDatabase.inCallerTransaction(client, what);
  const record = await messageRecord(destinationID, message, topic ?? defaultTopic, idempotencyKey, valueFormat(options, what), monotonicNow());
  if (!(await writes.insertMessage(record))) {
    throw new DBOSNonExistentWorkflowError(
      // DBOS's wording (its tests match on it), then durably's.
      `Sent to non-existent destination workflow UUID: ${destinationID} (no workflow has that ID).`,
      { workflowID: destinationID },
    );
  }
}
