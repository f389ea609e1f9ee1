/**
 * verifyReplay: the launched application's replay verification of one
 * workflow (engine/replay-verification.ts). It reads the history and runs the
 * registered code against it; nothing is executed or written.
 */
import { verifyWorkflowReplay, type ReplayReport } from '../engine/replay-verification.ts';
import { engineFor } from '../runtime/runtime.ts';

export function verifyReplay(workflowID: string): Promise<ReplayReport> {
  return verifyWorkflowReplay(engineFor('verifyReplay'), workflowID);
}
