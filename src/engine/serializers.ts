/**
 * The formats values are stored in, as DBOSSerializer objects, and the one this process writes its native
 * values with: DBOS's `js_superjson` unless the config names a custom `serializer`. Process-wide, like
 * DBOS: set at launch, cleared at shutdown. Reading never depends on it alone: each row names its format.
 */
import { DBOSConfigurationError } from '../errors/errors.ts';
import type { DBOSSerializer } from '../types/serialization-types.ts';
import { defaultSerialization, deserializeValue, portableSerialization, serializeValue } from './serialization.ts';

/** The default format (superjson with DBOS's marker). */
export const DBOSJSON: DBOSSerializer = {
  name: () => defaultSerialization,
  stringify: (value) => serializeValue(value, 'a value').text,
  parse: (text) => (text === null || text === undefined ? null : deserializeValue(text, defaultSerialization)),
};

/** Plain JSON that any language can read: Dates become ISO strings, Maps objects, Sets arrays. */
export const DBOSPortableJSON: DBOSSerializer = {
  name: () => portableSerialization,
  stringify: (value) => serializeValue(value, 'a value', 'portable').text,
  parse: (text) => (text === null || text === undefined ? null : deserializeValue(text, portableSerialization)),
};

let custom: { serializer: DBOSSerializer; name: string } | undefined;

/** The custom serializer native values are written with, and its name; undefined means `js_superjson`. */
export function customSerializer(): { serializer: DBOSSerializer; name: string } | undefined {
  return custom;
}

/** Called at launch (with the config's serializer) and at shutdown (with none). */
export function useSerializer(serializer: DBOSSerializer | undefined): void {
  if (serializer === undefined || serializer === DBOSJSON) {
    custom = undefined;
    return;
  }
  custom = { serializer, name: serializerName(serializer) };
}

/** A serializer's name, checked: it is stored in every row it writes and must not pose as a built-in format. */
export function serializerName(serializer: DBOSSerializer): string {
  const shaped = typeof serializer === 'object' && serializer !== null &&
    ['name', 'stringify', 'parse'].every((key) => typeof (serializer as unknown as Record<string, unknown>)[key] === 'function');
  if (!shaped) {
    throw new DBOSConfigurationError(
      'Config option "serializer" must be an object with name(), stringify(value) and parse(text) functions, ' +
        `got ${describe(serializer)}.`,
    );
  }
  const name: unknown = serializer.name();
  if (typeof name !== 'string' || name.trim() === '') {
    throw new DBOSConfigurationError(`The serializer's name() must return a non-empty string, got ${describe(name)}.`);
  }
  if ((name === defaultSerialization && serializer !== DBOSJSON) || (name === portableSerialization && serializer !== DBOSPortableJSON)) {
    throw new DBOSConfigurationError(
      `The serializer's name() returned "${name}", the name of a built-in format: rows it writes would be read ` +
        'with the built-in format. Give it a name of its own.',
    );
  }
  return name;
}

function describe(value: unknown): string {
  if (value === null || typeof value !== 'object') return typeof value === 'string' ? JSON.stringify(value) : String(value);
  return `an object with keys [${Object.keys(value).join(', ')}]`;
}
