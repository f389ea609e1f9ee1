/**
 * One group-commit batch, written once for both backends: new workflows, then
 * step outcomes, then workflow outcomes, in one transaction (or none, when a
 * single statement does it all); for each request, whether it took effect.
 */
import type { Connection, QueryRunner } from '../connection.ts';
import type { Dialect } from '../dialect.ts';
import type { NewWorkflowRecord, StepOutcomeRecord, WorkflowOutcomeRecord } from '../records.ts';
import type { WriteRequest } from '../write-batcher.ts';
import { firstOccurrences } from './multi-row.ts';
import { insertStepOutcomes, stepKey } from './steps.ts';
import { insertWorkflows, writeWorkflowOutcomes } from './workflows.ts';

export function writeBatch(connection: Connection, dialect: Dialect, requests: readonly WriteRequest[]): Promise<boolean[]> {
  const workflows: NewWorkflowRecord[] = [];
  const steps: StepOutcomeRecord[] = [];
  const outcomes: WorkflowOutcomeRecord[] = [];
  for (const request of requests) {
    if (request.kind === 'insert-workflow') workflows.push(request.record);
    else if (request.kind === 'step-outcome') steps.push(request.record);
    else outcomes.push(request.record);
  }
  const kinds = Number(workflows.length > 0) + Number(steps.length > 0) + Number(outcomes.length > 0);
  const write = async (tx: QueryRunner): Promise<boolean[]> => {
    const insertedWorkflows = firstOccurrences(
      workflows,
      (w) => w.workflowID,
      workflows.length ? await insertWorkflows(tx, dialect, workflows) : new Set(),
    );
    const insertedSteps = firstOccurrences(
      steps,
      (s) => stepKey(s.workflowID, s.functionID),
      steps.length ? await insertStepOutcomes(tx, dialect, steps) : new Set(),
    );
    const writtenOutcomes = firstOccurrences(
      outcomes,
      (o) => o.workflowID,
      outcomes.length ? await writeWorkflowOutcomes(tx, dialect, outcomes) : new Set(),
    );
    const results = { 'insert-workflow': insertedWorkflows, 'step-outcome': insertedSteps, 'workflow-outcome': writtenOutcomes };
    const next = { 'insert-workflow': 0, 'step-outcome': 0, 'workflow-outcome': 0 };
    return requests.map((r) => results[r.kind][next[r.kind]++] ?? false);
  };
  // One statement commits by itself: skip BEGIN/COMMIT, two round trips on Postgres. (Each kind is one
  // statement per chunk, payload rows included; 32 parameters per request keeps it to one chunk.)
  const oneStatement = kinds === 1 && requests.length <= Math.floor(dialect.maxParameters / 32);
  return oneStatement ? write(connection) : connection.transaction(write);
}
