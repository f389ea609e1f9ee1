/**
 * Values, workflow inputs and errors ⇄ stored text, in whichever format applies: portable JSON where asked,
 * else the process's native format (`js_superjson`, or the configured custom serializer). Reading dispatches
 * on the format each row names, so rows written in any of them stay readable after the serializer changes.
 * Async because a custom serializer may be: awaiting it before the row's single write adds no round trip.
 */
import { DBOSConfigurationError, DBOSError, DBOSSerializationError } from '../errors/errors.ts';
import { PortableWorkflowError } from '../errors/portable-workflow-error.ts';
import { DBOSUnknownSerializationError } from '../errors/errors.ts';
import type { DBOSSerializer, JSONValue } from '../types/serialization-types.ts';
import type { WorkflowSerializationFormat } from '../types/workflow-types.ts';
import { errorFromValue, serializeError, thrownValueRecord } from './error-serialization.ts';
import {
  defaultSerialization,
  deserializeValue,
  errorToRecord,
  portableSerialization,
  type ErrorRecord,
  serializeValue,
  type SerializedValue,
} from './serialization.ts';
import { customSerializer } from './serializers.ts';

export type StorageFormat = 'native' | 'portable';

/** A format given by a caller (workflow config, an options argument), checked; undefined means native. */
export function storageFormat(format: WorkflowSerializationFormat, where: string): StorageFormat {
  if (format === undefined || format === 'native' || format === 'portable') return format ?? 'native';
  throw new DBOSConfigurationError(`${where} must be 'native' or 'portable', got ${JSON.stringify(format)}.`);
}

export async function encodeValue(
  value: unknown,
  what: string,
  format: StorageFormat = 'native',
  root = 'value',
): Promise<SerializedValue> {
  const custom = format === 'native' ? customSerializer() : undefined;
  if (!custom) return serializeValue(value, what, format, root);
  return { text: await stringifyWith(custom.serializer, custom.name, value, what, root), serialization: custom.name };
}

async function stringifyWith(serializer: DBOSSerializer, name: string, value: unknown, what: string, root: string): Promise<string> {
  let text: unknown;
  try {
    text = await serializer.stringify(value);
  } catch (cause) {
    throw new DBOSSerializationError(what, root, `serializer "${name}" failed (${(cause as Error)?.message ?? String(cause)})`);
  }
  if (typeof text !== 'string') throw new DBOSSerializationError(what, root, `serializer "${name}" returned ${typeof text}, not a string`);
  return text;
}

/** The custom serializer that wrote a row, or undefined for the built-in formats (the default when unnamed). */
function customReaderFor(serialization: string | null): DBOSSerializer | undefined {
  if (serialization === null || serialization === defaultSerialization || serialization === portableSerialization) return undefined;
  const custom = customSerializer();
  if (custom?.name === serialization) return custom.serializer;
  const readable = [defaultSerialization, portableSerialization, ...(custom ? [custom.name] : [])];
  throw new DBOSUnknownSerializationError(serialization, readable);
}

/** A null text is a value never recorded (undefined). */
export async function decodeValue<T = unknown>(text: string | null, serialization: string | null): Promise<T> {
  if (text === null) return undefined as T;
  const custom = customReaderFor(serialization);
  if (!custom) return deserializeValue<T>(text, serialization);
  try {
    return (await custom.parse(text)) as T;
  } catch (cause) {
    const problem = `Cannot read a stored value with serializer "${serialization}": ${(cause as Error)?.message ?? String(cause)}.`;
    throw new DBOSError(problem, 1, { code: 'STORED_VALUE_UNREADABLE', cause });
  }
}

/** Portable inputs are `{positionalArgs, namedArgs?}` (DBOS's cross-language shape); native ones the array. */
export async function encodeWorkflowInputs(args: unknown[], what: string, format: StorageFormat): Promise<SerializedValue> {
  const encoded = await encodeValue(args, what, format, 'args');
  if (format === 'native') return encoded;
  return { text: `{"positionalArgs":${encoded.text}}`, serialization: encoded.serialization };
}

