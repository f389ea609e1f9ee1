/**
 * Workflow attributes (StartWorkflowParams.workflowAttributes): a plain JSON
 * object stored with the workflow and searched by containment. Checked before
 * anything is written: an array, a scalar or a value JSON cannot hold exactly
 * (undefined, a function, a Date, NaN...) is refused with the path to it.
 */
import { DBOSConfigurationError } from '../errors/errors.ts';

function isPlainObject(value: unknown): value is Record<string, unknown> {
  if (value === null || typeof value !== 'object' || Array.isArray(value)) return false;
  const prototype = Object.getPrototypeOf(value);
  return prototype === Object.prototype || prototype === null;
}

/** The path of the first value JSON would not store as is, or undefined when all are plain JSON. */
function firstNonJson(value: unknown, path: string): string | undefined {
  if (value === null || typeof value === 'string' || typeof value === 'boolean') return undefined;
  if (typeof value === 'number') return Number.isFinite(value) ? undefined : path;
  if (Array.isArray(value)) {
    for (const [i, item] of value.entries()) {
      const found = firstNonJson(item, `${path}[${i}]`);
      if (found) return found;
    }
    return undefined;
  }
  if (!isPlainObject(value)) return path;
  for (const [key, item] of Object.entries(value)) {
    const found = firstNonJson(item, `${path}.${key}`);
    if (found) return found;
  }
  return undefined;
}

/** Validate attributes (`what` names them in errors) and return their JSON text. */
export function attributesText(what: string, attributes: unknown): string {
  if (!isPlainObject(attributes)) {
    throw new DBOSConfigurationError(`Invalid workflow attributes: ${what} must be a plain object of JSON values, got ${describe(attributes)}.`);
  }
  const bad = firstNonJson(attributes, '');
  if (bad !== undefined) {
    throw new DBOSConfigurationError(`Invalid workflow attributes: ${what}: the value at "${bad.slice(1)}" is not plain JSON (null, boolean, finite number, string, array or plain object).`);
  }
  return JSON.stringify(attributes);
}

function describe(value: unknown): string {
  if (Array.isArray(value)) return `an array ${JSON.stringify(value)}`;
  if (value === null || typeof value !== 'object') return JSON.stringify(value) ?? String(value);
  return `an instance of ${Object.getPrototypeOf(value)?.constructor?.name ?? 'an unknown class'}`;
}

/** Attributes read back from a status row (JSON object text), or undefined. */
export function parseAttributes(text: string | null | undefined): Record<string, unknown> | undefined {
  if (!text) return undefined;
  try {
    const value: unknown = JSON.parse(text);
    return isPlainObject(value) ? value : undefined;
  } catch {
    return undefined;
  }
}
