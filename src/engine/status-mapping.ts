/** From a status row to the public WorkflowStatus: values decoded best effort (raw text if unreadable). */
import type { WorkflowStatus } from '../types/workflow-types.ts';
import type { WorkflowStatusRecord } from '../system-database/records.ts';
import { deserializeError } from './error-serialization.ts';
import { deserializeValue } from './serialization.ts';
import { parseAttributes } from './workflow-attributes.ts';

function decode(read: () => unknown, raw: string): unknown {
  try {
    return read();
  } catch {
    return raw;
  }
}

function parseRoles(text: string | null): string[] | undefined {
  if (!text) return undefined;
  try {
    const roles: unknown = JSON.parse(text);
    return Array.isArray(roles) ? roles.map(String) : undefined;
  } catch {
    return undefined;
  }
}

export function toPublicStatus(row: WorkflowStatusRecord): WorkflowStatus {
  const { serialization } = row;
  return {
    workflowID: row.workflowID,
    status: row.status,
    workflowName: row.workflowName,
    workflowClassName: row.className ?? '',
    workflowConfigName: row.configName ?? undefined,
    queueName: row.queueName ?? undefined,
    authenticatedUser: row.authenticatedUser ?? undefined,
    assumedRole: row.assumedRole ?? undefined,
    authenticatedRoles: parseRoles(row.authenticatedRoles),
    input: row.inputs === null ? undefined : (decode(() => deserializeValue(row.inputs, serialization), row.inputs) as unknown[]),
    output: row.output === null ? undefined : decode(() => deserializeValue(row.output, serialization), row.output),
    error: row.error === null ? undefined : decode(() => deserializeError(row.error!, serialization), row.error),
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
