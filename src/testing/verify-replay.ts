/**
 * verifyReplay: the launched application's replay verification of one
 * workflow (engine/replay-verification.ts). It reads the history and runs the
 * registered code against it; nothing is executed or written.
 */
import { verifyWorkflowReplay, type ReplayReport } from '../engine/replay-verification.ts';
import { engineFor } from '../runtime/runtime.ts';

/** `timeoutMs`: how long the replayed code may run (default 10 s; it only waits on code that is not durable). */
export function verifyReplay(workflowID: string, options: { timeoutMs?: number } = {}): Promise<ReplayReport> {
  return verifyWorkflowReplay(engineFor('verifyReplay'), workflowID, options.timeoutMs);
}
