/**
 * A workflow run again from its status row (recovery at launch or after a takeover, a dequeue): all but its code
 * comes from the row, so every path that restarts a stored workflow restores the same context.
 */
import type { StepOutcomeRecord, WorkflowStatusRecord } from '../system-database/records.ts';
import type { RegisteredWorkflow } from './registry.ts';
import type { WorkflowExecution } from './run-workflow.ts';
import { parseStoredRoles } from './stored-roles.ts';
import { parseStoredRequest } from './stored-request.ts';
import { decodeWorkflowInputs } from './stored-values.ts';

export function storedExecution(
  workflow: WorkflowStatusRecord,
  registration: RegisteredWorkflow,
  thisArg: unknown,
  recorded: StepOutcomeRecord[],
): WorkflowExecution {
  return {
    workflowID: workflow.workflowID,
    registration,
    thisArg,
    args: () => decodeWorkflowInputs(workflow.inputs, workflow.serialization),
    inputsSerialization: workflow.serialization,
    deadlineEpochMs: workflow.deadlineEpochMs,
    recorded,
    queueName: workflow.queueName,
    authenticatedUser: workflow.authenticatedUser ?? undefined,
    authenticatedRoles: parseStoredRoles(workflow.authenticatedRoles) ?? [],
    assumedRole: workflow.assumedRole || undefined,
    request: parseStoredRequest(workflow.request),
    storedTraceContext: workflow.traceContext,
  };
}
