/**
 * Thrown values ⇄ stored text, for the error column of steps and workflows.
 *
 * An error is stored as DBOS stores it, a plain record (name, message, stack, cause and own fields such as
 * `code`) in the superjson envelope, so DBOS tooling can show it. It is revived with its class when durably
 * knows the class (its own and JavaScript's), so `instanceof DBOSWorkflowCancelledError` still holds after a
 * restart or in another process; any other class comes back as an Error with the same name and fields.
 *
 * Recording a failure must not itself fail: a field that cannot be stored (a socket on an HTTP error, say)
 * is replaced by a note naming it, and the rest of the error is kept.
 */
import { DBOSSerializationError } from '../errors/errors.ts';
import {
  deserializeValue,
  errorToRecord,
  reviveError,
  serializeValue,
  type ErrorRecord,
  type SerializedValue,
} from './serialization.ts';

const what = 'an error';
const maxCauseDepth = 16;
const maxDescriptionLength = 200;

function isErrorRecord(value: unknown): value is ErrorRecord {
  return typeof value === 'object' && value !== null && typeof (value as ErrorRecord).message === 'string';
}

function describeThrownValue(value: unknown): string {
  if (typeof value === 'bigint') return `${value}n`;
  if (typeof value === 'function') return `a function${value.name ? ` named ${value.name}` : ''}`;
  if (typeof value === 'symbol' || value === undefined) return String(value);
  let description: string;
  try {
    description = JSON.stringify(value) ?? String(value);
  } catch {
    description = String(value);
  }
  return description.length > maxDescriptionLength ? `${description.slice(0, maxDescriptionLength)}…` : description;
}

/** `throw 'boom'` or `throw {status: 404}`: stored as an Error describing the value, which rides along. */
export function thrownValueRecord(value: unknown): ErrorRecord {
  return { name: 'Error', message: `A non-Error value was thrown: ${describeThrownValue(value)}`, thrownValue: value };
}

function storableOrNote(value: unknown, key: string): unknown {
  try {
    serializeValue(value, what, 'native', `error.${key}`);
    return value;
  } catch (problem) {
    if (!(problem instanceof DBOSSerializationError)) throw problem;
    return `[not stored: ${problem.path} cannot be serialized]`;
  }
}

/** The record with every field that cannot be stored replaced by a note; causes are cleaned the same way. */
function storableRecord(record: ErrorRecord, depth: number): ErrorRecord {
  const storable: ErrorRecord = { name: record.name, message: record.message };
  for (const key of Object.keys(record)) {
    if (key === 'name' || key === 'message') continue;
    const value = record[key];
    const cleaned = key === 'cause' && value instanceof Error && depth < maxCauseDepth
      ? reviveError(storableRecord(errorToRecord(value), depth + 1))
      : storableOrNote(value, key);
    Object.defineProperty(storable, key, { value: cleaned, enumerable: true, writable: true, configurable: true });
  }
  return storable;
}

/** Never throws DBOSSerializationError: what cannot be stored is replaced by a note. */
export function serializeError(error: unknown): SerializedValue {
  const record = error instanceof Error ? errorToRecord(error) : thrownValueRecord(error);
  try {
    return serializeValue(record, what, 'native', 'error');
  } catch (problem) {
    if (!(problem instanceof DBOSSerializationError)) throw problem;
    return serializeValue(storableRecord(record, 0), what, 'native', 'error');
  }
}

/** Always gives an Error: a stored non-Error value comes back wrapped, on `thrownValue`. */
export function deserializeError(text: string, serialization: string | null): Error {
  return errorFromValue(deserializeValue(text, serialization));
}

/** A stored error as read by any format: an Error, an error record, or a thrown non-Error value. */
export function errorFromValue(value: unknown): Error {
  if (value instanceof Error) return value;
  if (isErrorRecord(value)) return reviveError(value);
  return reviveError(thrownValueRecord(value));
}
