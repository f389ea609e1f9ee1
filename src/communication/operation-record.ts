/** The checkpoint row a communication operation writes beside its own write. */
import { DBOSConfigurationError } from '../errors/errors.ts';
import type { StepOutcomeRecord } from '../system-database/records.ts';
import type { WorkflowState } from '../engine/workflow-context.ts';

export function checkpointFor(
  workflow: WorkflowState,
  functionID: number,
  functionName: string,
  startedAtEpochMs: number,
): StepOutcomeRecord {
  return {
    workflowID: workflow.workflowID,
    functionID,
    functionName,
    output: null,
    error: null,
    childWorkflowID: null,
    startedAtEpochMs,
    completedAtEpochMs: Date.now(),
    serialization: null,
  };
}

/** Timeouts are given in seconds, as in DBOS; 60 s by default. */
export function timeoutMs(timeoutSeconds: number | undefined, operation: string): number {
  const seconds = timeoutSeconds ?? 60;
  if (typeof seconds !== 'number' || !(seconds >= 0) || Number.isNaN(seconds)) {
    throw new DBOSConfigurationError(`${operation}: timeoutSeconds must be a number >= 0, got ${JSON.stringify(timeoutSeconds)}.`);
  }
  return seconds * 1000;
}
