/**
 * The queue a resumed or forked workflow goes to: the internal queue by
 * default, or a named queue that must exist (declared in code or registered
 * in the database), with its partition-key rules applied as for an enqueue.
 */
import { DBOSConfigurationError } from '../errors/errors.ts';
import type { Engine } from '../engine/engine.ts';
import { internalQueueName } from '../engine/recovery.ts';

export interface QueueTarget {
  queueName: string;
  queuePartitionKey: string | null;
}

export async function queueTarget(
  engine: Engine,
  what: string,
  queueName: string | undefined,
  queuePartitionKey: string | undefined,
): Promise<QueueTarget> {
  if (queueName === undefined) {
    if (queuePartitionKey !== undefined) {
      throw new DBOSConfigurationError(`${what}: queuePartitionKey needs a queueName (a partitioned queue to put the workflow on).`);
    }
    return { queueName: internalQueueName, queuePartitionKey: null };
  }
  if (typeof queueName !== 'string' || queueName === '') {
    throw new DBOSConfigurationError(`${what}: queueName must be a non-empty string, got ${JSON.stringify(queueName)}.`);
  }
  // The enqueue planner knows every queue (reloading the registered ones once) and checks partition keys.
  const placement = await engine.placeInQueue({ queueName, enqueueOptions: { queuePartitionKey } });
  if (!placement) throw new Error(`unreachable: no placement for queue "${queueName}"`);
  return { queueName: placement.queueName, queuePartitionKey: placement.queuePartitionKey };
}
