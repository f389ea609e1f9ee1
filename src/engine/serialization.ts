/**
 * Values ⇄ JSON text tagged with a format name, for every workflow argument, step output, message and event.
 *
 * The default format is DBOS's own (`js_superjson`: superjson's `{json, meta}` plus a marker field), so rows
 * written here read back in DBOS tooling and rows DBOS wrote read back here. `portable_json` is plain JSON for
 * readers in other languages.
 *
 * A value is inspected once, before anything is written, so a value that cannot come back as it went in (a
 * function, a socket, a Promise, …) fails with the path to the offending part instead of being stored mangled.
 * The same walk decides how much work the write needs: pure JSON data (the common case) skips superjson and
 * goes straight to JSON.stringify, and only values holding class instances are copied.
 *
 * Class instances holding only data are stored as their own enumerable fields (or their `toJSON()` result)
 * and come back as plain objects: their prototype is not recorded, since the reader may not have the class.
 * Circular and shared references are kept (superjson records them) and come back with the same shape.
 */
import { SuperJSON, type SuperJSONResult } from 'superjson';
import { DBOSError, DBOSSerializationError, durablyErrorClasses } from '../api/errors.ts';

export const defaultSerialization = 'js_superjson';
export const portableSerialization = 'portable_json';

export interface SerializedValue {
  text: string;
  serialization: string;
}

const markerKey = '__dbos_serializer';
const markerValue = 'superjson';
type JSONValue = SuperJSONResult['json'];

/** An Error as stored: what `instanceof` and logs need, plus the fields callers branch on (`code`, …). */
export interface ErrorRecord {
  name: string;
  message: string;
  stack?: string;
  cause?: unknown;
  [field: string]: unknown;
}

const errorCoreKeys = new Set(['name', 'message', 'stack', 'cause']);
const builtinErrorClasses: Record<string, ErrorConstructor | AggregateErrorConstructor> = {
  Error, TypeError, RangeError, SyntaxError, ReferenceError, EvalError, URIError, AggregateError,
};

/** Assigns without the `__proto__` setter, so stored data can never change a prototype. */
function setField(target: object, key: string, value: unknown, enumerable = true): void {
  Object.defineProperty(target, key, { value, enumerable, writable: true, configurable: true });
}

export function errorToRecord(error: Error): ErrorRecord {
  const record: ErrorRecord = { name: String(error.name), message: String(error.message) };
  if (error.stack !== undefined) record.stack = String(error.stack);
  if ('cause' in error) record.cause = error.cause;
  for (const key of Object.keys(error)) {
    if (!errorCoreKeys.has(key)) setField(record, key, (error as unknown as Record<string, unknown>)[key]);
  }
  if (error instanceof AggregateError && !('errors' in record)) record.errors = error.errors;
  return record;
}

export function isErrorRecord(value: unknown): value is ErrorRecord {
  return typeof value === 'object' && value !== null && typeof (value as ErrorRecord).message === 'string';
}

/** Gives `target` the record's message, stack, cause and fields, shaped as a thrown Error's would be. */
function fillError(target: Error, record: ErrorRecord): Error {
  setField(target, 'message', String(record.message), false);
  if (record.stack !== undefined) setField(target, 'stack', record.stack, false);
  if ('cause' in record) setField(target, 'cause', record.cause, false);
  const name = typeof record.name === 'string' ? record.name : 'Error';
  if (target.name !== name) setField(target, 'name', name);
  for (const key of Object.keys(record)) {
    if (!errorCoreKeys.has(key)) setField(target, key, record[key], !(key === 'errors' && target instanceof AggregateError));
  }
  return target;
}

/** durably's and JavaScript's own error classes come back as themselves; any other class as an Error. */
export function reviveError(record: ErrorRecord): Error {
  const name = record.name;
  const known = Object.hasOwn(durablyErrorClasses, name) ? durablyErrorClasses[name]
    : Object.hasOwn(builtinErrorClasses, name) ? builtinErrorClasses[name] : Error;
  return fillError(Object.create(known!.prototype) as Error, record);
}

