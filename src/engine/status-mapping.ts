/** From a status row to the public WorkflowStatus: values decoded best effort (raw text if unreadable). */
import type { WorkflowStatus } from '../types/workflow-types.ts';
import type { WorkflowStatusRecord } from '../system-database/records.ts';
import { parseStoredRoles } from './stored-roles.ts';
import { decodeError, decodeValue, decodeWorkflowInputs } from './stored-values.ts';
import { parseAttributes } from './workflow-attributes.ts';

async function decode(read: () => Promise<unknown>, raw: string): Promise<unknown> {
  try {
    return await read();
  } catch {
    return raw;
  }
}

export async function toPublicStatus(row: WorkflowStatusRecord): Promise<WorkflowStatus> {
  const { serialization } = row;
  const [input, output, error] = await Promise.all([
    row.inputs === null ? undefined : decode(() => decodeWorkflowInputs(row.inputs, serialization), row.inputs),
    row.output === null ? undefined : decode(() => decodeValue(row.output, serialization), row.output),
    row.error === null ? undefined : decode(() => decodeError(row.error!, serialization), row.error),
  ]);
  return {
    workflowID: row.workflowID,
    status: row.status,
    workflowName: row.workflowName,
    workflowClassName: row.className ?? '',
    workflowConfigName: row.configName ?? undefined,
    queueName: row.queueName ?? undefined,
    authenticatedUser: row.authenticatedUser ?? undefined,
    assumedRole: row.assumedRole ?? undefined,
    authenticatedRoles: parseStoredRoles(row.authenticatedRoles),
    input: input as unknown[] | undefined,
    output,
    error,
    executorId: row.executorID ?? undefined,
    applicationVersion: row.applicationVersion ?? undefined,
    applicationName: row.applicationName ?? undefined,
    createdAt: row.createdAt,
    updatedAt: row.updatedAt,
    timeoutMS: row.timeoutMs ?? undefined,
    deadlineEpochMS: row.deadlineEpochMs ?? undefined,
    deduplicationID: row.deduplicationID ?? undefined,
    priority: row.priority,
    queuePartitionKey: row.queuePartitionKey ?? undefined,
    dequeuedAt: row.startedAtEpochMs ?? undefined,
    delayUntilEpochMS: row.delayUntilEpochMs ?? undefined,
    completedAt: row.completedAt ?? undefined,
    forkedFrom: row.forkedFrom ?? undefined,
    wasForkedFrom: row.wasForkedFrom ?? false,
    attributes: parseAttributes(row.attributes),
    scheduleName: row.scheduleName ?? undefined,
    parentWorkflowID: row.parentWorkflowID ?? undefined,
    recoveryAttempts: row.recoveryAttempts,
  };
}
