/**
 * A client's enqueue: the same status row as DBOS.enqueueWorkflowWithOptions
 * (queues/enqueue-by-name.ts builds it), written with the client's
 * application as owner (none: unclaimed) and no application version unless
 * given, so any worker that has the workflow may run it. One write.
 */
import { randomUUID } from 'node:crypto';
import { DBOSConfigurationError, DBOSInvalidWorkflowTransitionError, DBOSWorkflowIDInUseError } from '../errors/errors.ts';
import type { Engine } from '../engine/engine.ts';
import { insertRespectingDuplicationPolicy } from '../engine/start-options.ts';
import { DurableWorkflowHandle } from '../engine/workflow-handle.ts';
import { buildEnqueueRecord, encodeInputs, type EnqueueWorkflowOptions } from '../queues/enqueue-by-name.ts';
import { validateEnqueueOptions } from '../queues/enqueue-options.ts';
import type { NewWorkflowRecord } from '../system-database/records.ts';
import type { DuplicationPolicy } from '../types/workflow-types.ts';

/** DBOS's ClientEnqueueOptions: the enqueue options, plus what a held deduplication ID does. */
export interface ClientEnqueueOptions extends EnqueueWorkflowOptions {
  /** 'reject' (default): DBOSQueueDuplicatedError; 'return-existing': the holder's handle (needs deduplicationID). */
  duplicationPolicy?: DuplicationPolicy;
}

function checkDuplicationPolicy(options: ClientEnqueueOptions): boolean {
  const policy = options.duplicationPolicy;
  if (policy === undefined || policy === 'reject') return false;
  if (policy !== 'return-existing') {
    throw new DBOSConfigurationError(`ClientEnqueueOptions.duplicationPolicy must be "reject" or "return-existing", got ${JSON.stringify(policy)}.`);
  }
  if (!options.deduplicationID) {
    // DBOS's error class and wording.
    throw new DBOSInvalidWorkflowTransitionError(
      "`duplicationPolicy: 'return-existing'` requires `deduplicationID`: it returns the workflow holding that deduplication ID on the queue.",
    );
  }
  return true;
}

/** A validated enqueue: the status row to write, and what to do when its ID or deduplication ID is taken. */
export interface PreparedEnqueue {
  record: NewWorkflowRecord;
  returnExisting: boolean;
  rejectReuse: boolean;
}

export async function prepareClientEnqueue(
  engine: Engine,
  applicationName: string | undefined,
  options: ClientEnqueueOptions,
  positionalArgs: unknown[],
  namedArgs?: Record<string, unknown>,
): Promise<PreparedEnqueue> {
  if (typeof options !== 'object' || options === null) {
    throw new DBOSConfigurationError(`DBOSClient.enqueue: options must be an object, got ${JSON.stringify(options)}.`);
  }
  const returnExisting = checkDuplicationPolicy(options);
  const { duplicationPolicy: _policy, ...enqueueOptions } = options;
  validateEnqueueOptions(enqueueOptions);
  const inputs = await encodeInputs(enqueueOptions, positionalArgs, namedArgs);
  const placement = await engine.placeInQueue({
    queueName: enqueueOptions.queueName,
    enqueueOptions: {
      deduplicationID: enqueueOptions.deduplicationID,
      priority: enqueueOptions.priority,
      queuePartitionKey: enqueueOptions.queuePartitionKey,
      delaySeconds: enqueueOptions.delaySeconds,
    },
  });
  const record = buildEnqueueRecord(enqueueOptions, placement!, inputs, {
    workflowID: enqueueOptions.workflowID ?? randomUUID(),
    executorID: engine.identity.executorID,
    applicationName: applicationName ?? null,
    parentWorkflowID: null,
  });
  return { record, returnExisting, rejectReuse: enqueueOptions.workflowIDReusePolicy === 'reject' };
}

export async function clientEnqueue<R>(
  engine: Engine,
  applicationName: string | undefined,
  options: ClientEnqueueOptions,
  positionalArgs: unknown[],
  namedArgs?: Record<string, unknown>,
): Promise<DurableWorkflowHandle<R>> {
  const { record, returnExisting, rejectReuse } = await prepareClientEnqueue(engine, applicationName, options, positionalArgs, namedArgs);
  const result = await insertRespectingDuplicationPolicy(engine, record, returnExisting);
  if ('holderID' in result) return new DurableWorkflowHandle<R>(engine, result.holderID);
  if (!result.inserted && rejectReuse) {
    throw new DBOSWorkflowIDInUseError(record.workflowID, result.existing.status, result.existing.workflowName);
  }
  return new DurableWorkflowHandle<R>(engine, record.workflowID);
}
