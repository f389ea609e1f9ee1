/**
 * WorkflowConfig.inputSchema applied: the argument list goes through the schema's `parse` before the body
 * sees it, on every execution (direct call, queue dispatch, recovery), so inputs stored as plain JSON (portable
 * ones, or a row another language inserted) can be checked and turned back into Dates and the like. A refusal
 * is thrown inside the execution, so the workflow fails with the schema's own error, recorded like any other.
 */
import { DBOSError } from '../errors/errors.ts';
import type { RegisteredWorkflow } from './registry.ts';

export async function validatedArguments(registration: RegisteredWorkflow, args: unknown[]): Promise<unknown[]> {
  const schema = registration.config.inputSchema;
  if (!schema) return args;
  const parsed = await schema.parse(args);
  if (!Array.isArray(parsed)) {
    // The body is called with the list spread; anything else would silently become no arguments or a TypeError.
    throw new DBOSError(
      `The inputSchema of workflow "${registration.name}" returned ${parsed === null ? 'null' : typeof parsed}, not an ` +
        'argument array: it receives the arguments as an array (a tuple schema) and must return the array to call with.',
      1,
      { code: 'WORKFLOW_INPUTS_INVALID' },
    );
  }
  return parsed;
}
