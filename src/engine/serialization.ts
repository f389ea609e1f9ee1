/**
 * Values ⇄ JSON text tagged with a format name: DBOS's own `js_superjson` (superjson's `{json, meta}` plus a
 * marker) by default, so rows cross between durably and DBOS tooling, or plain `portable_json` for other
 * languages. Each value is inspected once before anything is written: what could not come back as it went in (a
 * function, a socket, a Promise) fails with its path instead of being stored mangled, and pure JSON data (the
 * common case) skips superjson. Class instances holding only data are stored as their own enumerable fields (or
 * `toJSON()`) and come back as plain objects, since the reader may not have the class. Circular and shared
 * references are kept natively (superjson records them); portable JSON rejects cycles, writes shared values twice.
 */
import { SuperJSON, type SuperJSONResult } from 'superjson';
import { DBOSError, DBOSSerializationError, durablyErrorClasses } from '../errors/errors.ts';
import { DBOSUnknownSerializationError } from '../errors/errors.ts';
import type { JSONValue, SerializationRecipe } from '../types/serialization-types.ts';

export const defaultSerialization = 'js_superjson';
export const portableSerialization = 'portable_json';
const markerKey = '__dbos_serializer'; // DBOS's mark on superjson envelopes, telling them from plain JSON

export interface SerializedValue { text: string; serialization: string }

/** An Error as stored: what `instanceof` and logs need, plus the fields callers branch on (`code`, …). */
export interface ErrorRecord { name: string; message: string; stack?: string; cause?: unknown; [key: string]: unknown }

const errorCoreKeys = new Set(['name', 'message', 'stack', 'cause']);
const builtinErrorClasses: Record<string, { prototype: Error }> =
  { Error, TypeError, RangeError, SyntaxError, ReferenceError, EvalError, URIError, AggregateError };

/** Defines rather than assigns, so a stored `__proto__` key can never change a prototype. */
function setField(target: object, key: string, value: unknown, enumerable = true): void {
  Object.defineProperty(target, key, { value, enumerable, writable: true, configurable: true });
}

export function errorToRecord(error: Error): ErrorRecord {
  const record: ErrorRecord = { name: String(error.name), message: String(error.message) };
  if (error.stack !== undefined) record.stack = String(error.stack);
  if ('cause' in error) record.cause = error.cause;
  const fields = error as unknown as Record<string, unknown>;
  for (const key of Object.keys(error)) if (!errorCoreKeys.has(key)) setField(record, key, fields[key]);
  if (error instanceof AggregateError && !('errors' in record)) record.errors = error.errors;
  return record;
}

/**
 * Turns the record itself into an Error, so references to it (cycles included) stay intact. message, stack
 * and cause become hidden as on a thrown Error; `name` stays an own field unless the prototype supplies it.
 */
function shapeAsError(record: ErrorRecord, prototype: object): Error {
  if (typeof record.name !== 'string') record.name = 'Error';
  Object.setPrototypeOf(record, prototype);
  for (const key of ['message', 'stack', 'cause']) {
    if (Object.hasOwn(record, key)) setField(record, key, record[key], false);
  }
  if ((prototype as Error).name === record.name) delete (record as { name?: string }).name;
  return record as unknown as Error;
}

/** durably's and JavaScript's own error classes come back as themselves; any other class as an Error. */
export function reviveError(record: ErrorRecord): Error {
  const { name } = record;
  const known = Object.hasOwn(durablyErrorClasses, name) ? durablyErrorClasses[name]!
    : Object.hasOwn(builtinErrorClasses, name) ? builtinErrorClasses[name]! : Error;
  return shapeAsError(record, known.prototype as object);
}

