/**
 * A database-registered queue's row and its WorkflowQueue, each from the
 * other. Pure: no I/O. The row keeps DBOS's columns (the polling interval in
 * seconds), so DBOS tooling reads the same queues.
 */
import type { QueueDefinitionRecord } from '../system-database/claim-records.ts';
import type { DLogger } from '../telemetry/logger.ts';
import type { CanonicalQueueParameters, QueueRateLimit } from './queue-parameters.ts';
import { WorkflowQueue } from './workflow-queue.ts';

function rateFromColumns(max: number | null, periodSec: number | null): QueueRateLimit | undefined {
  return max !== null && periodSec !== null ? { limitPerPeriod: max, periodSec } : undefined;
}

export function definitionFromParameters(
  name: string,
  params: CanonicalQueueParameters,
  applicationName: string | null,
): QueueDefinitionRecord {
  return {
    name,
    concurrency: params.concurrency ?? null,
    workerConcurrency: params.workerConcurrency ?? null,
    rateLimitMax: params.rateLimit?.limitPerPeriod ?? null,
    rateLimitPeriodSec: params.rateLimit?.periodSec ?? null,
    priorityEnabled: params.priorityEnabled ?? false,
    partitionQueue: params.partitionQueue ?? false,
    partitionConcurrency: params.partitionConcurrency ?? null,
    partitionWorkerConcurrency: params.partitionWorkerConcurrency ?? null,
    partitionRateLimitMax: params.partitionRateLimit?.limitPerPeriod ?? null,
    partitionRateLimitPeriodSec: params.partitionRateLimit?.periodSec ?? null,
    pollingIntervalSec: (params.minPollingIntervalMs ?? 1000) / 1000,
    applicationName,
  };
}

export function parametersFromDefinition(definition: QueueDefinitionRecord): CanonicalQueueParameters {
  return {
    concurrency: definition.concurrency ?? undefined,
    workerConcurrency: definition.workerConcurrency ?? undefined,
    rateLimit: rateFromColumns(definition.rateLimitMax, definition.rateLimitPeriodSec),
    priorityEnabled: definition.priorityEnabled,
    partitionQueue: definition.partitionQueue,
    partitionConcurrency: definition.partitionConcurrency ?? undefined,
    partitionWorkerConcurrency: definition.partitionWorkerConcurrency ?? undefined,
    partitionRateLimit: rateFromColumns(definition.partitionRateLimitMax, definition.partitionRateLimitPeriodSec),
    minPollingIntervalMs: definition.pollingIntervalSec * 1000,
  };
}

/** The queue a row describes; throws DBOSConfigurationError if its limits are invalid. */
export function queueFromDefinition(definition: QueueDefinitionRecord): WorkflowQueue {
  return new WorkflowQueue(definition.name, parametersFromDefinition(definition), { databaseBacked: true });
}

/**
 * The queues rows describe, leaving out (with a warning) rows whose limits
 * are invalid: another tool may have written them, and one bad row must not
 * stop every other queue.
 */
export function queuesFromDefinitions(definitions: readonly QueueDefinitionRecord[], logger: DLogger): WorkflowQueue[] {
  const queues: WorkflowQueue[] = [];
  for (const definition of definitions) {
    try {
      queues.push(queueFromDefinition(definition));
    } catch (error) {
      logger.warn(`Ignoring registered queue "${definition.name}": ${(error as Error).message}`);
    }
  }
  return queues;
}
