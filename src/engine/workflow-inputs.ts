/**
 * A workflow's stored inputs as the arguments to call it with. Native rows
 * hold the argument array; portable rows (written by other languages' clients
 * or DBOS.enqueueWorkflowWithOptionsPortable) hold DBOS's
 * `{positionalArgs, namedArgs}`: a JavaScript workflow gets the positional
 * ones, and named ones, which it cannot take, are refused.
 */
import { DBOSError } from '../errors/errors.ts';
import { deserializeValue, portableSerialization } from './serialization.ts';

export function workflowArgsOf(inputs: string | null, serialization: string | null): unknown[] {
  const value = deserializeValue<unknown>(inputs, serialization);
  if (value === undefined || value === null) return [];
  if (serialization !== portableSerialization || Array.isArray(value)) return value as unknown[];
  const { positionalArgs, namedArgs } = value as { positionalArgs?: unknown; namedArgs?: unknown };
  if (!Array.isArray(positionalArgs ?? [])) {
    throw new DBOSError(`Portable workflow inputs hold positionalArgs that are not an array: ${inputs}`, 1, {
      code: 'WORKFLOW_INPUTS_INVALID',
    });
  }
  if (namedArgs !== undefined && namedArgs !== null && Object.keys(namedArgs).length > 0) {
    throw new DBOSError(
      `Portable workflow inputs hold namedArgs ${JSON.stringify(namedArgs)}: a JavaScript workflow takes positional arguments only.`,
      1,
      { code: 'WORKFLOW_INPUTS_INVALID' },
    );
  }
  return (positionalArgs ?? []) as unknown[];
}