// A dedicated instance: the global one belongs to the application, which may register its own recipes.
function builtInSuperjson(): SuperJSON {
  const instance = new SuperJSON();
  // Same name and shape as DBOS's recipe, so Buffers cross between the two.
  instance.registerCustom<Buffer, number[]>({
    isApplicable: (value) => Buffer.isBuffer(value),
    serialize: (buffer) => Array.from(buffer),
    deserialize: (bytes) => Buffer.from(bytes),
  }, 'Buffer');
  // superjson's own Error rule keeps only name and message; this keeps stack, cause and own fields. Errors are
  // "deep" to superjson, so the record's fields (Dates, nested errors) are transformed in turn. Reading back,
  // records become Errors only after superjson restores shared references: it cannot route them through Errors.
  instance.registerCustom<Error, SuperJSONResult['json']>({
    isApplicable: (value): value is Error => value instanceof Error,
    serialize: (error) => errorToRecord(error) as SuperJSONResult['json'],
    deserialize: (record) => (recordsToRevive.push(record as ErrorRecord), record as unknown as Error),
  }, 'durably:Error');
  return instance;
}
let recordsToRevive: ErrorRecord[] = [];
let superjson = builtInSuperjson();

// Custom types (DBOS.registerSerialization): stored by their recipe in the native format, never inspected inside.
const recipes: SerializationRecipe<unknown, JSONValue>[] = [];
const hasRecipe = (value: unknown) => recipes.length > 0 && recipes.some((recipe) => recipe.isApplicable(value));

/** DBOS.shutdown({ deregister: true }): forget every recipe (superjson cannot unregister one, so start afresh). */
export function clearSerializationRecipes(): void {
  recipes.length = 0;
  superjson = builtInSuperjson();
}

/** Process-wide, like superjson's own registry: only DBOS.shutdown({ deregister: true }) takes recipes back. */
export function registerSerializationRecipe<T, S extends JSONValue>(recipe: SerializationRecipe<T, S>): void {
  superjson.registerCustom<T, S>(
    { isApplicable: recipe.isApplicable, serialize: recipe.serialize, deserialize: recipe.deserialize },
    recipe.name,
  );
  const index = recipes.findIndex((known) => known.name === recipe.name);
  if (index >= 0) recipes.splice(index, 1); // superjson replaces a recipe of the same name too
  recipes.push(recipe as unknown as SerializationRecipe<unknown, JSONValue>);
}

type PathKey = string | number | { label: string };
/** One value's inspection: where the walk is, and what the value holds that plain JSON would lose. */
class Inspection {
  needsSuperjson = false;
  needsPlainCopy = false;
  readonly seen = new Set<object>();
  readonly path: PathKey[] = [];
  readonly toJSONResults = new Map<object, unknown>();
  constructor(readonly what: string, readonly root: string, readonly portable: boolean) {}

  fail(problem: string, key?: PathKey): never {
    throw new DBOSSerializationError(this.what, this.pathText(key), problem);
  }
  pathText(last?: PathKey): string {
    let text = this.root;
    for (const key of last === undefined ? this.path : [...this.path, last]) {
      if (typeof key === 'number') text += `[${key}]`;
      else if (typeof key !== 'string') text += key.label;
      else text += /^[A-Za-z_$][\w$]*$/.test(key) ? `.${key}` : `[${JSON.stringify(key)}]`;
    }
    return text;
  }
  child(key: PathKey, value: unknown): void {
    this.path.push(key);
    inspect(value, this);
    this.path.pop();
  }
}

function inspect(value: unknown, inspection: Inspection): void {
  if (!inspection.portable && hasRecipe(value)) {
    inspection.needsSuperjson = true;
    return;
  }
  switch (typeof value) {
    case 'string': case 'boolean':
      return;
    case 'number':
      if (Number.isFinite(value) && (value !== 0 || 1 / value > 0)) return;
      if (inspection.portable) inspection.fail(`${Object.is(value, -0) ? '-0' : value} (JSON has no such number)`);
      inspection.needsSuperjson = true;
      return;
    case 'undefined': case 'bigint':
      inspection.needsSuperjson = true;
      return;
    case 'function': case 'symbol':
      return inspection.fail(`a ${typeof value}`);
  }
  if (value === null) return;
  if (inspection.seen.has(value as object)) {
    if (inspection.portable) inspection.fail('a circular reference (portable JSON is a tree)');
    inspection.needsSuperjson = true; // superjson records the repeated reference and restores it
    return;
  }
  inspection.seen.add(value as object);
  const prototype: unknown = Object.getPrototypeOf(value);
  if (prototype === Object.prototype || prototype === null) {
    inspectFields(value as object, inspection);
  } else if (Array.isArray(value)) {
    for (let index = 0; index < value.length; index++) {
      if (value[index] === undefined && !(index in value)) inspection.fail('an empty slot in a sparse array', index);
      inspection.child(index, value[index]);
    }
  } else {
    inspectOtherObject(value as object, inspection);
  }
  if (inspection.portable) inspection.seen.delete(value as object); // a tree may repeat a value, not loop
}