// A dedicated instance: the global one belongs to the application, which may register its own recipes.
const superjson = new SuperJSON();
// Same name and shape as DBOS's recipe, so Buffers cross between the two.
superjson.registerCustom<Buffer, number[]>(
  { isApplicable: (v): v is Buffer => Buffer.isBuffer(v), serialize: (v) => Array.from(v), deserialize: (v) => Buffer.from(v) },
  'Buffer',
);
// superjson's built-in Error rule keeps only name and message; this keeps stack, cause and own fields. Errors
// count as "deep" to superjson, so the record's fields (Dates, nested errors) are themselves transformed.
superjson.registerCustom<Error, JSONValue>(
  {
    isApplicable: (v): v is Error => v instanceof Error,
    serialize: (error) => errorToRecord(error) as JSONValue,
    deserialize: (record) => reviveError(record as ErrorRecord),
  },
  'durably:Error',
);

type PathKey = string | number | { label: string };

/** One value's inspection: what it holds that plain JSON would lose, and where the walk is. */
class Inspection {
  needsSuperjson = false;
  needsPlainCopy = false;
  reservedKeyPath: string | undefined;
  readonly seen = new Set<object>();
  readonly path: PathKey[] = [];
  readonly toJSONResults = new Map<object, unknown>();
  constructor(readonly what: string, readonly root: string, readonly portable: boolean) {}

  fail(problem: string, key?: PathKey): never {
    if (key !== undefined) this.path.push(key);
    throw new DBOSSerializationError(this.what, this.pathText(), problem);
  }

  pathText(last?: PathKey): string {
    let text = this.root;
    for (const key of last === undefined ? this.path : [...this.path, last]) {
      if (typeof key === 'number') text += `[${key}]`;
      else if (typeof key === 'string') text += /^[A-Za-z_$][\w$]*$/.test(key) ? `.${key}` : `[${JSON.stringify(key)}]`;
      else text += key.label;
    }
    return text;
  }
}

const typedArrayClasses = new Set<unknown>([
  Int8Array, Uint8Array, Uint8ClampedArray, Int16Array, Uint16Array, Int32Array, Uint32Array, Float32Array, Float64Array,
]);

function inspect(value: unknown, inspection: Inspection): void {
  switch (typeof value) {
    case 'string':
    case 'boolean':
      return;
    case 'number':
      if (!Number.isFinite(value) || (value === 0 && 1 / value < 0)) {
        if (inspection.portable) inspection.fail(`${value} (JSON has no NaN, Infinity or -0)`);
        inspection.needsSuperjson = true;
      }
      return;
    case 'undefined':
    case 'bigint':
      inspection.needsSuperjson = true;
      return;
    case 'function':
      return inspection.fail('a function');
    case 'symbol':
      return inspection.fail('a symbol');
  }
  if (value === null) return;
  const object = value as object;
  if (inspection.seen.has(object)) {
    if (inspection.portable) inspection.fail('a circular reference (portable JSON is a tree)');
    inspection.needsSuperjson = true; // superjson records the shared reference and restores it
    return;
  }
  inspection.seen.add(object);
  const prototype: unknown = Object.getPrototypeOf(object);
  if (prototype === Object.prototype || prototype === null) inspectFields(object, inspection);
  else if (Array.isArray(object)) inspectArray(object, inspection);
  else inspectOtherObject(object, inspection);
  if (inspection.portable) inspection.seen.delete(object); // a tree may repeat a value, but not loop
}

function inspectFields(object: object, inspection: Inspection): void {
  const fields = object as Record<string, unknown>;
  for (const key of Object.keys(object)) {
    if (key === '__proto__' || key === 'constructor' || key === 'prototype') {
      inspection.reservedKeyPath ??= inspection.pathText(key);
    }
    inspection.path.push(key);
    inspect(fields[key], inspection);
    inspection.path.pop();
  }
  const symbols = Object.getOwnPropertySymbols(object);
  for (const symbol of symbols) {
    if (Object.prototype.propertyIsEnumerable.call(object, symbol)) {
      inspection.fail('a property keyed by a symbol (object state that JSON cannot hold)', { label: `[${String(symbol)}]` });
    }
  }
}

function inspectArray(array: unknown[], inspection: Inspection): void {
  for (let index = 0; index < array.length; index++) {
    const item = array[index];
    inspection.path.push(index);
    if (item === undefined && !(index in array)) inspection.fail('an empty slot in a sparse array');
    inspect(item, inspection);
    inspection.path.pop();
  }
}

