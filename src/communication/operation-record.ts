/** Options shared by the communication operations. */
import { DBOSConfigurationError, DBOSInvalidWorkflowTransitionError } from '../errors/errors.ts';
import { currentContext } from '../engine/workflow-context.ts';

/** Timeouts are given in seconds, as in DBOS; 60 s by default. */
export function timeoutMs(timeoutSeconds: number | undefined, operation: string): number {
  const seconds = timeoutSeconds ?? 60;
  if (typeof seconds !== 'number' || !(seconds >= 0) || Number.isNaN(seconds)) {
    throw new DBOSConfigurationError(`${operation}: timeoutSeconds must be a number >= 0, got ${JSON.stringify(timeoutSeconds)}.`);
  }
  return seconds * 1000;
}

/** An operation only workflow code may call, called elsewhere: DBOS's message for where it was called, then why. */
export function notFromWorkflowCode(operation: string): DBOSInvalidWorkflowTransitionError {
  const where = currentContext().workflow
    ? `Invalid call to \`${operation}\` inside a \`step\` or \`transaction\``
    : `Attempt to call \`${operation}\` outside of a workflow`;
  return new DBOSInvalidWorkflowTransitionError(`${where}: only workflow code itself can call it (it is recorded there).`);
}