function inspectFields(object: object, inspection: Inspection): void {
  for (const key of Object.keys(object)) inspection.child(key, (object as Record<string, unknown>)[key]);
  for (const symbol of Object.getOwnPropertySymbols(object)) {
    if (Object.prototype.propertyIsEnumerable.call(object, symbol)) {
      inspection.fail('a property keyed by a symbol (state JSON cannot hold)', { label: `[${String(symbol)}]` });
    }
  }
}

const isLeaf = (value: object) =>
  value instanceof Date || value instanceof RegExp || value instanceof URL || ArrayBuffer.isView(value);
// The typed arrays superjson knows by name; it could not revive any other.
const typedArrayClasses = new Set<unknown>([Int8Array, Uint8Array, Uint8ClampedArray, Int16Array, Uint16Array,
  Int32Array, Uint32Array, Float32Array, Float64Array]);

function inspectOtherObject(object: object, inspection: Inspection): void {
  if (object instanceof Date) {
    if (Number.isNaN(object.getTime())) inspection.fail('an invalid Date');
  } else if (object instanceof Error) {
    if (!inspection.portable) inspectFields(errorToRecord(object), inspection);
  } else if (object instanceof Map) {
    let index = 0;
    for (const [key, item] of object) {
      const label = `<Map key #${index++}>`;
      if (inspection.portable && typeof key !== 'string') inspection.fail('a Map key that is not a string', { label });
      inspection.child({ label }, key);
      inspection.child({ label: `.get(${typeof key === 'string' ? JSON.stringify(key) : label})` }, item);
    }
  } else if (object instanceof Set) {
    let index = 0;
    for (const item of object) inspection.child({ label: `<Set element #${index++}>` }, item);
  } else if (ArrayBuffer.isView(object)) {
    const known = Buffer.isBuffer(object) || typedArrayClasses.has(object.constructor);
    if (!known) inspection.fail(`a ${object.constructor.name}`);
  } else if (!(object instanceof RegExp) && !(object instanceof URL)) {
    return inspectClassInstance(object, inspection);
  }
  inspection.needsSuperjson = true;
}

// Objects whose state is not in their own fields: storing those fields would silently store something else.
const unstorableClasses = [WeakMap, WeakSet, WeakRef, ArrayBuffer, SharedArrayBuffer, Number, String, Boolean];

function inspectClassInstance(object: object, inspection: Inspection): void {
  const { then, toJSON } = object as { then?: unknown; toJSON?: unknown };
  if (typeof then === 'function') inspection.fail('a Promise or other thenable (is an `await` missing?)');
  const unstorable = unstorableClasses.find((type) => object instanceof type);
  if (unstorable) inspection.fail(`a ${unstorable.name} object`);
  inspection.needsPlainCopy = true;
  if (typeof toJSON !== 'function') return inspectFields(object, inspection);
  const json: unknown = toJSON.call(object);
  inspection.toJSONResults.set(object, json);
  inspection.child({ label: '.toJSON()' }, json);
}

/**
 * The value with class instances replaced by plain objects of their data: superjson would hand them to
 * JSON.stringify unexamined, losing nested Dates, Maps and undefined. Identity is kept, so shared and circular
 * references survive. Runs only when the inspection found a class instance.
 */