/**
 * The arguments to call the workflow with. Portable inputs (other languages' clients) are
 * `{positionalArgs, namedArgs}`: a JavaScript function takes no named arguments, so inputs holding some are
 * refused, not silently dropped (the workflow fails with this error).
 */
export async function decodeWorkflowInputs(text: string | null, serialization: string | null): Promise<unknown[]> {
  const value = await decodeValue<unknown>(text, serialization);
  if (value === undefined || value === null) return [];
  if (Array.isArray(value)) return value;
  const { positionalArgs, namedArgs } = value as { positionalArgs?: unknown; namedArgs?: unknown };
  const portable = serialization === portableSerialization && (positionalArgs === undefined || Array.isArray(positionalArgs));
  if (!portable) {
    throw new DBOSError(`Stored workflow inputs are not an argument list: ${String(text).slice(0, 200)}`, 1, {
      code: 'WORKFLOW_INPUTS_INVALID',
    });
  }
  if (typeof namedArgs === 'object' && namedArgs !== null && Object.keys(namedArgs).length > 0) {
    throw new DBOSError(
      `Portable workflow inputs hold namedArgs ${JSON.stringify(namedArgs)}: a JavaScript workflow takes positional arguments only.`,
      1,
      { code: 'WORKFLOW_INPUTS_INVALID' },
    );
  }
  return (positionalArgs ?? []) as unknown[];
}

/**
 * Portable errors are `{name, message, code?, data?}`; native ones the full record (stack, cause, fields),
 * through the custom serializer when there is one. Never throws for a field that cannot be stored.
 */
export async function encodeError(error: unknown, format: StorageFormat = 'native'): Promise<SerializedValue> {
  if (format === 'portable') return portableError(error);
  const custom = customSerializer();
  if (!custom) return serializeError(error);
  const what = 'an error';
  try {
    return { text: await stringifyWith(custom.serializer, custom.name, errorToPlainRecord(error), what, 'error'), serialization: custom.name };
  } catch (problem) {
    if (!(problem instanceof DBOSSerializationError)) throw problem;
    const { name, message } = errorToPlainRecord(error);
    return { text: await stringifyWith(custom.serializer, custom.name, { name, message }, what, 'error'), serialization: custom.name };
  }
}

/** The error as plain data for a serializer that knows no Error class: causes become records too. */
function errorToPlainRecord(error: unknown, depth = 0): ErrorRecord {
  if (!(error instanceof Error)) return thrownValueRecord(error);
  const record = errorToRecord(error);
  if (record.cause instanceof Error && depth < 16) record.cause = errorToPlainRecord(record.cause, depth + 1);
  return record;
}

function portableError(error: unknown): SerializedValue {
  const { name, message, code, data } = errorToPlainRecord(error);
  const record: Record<string, unknown> = { name, message };
  if (typeof code === 'string' || typeof code === 'number') record.code = code;
  if (data !== undefined) record.data = data;
  try {
    return serializeValue(record, 'an error', 'portable', 'error');
  } catch (problem) {
    if (!(problem instanceof DBOSSerializationError)) throw problem;
    delete record.data; // what other languages cannot read is left out, not the failure itself
    return serializeValue(record, 'an error', 'portable', 'error');
  }
}

/** Always an Error: portable records come back as PortableWorkflowError (their class is not known here). */
export async function decodeError(text: string, serialization: string | null): Promise<Error> {
  const value = await decodeValue<unknown>(text, serialization);
  if (serialization !== portableSerialization) return errorFromValue(value);
  const record = (typeof value === 'object' && value !== null ? value : { message: String(value) }) as Record<string, unknown>;
  const code = typeof record.code === 'string' || typeof record.code === 'number' ? record.code : undefined;
  const name = typeof record.name === 'string' ? record.name : 'Error';
  return new PortableWorkflowError(String(record.message ?? ''), name, code, record.data as JSONValue | undefined);
}
