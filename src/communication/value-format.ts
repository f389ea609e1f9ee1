/**
 * The format of a value sent, published or streamed: the call's `serializationType`, else the running
 * workflow's own (portable workflows default to portable, as in DBOS), else native.
 */
import { DBOSConfigurationError } from '../errors/errors.ts';
import { storageFormat, type StorageFormat } from '../engine/stored-values.ts';
import { currentContext } from '../engine/workflow-context.ts';
import type { WorkflowSerializationFormat } from '../types/workflow-types.ts';

export function valueFormat(options: { serializationType?: WorkflowSerializationFormat } | undefined, operation: string): StorageFormat {
  if (options !== undefined && (typeof options !== 'object' || options === null)) {
    throw new DBOSConfigurationError(`${operation}: options must be an object, got ${options === null ? 'null' : typeof options}.`);
  }
  const chosen = options?.serializationType ?? currentContext().workflow?.serialization;
  return storageFormat(chosen, `${operation}: serializationType`);
}