function plainCopy(value: unknown, memo: Map<object, unknown>, toJSONResults: Map<object, unknown>): unknown {
  if (typeof value !== 'object' || value === null) return value;
  if (memo.has(value)) return memo.get(value);
  if (isLeaf(value) || hasRecipe(value)) return value;
  const copyOf = (item: unknown) => plainCopy(item, memo, toJSONResults);
  if (toJSONResults.has(value)) {
    memo.set(value, copyOf(toJSONResults.get(value)));
  } else if (Array.isArray(value)) {
    const copy: unknown[] = [];
    memo.set(value, copy);
    for (const item of value) copy.push(copyOf(item));
  } else if (value instanceof Set) {
    const copy = new Set<unknown>();
    memo.set(value, copy);
    for (const item of value) copy.add(copyOf(item));
  } else if (value instanceof Map) {
    const copy = new Map<unknown, unknown>();
    memo.set(value, copy);
    for (const [key, item] of value) copy.set(copyOf(key), copyOf(item));
  } else {
    const source = value instanceof Error ? errorToRecord(value) : (value as Record<string, unknown>);
    const fields: Record<string, unknown> = {};
    memo.set(value, fields);
    for (const key of Object.keys(source)) setField(fields, key, copyOf(source[key]));
    if (value instanceof Error) shapeAsError(fields as ErrorRecord, Object.getPrototypeOf(value) as object);
  }
  return memo.get(value);
}

/** What JSON.stringify alone would get wrong in a portable value; the inspection refused the rest. */
function portableReplacer(this: Record<string, unknown>, key: string, value: unknown): unknown {
  const raw = this[key];
  if (raw === undefined) return null;
  if (typeof raw === 'bigint') return raw.toString();
  if (typeof raw !== 'object' || raw === null) return value;
  if (raw instanceof Map) return Object.fromEntries(raw);
  if (raw instanceof Set) return [...raw];
  if (raw instanceof Error) return { name: raw.name, message: raw.message };
  if (raw instanceof RegExp) return String(raw);
  if (ArrayBuffer.isView(raw)) return Array.from(raw as Uint8Array);
  return value;
}

function nativeText(value: unknown, inspection: Inspection): string {
  const data = inspection.needsPlainCopy ? plainCopy(value, new Map(), inspection.toJSONResults) : value;
  if (!inspection.needsSuperjson) return `{"json":${JSON.stringify(data)},"${markerKey}":"superjson"}`;
  try {
    const { json, meta } = superjson.serialize(data);
    return JSON.stringify({ json, meta, [markerKey]: 'superjson' });
  } catch (refusal) { // a "__proto__", "constructor" or "prototype" key, which superjson takes for an attack
    throw new DBOSSerializationError(inspection.what, inspection.root, (refusal as Error).message);
  }
}

/** Throws DBOSSerializationError naming `what` and the path when value can't be stored. */
export function serializeValue(
  value: unknown,
  what: string,
  format: 'native' | 'portable' = 'native',
  root = 'value', // names the value in error paths: `args` gives `args[1].socket`
): SerializedValue {
  const inspection = new Inspection(what, root, format === 'portable');
  inspect(value, inspection);
  // Portable JSON has no undefined: it is stored as null (a void workflow's result), as DBOS stores it.
  const text = inspection.portable ? (JSON.stringify(value, portableReplacer) ?? 'null') : nativeText(value, inspection);
  return { text, serialization: inspection.portable ? portableSerialization : defaultSerialization };
}

function readNative(text: string): unknown {
  const parsed = JSON.parse(text) as unknown;
  const { json, meta, [markerKey]: tag } = (parsed ?? {}) as SuperJSONResult & Record<string, unknown>;
  if (tag !== 'superjson' || json === undefined) return parsed; // plain JSON, as written before the marker existed
  if (meta === undefined) return json;
  recordsToRevive = [];
  const value = superjson.deserialize({ json, meta }, { inPlace: true });
  for (const record of recordsToRevive) reviveError(record);
  return value;
}

/** A null text is a value never recorded (undefined); a null format means the default. */
export function deserializeValue<T = unknown>(text: string | null, serialization: string | null): T {
  if (text === null) return undefined as T;
  const format = serialization ?? defaultSerialization;
  const reading = `Cannot read a stored value in serialization format "${format}"`;
  if (format !== defaultSerialization && format !== portableSerialization) {
    throw new DBOSUnknownSerializationError(format, [defaultSerialization, portableSerialization]);
  }
  try {
    return (format === portableSerialization ? JSON.parse(text) : readNative(text)) as T;
  } catch (cause) {
    const problem = `${reading}: ${(cause as Error).message}. The text is corrupt or from an incompatible program.`;
    throw new DBOSError(problem, 1, { code: 'STORED_VALUE_UNREADABLE', cause });
  }
}
