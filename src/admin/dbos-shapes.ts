/**
 * DBOS's admin API shapes, so scripts written for DBOS's admin server read
 * durably's unchanged: workflows as `WorkflowsOutput` (PascalCase keys,
 * numbers as strings, values rendered with util.inspect), steps with
 * snake_case keys, errors as the JSON of their own fields.
 */
import { inspect } from 'node:util';
import type { StepInfo, WorkflowStatus } from '../types/workflow-types.ts';

function text(value: number | undefined | null): string | undefined {
  return value === undefined || value === null ? undefined : String(value);
}

function rendered(value: unknown): string | undefined {
  return value === undefined || value === null ? undefined : inspect(value, { depth: 8, breakLength: Infinity });
}

/** An error's name, message, stack and own fields (nested causes too), as JSON text. */
export function errorJson(error: unknown): string | undefined {
  if (error === undefined || error === null) return undefined;
  return JSON.stringify(plainError(error, 0));
}

function plainError(error: unknown, depth: number): unknown {
  if (!(error instanceof Error) || depth > 4) return error;
  const plain: Record<string, unknown> = { name: error.name, message: error.message, stack: error.stack };
  for (const [key, value] of Object.entries(error)) plain[key] = value instanceof Error ? plainError(value, depth + 1) : value;
  if (error.cause !== undefined) plain.cause = plainError(error.cause, depth + 1);
  return plain;
}

export function workflowsOutput(status: WorkflowStatus): Record<string, unknown> {
  const roles = status.authenticatedRoles ?? [];
  return {
    WorkflowUUID: status.workflowID,
    Status: status.status,
    WorkflowName: status.workflowName,
    WorkflowClassName: status.workflowClassName || undefined,
    WorkflowConfigName: status.workflowConfigName || undefined,
    AuthenticatedUser: status.authenticatedUser || undefined,
    AssumedRole: status.assumedRole || undefined,
    AuthenticatedRoles: roles.length > 0 ? JSON.stringify(roles) : undefined,
    Input: rendered(status.input),
    Output: rendered(status.output),
    Error: errorJson(status.error),
    CreatedAt: text(status.createdAt),
    UpdatedAt: text(status.updatedAt),
    QueueName: status.queueName || undefined,
    ApplicationVersion: status.applicationVersion,
    ExecutorID: status.executorId,
    WorkflowTimeoutMS: text(status.timeoutMS),
    WorkflowDeadlineEpochMS: text(status.deadlineEpochMS),
    DeduplicationID: status.deduplicationID,
    Priority: String(status.priority ?? 0),
    QueuePartitionKey: status.queuePartitionKey,
    DequeuedAt: text(status.dequeuedAt),
    ForkedFrom: status.forkedFrom,
    WasForkedFrom: status.wasForkedFrom ?? false,
    ParentWorkflowID: status.parentWorkflowID,
    DelayUntilEpochMS: text(status.delayUntilEpochMS),
    CompletedAt: text(status.completedAt),
    Attributes: status.attributes === undefined ? undefined : JSON.stringify(status.attributes),
    ScheduleName: status.scheduleName,
    ApplicationName: status.applicationName,
  };
}

export function stepOutput(step: StepInfo): Record<string, unknown> {
  return {
    function_id: step.functionID,
    function_name: step.name,
    output: rendered(step.output),
    error: errorJson(step.error),
    child_workflow_id: step.childWorkflowID ?? undefined,
    started_at_epoch_ms: text(step.startedAtEpochMs),
    completed_at_epoch_ms: text(step.completedAtEpochMs),
  };
}
