/** DBOS.now() and DBOS.randomUUID(): recorded in workflow code, so replay sees the same values. */
import { randomUUID } from 'node:crypto';
import { recordedOperation } from './checkpoint.ts';
import { workflowCodeState } from './workflow-context.ts';

export function recordedNow(): Promise<number> {
  const workflow = workflowCodeState();
  return workflow ? recordedOperation(workflow, 'DBOS.now', () => Date.now()) : Promise.resolve(Date.now());
}

export function recordedRandomUUID(): Promise<string> {
  const workflow = workflowCodeState();
  return workflow ? recordedOperation(workflow, 'DBOS.randomUUID', () => randomUUID()) : Promise.resolve(randomUUID());
}