function inspectOtherObject(object: object, inspection: Inspection): void {
  if (object instanceof Date) {
    if (Number.isNaN(object.getTime())) inspection.fail('an invalid Date');
  } else if (object instanceof Error) {
    if (!inspection.portable) inspectFields(errorToRecord(object), inspection);
  } else if (object instanceof Map) {
    let index = 0;
    for (const [key, item] of object) {
      if (inspection.portable && typeof key !== 'string') inspection.fail('a Map key that is not a string', { label: `<Map key #${index}>` });
      inspection.path.push({ label: `<Map key #${index}>` });
      inspect(key, inspection);
      inspection.path[inspection.path.length - 1] = { label: `.get(${typeof key === 'string' ? JSON.stringify(key) : `<key #${index}>`})` };
      inspect(item, inspection);
      inspection.path.pop();
      index++;
    }
  } else if (object instanceof Set) {
    let index = 0;
    for (const item of object) {
      inspection.path.push({ label: `<Set element #${index++}>` });
      inspect(item, inspection);
      inspection.path.pop();
    }
  } else if (ArrayBuffer.isView(object)) {
    if (!Buffer.isBuffer(object) && !typedArrayClasses.has(object.constructor)) inspection.fail(`a ${object.constructor.name}`);
  } else if (!(object instanceof RegExp) && !(object instanceof URL)) {
    inspectClassInstance(object, inspection);
    return;
  }
  inspection.needsSuperjson = true;
}

const unstorableClasses: [Function, string][] = [
  [Promise, 'a Promise (is an `await` missing?)'], [WeakMap, 'a WeakMap'], [WeakSet, 'a WeakSet'],
  [WeakRef, 'a WeakRef'], [ArrayBuffer, 'an ArrayBuffer (store a Uint8Array or Buffer view of it)'],
  [SharedArrayBuffer, 'a SharedArrayBuffer'], [Number, 'a Number object'], [String, 'a String object'],
  [Boolean, 'a Boolean object'],
];

function inspectClassInstance(object: object, inspection: Inspection): void {
  for (const [unstorable, problem] of unstorableClasses) {
    if (object instanceof unstorable) inspection.fail(problem);
  }
  const { then, toJSON } = object as { then?: unknown; toJSON?: unknown };
  if (typeof then === 'function') inspection.fail('a thenable (is an `await` missing?)');
  inspection.needsPlainCopy = true;
  if (typeof toJSON === 'function') {
    const json: unknown = toJSON.call(object);
    inspection.toJSONResults.set(object, json);
    inspection.path.push({ label: '.toJSON()' });
    inspect(json, inspection);
    inspection.path.pop();
  } else {
    inspectFields(object, inspection);
  }
}

/**
 * The value as superjson should see it: class instances replaced by plain objects of their fields (superjson
 * would hand them to JSON.stringify unexamined, losing nested Dates, Maps and undefined). Identity is kept,
 * so shared and circular references survive. Only called when the inspection found a class instance.
 */
function plainCopy(value: unknown, memo: Map<object, unknown>, toJSONResults: Map<object, unknown>): unknown {
  if (typeof value !== 'object' || value === null) return value;
  if (memo.has(value)) return memo.get(value);
  const copyOf = (item: unknown) => plainCopy(item, memo, toJSONResults);
  if (toJSONResults.has(value)) {
    const copy = copyOf(toJSONResults.get(value));
    memo.set(value, copy);
    return copy;
  }
  if (value instanceof Date || value instanceof RegExp || value instanceof URL || ArrayBuffer.isView(value)) return value;
  if (Array.isArray(value)) {
    const copy: unknown[] = [];
    memo.set(value, copy);
    for (const item of value) copy.push(copyOf(item));
    return copy;
  }
  if (value instanceof Map) {
    const copy = new Map<unknown, unknown>();
    memo.set(value, copy);
    for (const [key, item] of value) copy.set(copyOf(key), copyOf(item));
    return copy;
  }
  if (value instanceof Set) {
    const copy = new Set<unknown>();
    memo.set(value, copy);
    for (const item of value) copy.add(copyOf(item));
    return copy;
  }
  if (value instanceof Error) {
    const copy = Object.create(Object.getPrototypeOf(value) as object) as Error;
    memo.set(value, copy);
    const record = errorToRecord(value);
    for (const key of Object.keys(record)) setField(record, key, copyOf(record[key]));
    return fillError(copy, record);
  }
  const copy: Record<string, unknown> = {};
  memo.set(value, copy);
  for (const key of Object.keys(value)) setField(copy, key, copyOf((value as Record<string, unknown>)[key]));
  return copy;
}

/** What JSON.stringify alone would get wrong in a portable value; the inspection already refused the rest. */
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

function inspected(value: unknown, what: string, root: string, portable: boolean): Inspection {
  const inspection = new Inspection(what, root, portable);
  inspect(value, inspection);
  if (inspection.needsSuperjson && inspection.reservedKeyPath !== undefined && !portable) {
    throw new DBOSSerializationError(what, inspection.reservedKeyPath,
      'a "__proto__", "constructor" or "prototype" key (superjson refuses these next to non-JSON values)');
  }
  return inspection;
}

/** Throws DBOSSerializationError naming `what` and the path when value can't be stored. */
export function assertStorable(value: unknown, what: string, root = 'value'): void {
  inspected(value, what, root, false);
}

/**
 * Throws DBOSSerializationError naming `what` and the path when value can't be stored. `root` names the value
 * in that path (`args` gives `args[1].socket`).
 */
export function serializeValue(value: unknown, what: string, format: 'native' | 'portable' = 'native', root = 'value'): SerializedValue {
  const inspection = inspected(value, what, root, format === 'portable');
  if (format === 'portable') return { text: JSON.stringify(value, portableReplacer), serialization: portableSerialization };
  const data = inspection.needsPlainCopy ? plainCopy(value, new Map(), inspection.toJSONResults) : value;
  if (!inspection.needsSuperjson) {
    return { text: `{"json":${JSON.stringify(data)},"${markerKey}":"${markerValue}"}`, serialization: defaultSerialization };
  }
  const { json, meta } = superjson.serialize(data);
  return { text: JSON.stringify({ json, meta, [markerKey]: markerValue }), serialization: defaultSerialization };
}

/** Rows DBOS wrote before it adopted superjson tag Dates and BigInts this way. */
function legacyReviver(_key: string, value: unknown): unknown {
  if (typeof value !== 'object' || value === null) return value;
  const { dbos_type: type, dbos_data: data } = value as { dbos_type?: unknown; dbos_data?: unknown };
  if (typeof data !== 'string') return value;
  return type === 'dbos_Date' ? new Date(data) : type === 'dbos_BigInt' ? BigInt(data) : value;
}

function readNative(text: string): unknown {
  const parsed = JSON.parse(text) as unknown;
  if (typeof parsed === 'object' && parsed !== null && (parsed as Record<string, unknown>)[markerKey] === markerValue && 'json' in parsed) {
    const { json, meta } = parsed as SuperJSONResult;
    return meta === undefined ? json : superjson.deserialize({ json, meta }, { inPlace: true });
  }
  return text.includes('"dbos_type"') ? JSON.parse(text, legacyReviver) : parsed;
}

/** A null text is a value never recorded (undefined); a null format is the default, or plain legacy JSON. */
export function deserializeValue<T = unknown>(text: string | null, serialization: string | null): T {
  if (text === null) return undefined as T;
  const format = serialization ?? defaultSerialization;
  if (format !== defaultSerialization && format !== portableSerialization) {
    throw new DBOSError(
      `Cannot read a stored value in serialization format "${format}": durably reads "${defaultSerialization}" ` +
        `and "${portableSerialization}". Another program, or a newer durably, wrote this value.`,
      'UNKNOWN_SERIALIZATION',
    );
  }
  try {
    return (format === portableSerialization ? JSON.parse(text) : readNative(text)) as T;
  } catch (cause) {
    throw new DBOSError(
      `Cannot read a stored value in serialization format "${format}": ${(cause as Error).message}. ` +
        'The stored text is corrupt or was written by an incompatible program.',
      'STORED_VALUE_UNREADABLE', 1, { cause },
    );
  }
}
