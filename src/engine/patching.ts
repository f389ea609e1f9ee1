/**
 * DBOS.patch / DBOS.deprecatePatch: let changed workflow code take a new
 * branch only in executions that had not yet passed the branch point under
 * the old code. A patch is a marker operation `DBOS.patch-<name>` at the
 * current function ID:
 * - a recorded marker there: this execution took the new branch before (true);
 * - another recorded operation there: the execution began under old code and
 *   went past this point without the patch (false, function ID not consumed,
 *   so the old branch replays from the same ID);
 * - nothing recorded there: the execution reaches this point now, under the
 *   new code: record the marker (true).
 * deprecatePatch is the step towards removing a patch: it never writes a
 * marker, consumes one where an execution recorded it, and always says true.
 */
import { DBOSConfigurationError, DBOSInvalidWorkflowTransitionError } from '../errors/errors.ts';
import { beyondHistory, recordValue } from './checkpoint.ts';
import { reserveFunctionID, workflowCodeState, type WorkflowState } from './workflow-context.ts';

function markerName(patchName: string): string {
  return `DBOS.patch-${patchName}`;
}

function patchingWorkflow(what: string, patchName: unknown): WorkflowState {
  if (typeof patchName !== 'string' || patchName === '') {
    throw new DBOSConfigurationError(`${what}: the patch name must be a non-empty string, got ${JSON.stringify(patchName)}.`);
  }
  const workflow = workflowCodeState();
  if (!workflow) {
    throw new DBOSInvalidWorkflowTransitionError(`${what} can only be called from workflow code (not from a step or outside a workflow).`);
  }
  if (!workflow.engine.patchingEnabled) {
    throw new DBOSConfigurationError(
      `${what} needs patching enabled: set enablePatching: true in DBOS.setConfig() (workflows then share the application version PATCHING_ENABLED).`,
    );
  }
  return workflow;
}

export async function patch(patchName: string): Promise<boolean> {
  const workflow = patchingWorkflow('DBOS.patch', patchName);
  const recorded = workflow.recorded.get(workflow.nextFunctionID);
  if (recorded && recorded.functionName !== markerName(patchName)) return false;
  if (!recorded && workflow.replayOnly) throw beyondHistory(workflow, workflow.replayOnly, workflow.nextFunctionID, markerName(patchName));
  const functionID = reserveFunctionID(workflow);
  if (!recorded) await recordValue(workflow, functionID, markerName(patchName), true, { startedAtEpochMs: Date.now() });
  return true;
}

export async function deprecatePatch(patchName: string): Promise<boolean> {
  const workflow = patchingWorkflow('DBOS.deprecatePatch', patchName);
  const recorded = workflow.recorded.get(workflow.nextFunctionID);
  if (recorded?.functionName === markerName(patchName)) reserveFunctionID(workflow);
  return true;
}
