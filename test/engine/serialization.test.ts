import { test } from 'node:test';
import assert from 'node:assert/strict';
import { EventEmitter } from 'node:events';
import net from 'node:net';
import { SuperJSON } from 'superjson';
import {
  DBOSError,
  DBOSMaxStepRetriesError,
  DBOSSerializationError,
  DBOSUnexpectedStepError,
  DBOSWorkflowCancelledError,
  durablyErrorClasses,
} from '../../src/errors/errors.ts';
import { deserializeError, serializeError } from '../../src/engine/error-serialization.ts';
import { errorCases, exportedErrorClasses } from '../errors/dbos-error-cases.ts';
import {
  defaultSerialization,
  deserializeValue,
  portableSerialization,
  serializeValue,
} from '../../src/engine/serialization.ts';

function roundTrip<T>(value: T): T {
  const stored = serializeValue(value, 'a test value');
  assert.equal(stored.serialization, defaultSerialization);
  return deserializeValue<T>(stored.text, stored.serialization);
}

function errorRoundTrip(error: unknown): Error {
  const stored = serializeError(error);
  assert.equal(stored.serialization, defaultSerialization);
  return deserializeError(stored.text, stored.serialization);
}

function assertRefused(value: unknown, path: string, problem: RegExp, root?: string): void {
  assert.throws(
    () => serializeValue(value, 'the arguments of workflow "foo"', 'native', root),
    (error: unknown) => {
      assert.ok(error instanceof DBOSSerializationError);
      assert.equal(error.path, path);
      assert.match(error.message, /the arguments of workflow "foo"/);
      assert.match(error.message, problem);
      assert.ok(error.message.includes(path));
      return true;
    },
  );
}

// ---- the default format ----

test('plain JSON data is stored as a superjson envelope without meta', () => {
  const value = { id: 'abc', count: 3, ok: true, none: null, tags: ['a', 'b'], nested: { x: 1.5 } };
  const stored = serializeValue(value, 'x');
  assert.deepEqual(JSON.parse(stored.text), { json: value, __dbos_serializer: 'superjson' });
  assert.deepEqual(deserializeValue(stored.text, stored.serialization), value);
  assert.equal(deserializeValue(serializeValue('text', 'x').text, null), 'text');
  assert.equal(deserializeValue(serializeValue(42, 'x').text, null), 42);
  assert.equal(deserializeValue(serializeValue(null, 'x').text, null), null);
});

test('Date, BigInt, Map, Set, RegExp, URL and special numbers round trip', () => {
  const value = {
    date: new Date('2024-05-06T07:08:09.010Z'),
    big: 12345678901234567890123n,
    map: new Map<unknown, unknown>([['a', 1], [2, 'two'], [{ k: 1 }, new Date(0)]]),
    set: new Set([1, 'x', 3n]),
    regexp: /a+b/gi,
    url: new URL('https://example.com/a?b=1'),
    numbers: [NaN, Infinity, -Infinity, -0, 0, 1e300],
  };
  const back = roundTrip(value);
  assert.deepEqual(back, value);
  assert.ok(back.date instanceof Date && back.big === value.big && back.map instanceof Map);
  assert.ok(Object.is(back.numbers[3], -0));
  assert.equal(back.regexp.flags, 'gi');
});

test('undefined survives at the top level, in objects, in arrays and in Maps', () => {
  assert.equal(roundTrip(undefined), undefined);
  const back = roundTrip({ a: undefined, list: [1, undefined, 3], map: new Map([['k', undefined]]) });
  assert.ok(Object.hasOwn(back, 'a'));
  assert.equal(back.a, undefined);
  assert.deepEqual(back.list, [1, undefined, 3]);
  assert.ok(back.map.has('k'));
});

test('nested combinations round trip', () => {
  const value = new Map([['runs', new Set([{ at: new Date(1), ids: [1n, 2n], extra: undefined }])]]);
  assert.deepEqual(roundTrip(value), value);
  const list = [[new Map([[new Date(5), new Set([/x/])]])]];
  assert.deepEqual(roundTrip(list), list);
});

test('Buffers and typed arrays round trip (Buffers as DBOS stores them)', () => {
  const value = { buffer: Buffer.from('héllo'), bytes: new Uint8Array([1, 2, 255]), floats: new Float64Array([1.5]) };
  const back = roundTrip(value);
  assert.ok(Buffer.isBuffer(back.buffer));
  assert.equal(back.buffer.toString(), 'héllo');
  assert.deepEqual(back.bytes, value.bytes);
  assert.deepEqual(back.floats, value.floats);
  assert.match(serializeValue(value, 'x').text, /"custom","Buffer"/);
});

test('class instances holding data come back as plain objects, nested types intact', () => {
  class Point {
    constructor(public x: number, public when: Date, public tags: Set<string>) {}
    get doubled(): number { return this.x * 2; }
    describe(): string { return `${this.x}`; }
  }
  const point = new Point(3, new Date(9), new Set(['a']));
  const back = roundTrip({ point, list: [new Point(1, new Date(2), new Set())] });
  assert.equal(Object.getPrototypeOf(back.point), Object.prototype);
  assert.deepEqual(back.point, { x: 3, when: new Date(9), tags: new Set(['a']) });
  assert.deepEqual(back.list[0], { x: 1, when: new Date(2), tags: new Set() });
});

test('class instances with toJSON are stored as their toJSON result', () => {
  class Money {
    constructor(private readonly cents: bigint) {}
    toJSON() { return { cents: this.cents.toString(), currency: 'EUR' }; }
  }
  assert.deepEqual(roundTrip({ price: new Money(1999n) }), { price: { cents: '1999', currency: 'EUR' } });
});

test('serializing does not modify the value', () => {
  class Box { constructor(public inner = { at: new Date(1) }) {} }
  const error = Object.assign(new Error('e'), { code: 'X' });
  const value = { box: new Box(), error, list: [1, undefined] };
  serializeValue(value, 'x');
  assert.ok(value.box instanceof Box);
  assert.ok(value.error === error && Object.keys(error).length === 1 && error.code === 'X');
  assert.deepEqual(value.list, [1, undefined]);
});

// ---- references ----

test('circular references are supported and restored', () => {
  const node: Record<string, unknown> = { name: 'root' };
  node.self = node;
  node.children = [{ parent: node }];
  const back = roundTrip(node);
  assert.equal(back.self, back);
  assert.equal((back.children as { parent: unknown }[])[0]!.parent, back);

  const list: unknown[] = [1];
  list.push(list);
  const backList = roundTrip(list);
  assert.equal(backList[1], backList);

  const map = new Map<string, unknown>();
  map.set('me', map);
  const backMap = roundTrip(map);
  assert.equal(backMap.get('me'), backMap);

  class Node { next: Node | undefined; constructor(public at: Date) {} }
  const first = new Node(new Date(1));
  first.next = first;
  const backNode = roundTrip(first);
  assert.equal(backNode.next, backNode);
  assert.deepEqual(backNode.at, new Date(1));
});

test('shared references keep their identity', () => {
  const shared = { at: new Date(3) };
  const back = roundTrip({ a: shared, b: [shared] });
  assert.equal(back.a, back.b[0]);
  const plainShared = { x: 1 };
  const plainBack = roundTrip({ a: plainShared, b: plainShared });
  assert.equal(plainBack.a, plainBack.b);
});

// ---- errors inside values ----

test('Errors inside values keep name, message, stack, own fields and cause', () => {
  const cause = new TypeError('inner');
  const error = Object.assign(new Error('outer', { cause }), { code: 'E_OUTER', at: new Date(7), data: { n: 1n } });
  const back = roundTrip({ result: 'failed', error, list: [new RangeError('r')] });
  assert.ok(back.error instanceof Error);
  assert.equal(back.error.message, 'outer');
  assert.equal(back.error.name, 'Error');
  assert.equal(back.error.stack, error.stack);
  assert.equal(back.error.code, 'E_OUTER');
  assert.deepEqual(back.error.at, new Date(7));
  assert.equal(back.error.data.n, 1n);
  assert.ok(back.error.cause instanceof TypeError);
  assert.equal((back.error.cause as Error).stack, cause.stack);
  assert.ok(back.list[0] instanceof RangeError);
  assert.deepEqual(Object.keys(back.error), ['code', 'at', 'data']);
});

test('durably errors inside values are revived with their class', () => {
  const original = new DBOSUnexpectedStepError('wf-1', 4, 'stepA', 'stepB');
  const back = roundTrip({ failure: original });
  assert.ok(back.failure instanceof DBOSUnexpectedStepError);
  assert.ok(back.failure instanceof DBOSError);
  assert.equal(back.failure.stepID, 4);
  assert.equal(back.failure.code, original.code);
  assert.equal(back.failure.message, original.message);
});

test('references through Errors, cycles included, are restored', () => {
  const error = new Error('loop') as Error & { self?: unknown; data?: unknown };
  error.self = error;
  error.data = { owner: error };
  const back = roundTrip(error);
  assert.ok(back instanceof Error);
  assert.equal(back.self, back);
  assert.equal((back.data as { owner: unknown }).owner, back);

  const shared = { at: new Date(1) };
  const withShared = roundTrip({ error: Object.assign(new Error('x'), { shared }), shared });
  assert.equal((withShared.error as unknown as { shared: unknown }).shared, withShared.shared);
});

// ---- refusals ----

test('functions and symbols are refused with their path', () => {
  assertRefused({ callback: () => 1 }, 'value.callback', /a function/);
  assertRefused([1, { deep: [Symbol('s')] }], 'value[1].deep[0]', /a symbol/);
  assertRefused({ 'odd key': Math.max }, 'value["odd key"]', /a function/);
  assertRefused(() => 1, 'value', /a function/);
});

test('sockets and event emitters are refused, naming the path under the given root', () => {
  const emitter = new EventEmitter();
  emitter.on('close', () => undefined);
  assertRefused([1, { socket: emitter }], 'args[1].socket._events.close', /a function/, 'args');
  assert.throws(() => serializeValue([1, { socket: new EventEmitter() }], 'x', 'native', 'args'), (error: unknown) => {
    assert.ok(error instanceof DBOSSerializationError);
    assert.match(error.path, /^args\[1\]\.socket\[Symbol\(.*\)\]$/); // Node keeps internal state under symbols
    assert.match(error.message, /nothing was written/);
    return true;
  });
  const socket = new net.Socket();
  assert.throws(() => serializeValue({ socket }, 'x'), (error: unknown) => {
    assert.ok(error instanceof DBOSSerializationError);
    assert.match(error.path, /^value\.socket\./);
    return true;
  });
  socket.destroy();
});

test('Promises, weak collections and other lossy objects are refused', () => {
  const pending = Promise.resolve(1);
  assertRefused({ result: pending }, 'value.result', /Promise.*await/);
  assertRefused({ cache: new WeakMap() }, 'value.cache', /WeakMap/);
  assertRefused(new Set([new WeakSet()]), 'value<Set element #0>', /WeakSet/);
  assertRefused(new Map([['k', new WeakRef({})]]), 'value.get("k")', /WeakRef/);
  assertRefused({ bytes: new ArrayBuffer(4) }, 'value.bytes', /ArrayBuffer/);
  assertRefused({ big: new BigInt64Array(1) }, 'value.big', /BigInt64Array/);
  assertRefused({ when: new Date('nonsense') }, 'value.when', /invalid Date/);
  assertRefused({ boxed: new String('s') }, 'value.boxed', /String object/);
  assertRefused({ list: [1, , 3] }, 'value.list[1]', /sparse array/);
  assertRefused({ thenable: { then: () => undefined } }, 'value.thenable.then', /a function/);
  class Thenable { then(): void {} }
  assertRefused({ thenable: new Thenable() }, 'value.thenable', /thenable/);
  const hidden = { [Symbol('id')]: 1 };
  assertRefused({ hidden }, 'value.hidden[Symbol(id)]', /symbol/);
});

test('errors in a Map key or in a class field name their path', () => {
  assertRefused(new Map([[() => 1, 'v']]), 'value<Map key #0>', /a function/);
  class Holder { constructor(public handler = () => 1) {} }
  assertRefused({ holder: new Holder() }, 'value.holder.handler', /a function/);
  const error = Object.assign(new Error('e'), { retry: () => 1 });
  assertRefused({ error }, 'value.error.retry', /a function/);
});

test('keys superjson refuses fail cleanly when superjson is needed, and are fine in plain JSON', () => {
  const plain = JSON.parse('{"constructor": 1, "__proto__": {"x": 1}}') as Record<string, unknown>;
  const back = roundTrip(plain);
  assert.ok(Object.hasOwn(back, '__proto__'));
  assert.equal(Object.getPrototypeOf(back), Object.prototype);
  assert.throws(() => serializeValue({ ...plain, at: new Date(0) }, 'x'), DBOSSerializationError);
});

// ---- reading ----

test('a null text reads as undefined; a null format reads the default', () => {
  assert.equal(deserializeValue(null, defaultSerialization), undefined);
  assert.equal(deserializeValue(null, null), undefined);
  assert.deepEqual(deserializeValue(serializeValue({ at: new Date(1) }, 'x').text, null), { at: new Date(1) });
});

test('plain JSON without the marker is read as plain JSON', () => {
  assert.deepEqual(deserializeValue('{"a":[1,2],"json":3}', defaultSerialization), { a: [1, 2], json: 3 });
  const otherMarker = { json: 3, __dbos_serializer: 'other' };
  assert.deepEqual(deserializeValue(JSON.stringify(otherMarker), null), otherMarker);
  assert.equal(deserializeValue('"text"', null), 'text');
  assert.equal(deserializeValue('null', null), null);
});

test('values DBOS wrote with superjson are read, and ours read back in plain superjson', () => {
  const value = { at: new Date(2), big: 5n, map: new Map([['a', new Set([1])]]), nothing: undefined };
  const dbosText = JSON.stringify({ ...SuperJSON.serialize(value), __dbos_serializer: 'superjson' });
  assert.deepEqual(deserializeValue(dbosText, defaultSerialization), value);
  const ours = JSON.parse(serializeValue(value, 'x').text) as Parameters<typeof SuperJSON.deserialize>[0];
  assert.deepEqual(SuperJSON.deserialize(ours), value);
});

test('the global superjson instance is left alone', () => {
  serializeValue({ error: new Error('x') }, 'x');
  assert.deepEqual(SuperJSON.serialize(new Error('x')).meta?.values, ['Error']);
});

test('an unknown format names the format; corrupt text is a DBOSError', () => {
  assert.throws(() => deserializeValue('{}', 'java_serializable'), (error: unknown) => {
    assert.ok(error instanceof DBOSError);
    assert.match(error.message, /"java_serializable"/);
    return true;
  });
  assert.throws(() => deserializeValue('{not json', null), DBOSError);
});

// ---- portable JSON ----

test('portable JSON lowers rich types to plain JSON', () => {
  const value = {
    at: new Date('2024-01-02T03:04:05.000Z'),
    big: 10n ** 20n,
    map: new Map([['k', new Set([1, 2])]]),
    gone: undefined,
    list: [undefined, 1],
    error: new TypeError('bad'),
    bytes: Buffer.from([1, 2]),
  };
  const stored = serializeValue(value, 'x', 'portable');
  assert.equal(stored.serialization, portableSerialization);
  const expected = {
    at: '2024-01-02T03:04:05.000Z',
    big: '100000000000000000000',
    map: { k: [1, 2] },
    gone: null,
    list: [null, 1],
    error: { name: 'TypeError', message: 'bad' },
    bytes: [1, 2],
  };
  assert.deepEqual(JSON.parse(stored.text), expected);
  assert.deepEqual(deserializeValue(stored.text, portableSerialization), expected);
  assert.equal(serializeValue(undefined, 'x', 'portable').text, 'null');
});

test('portable JSON refuses what JSON cannot hold, and repeats shared values', () => {
  const loop: Record<string, unknown> = {};
  loop.self = loop;
  assert.throws(() => serializeValue(loop, 'x', 'portable'), /circular reference .* at value\.self/);
  assert.throws(() => serializeValue({ n: NaN }, 'x', 'portable'), /NaN .* at value\.n/);
  assert.throws(() => serializeValue(new Map([[1, 2]]), 'x', 'portable'), /Map key that is not a string/);
  assert.throws(() => serializeValue({ f: () => 1 }, 'x', 'portable'), DBOSSerializationError);
  const shared = { a: 1 };
  assert.deepEqual(JSON.parse(serializeValue([shared, shared], 'x', 'portable').text), [{ a: 1 }, { a: 1 }]);
});

// ---- serializeError / deserializeError ----

test('an Error keeps name, message, stack and own fields, Dates included', () => {
  const error = Object.assign(new Error('request failed'), {
    code: 'ECONNRESET',
    statusCode: 503,
    details: { at: new Date(11), attempts: [1, 2], id: 9n },
  });
  const back = errorRoundTrip(error) as typeof error;
  assert.equal(Object.getPrototypeOf(back), Error.prototype);
  assert.equal(back.name, 'Error');
  assert.equal(back.message, 'request failed');
  assert.equal(back.stack, error.stack);
  assert.equal(back.code, 'ECONNRESET');
  assert.equal(back.statusCode, 503);
  assert.deepEqual(back.details, error.details);
  assert.deepEqual(Object.keys(back), ['code', 'statusCode', 'details']);
  assert.ok(!Object.prototype.propertyIsEnumerable.call(back, 'message'));
});

test('the stored error is a plain record, as DBOS tooling expects', () => {
  const stored = serializeError(Object.assign(new Error('boom'), { code: 'E1' }));
  const parsed = JSON.parse(stored.text) as { json: Record<string, unknown>; __dbos_serializer: string };
  assert.equal(parsed.__dbos_serializer, 'superjson');
  assert.equal(parsed.json.name, 'Error');
  assert.equal(parsed.json.message, 'boom');
  assert.equal(parsed.json.code, 'E1');
  assert.equal(typeof parsed.json.stack, 'string');
});

test('causes are kept recursively', () => {
  const root = Object.assign(new RangeError('root'), { level: 0 });
  const middle = new Error('middle', { cause: root });
  const top = new Error('top', { cause: middle });
  const back = errorRoundTrip(top);
  const backMiddle = back.cause as Error;
  const backRoot = backMiddle.cause as Error & { level: number };
  assert.equal(backMiddle.message, 'middle');
  assert.equal(backMiddle.stack, middle.stack);
  assert.ok(backRoot instanceof RangeError);
  assert.equal(backRoot.level, 0);
  assert.equal(errorRoundTrip(new Error('with a plain cause', { cause: { code: 7 } })).cause?.constructor, Object);
});

test('durably error classes are revived with instanceof and fields', () => {
  const unexpected = new DBOSUnexpectedStepError('wf-9', 2, 'charge', 'refund');
  const back = errorRoundTrip(unexpected);
  assert.ok(back instanceof DBOSUnexpectedStepError);
  assert.ok(back instanceof DBOSError);
  assert.equal(back.name, 'DBOSUnexpectedStepError');
  assert.equal(back.message, unexpected.message);
  assert.equal(back.stack, unexpected.stack);
  assert.equal(back.workflowID, 'wf-9');
  assert.equal(back.dbosErrorCode, unexpected.dbosErrorCode);

  assert.ok(errorRoundTrip(new DBOSWorkflowCancelledError('wf-2')) instanceof DBOSWorkflowCancelledError);

  const retries = errorRoundTrip(new DBOSMaxStepRetriesError('fetch', 2, [new Error('one'), new TypeError('two')]));
  assert.ok(retries instanceof DBOSMaxStepRetriesError);
  assert.ok(retries.errors[1] instanceof TypeError);
  assert.equal(retries.errors[0]!.message, 'one');
});

/** A revived field equals the original; an Error (or a list of them) by class, message and stack. */
function assertRevivedField(back: unknown, original: unknown, label: string): void {
  if (Array.isArray(original)) {
    assert.ok(Array.isArray(back), label);
    original.forEach((item, index) => assertRevivedField(back[index], item, `${label}[${index}]`));
  } else if (original instanceof Error) {
    assert.equal(Object.getPrototypeOf(back), Object.getPrototypeOf(original), label);
    assert.equal((back as Error).message, original.message, label);
    assert.equal((back as Error).stack, original.stack, label);
  } else {
    assert.deepEqual(back, original, label);
  }
}

test('every exported error class is revivable by name', () => {
  for (const [name, errorClass] of exportedErrorClasses) assert.equal(durablyErrorClasses[name], errorClass, name);
});

test('every error class, built with DBOS\'s arguments, revives with its class, codes and fields', () => {
  for (const { error, errorClass, dbosErrorCode, code, fields } of errorCases) {
    const back = errorRoundTrip(error) as DBOSError & Record<string, unknown>;
    assert.ok(back instanceof errorClass, `${errorClass.name}: got ${back.constructor.name}`);
    assert.equal(back.name, errorClass.name);
    assert.equal(back.message, error.message);
    assert.equal(back.dbosErrorCode, dbosErrorCode);
    assert.equal(back.code, code);
    for (const [key, value] of Object.entries(fields)) assertRevivedField(back[key], value, `${errorClass.name}.${key}`);
    assert.deepEqual(Object.keys(back).sort(), Object.keys(error).sort(), `${errorClass.name}: own fields`);
  }
});

test('other classes come back as an Error with the same name and fields', () => {
  class PaymentError extends Error {
    override name = 'PaymentError';
    constructor(message: string, readonly amount: number) {
      super(message);
    }
  }
  const original = new PaymentError('declined', 12);
  const back = errorRoundTrip(original) as Error & { amount: number };
  assert.ok(back instanceof Error && !(back instanceof PaymentError));
  assert.equal(back.name, 'PaymentError');
  assert.equal(back.amount, 12);
  assert.equal(back.stack, original.stack);
  assert.ok(errorRoundTrip(new SyntaxError('x')) instanceof SyntaxError);
});

test('non-Error thrown values come back as Errors carrying the value', () => {
  const fromString = errorRoundTrip('boom') as Error & { thrownValue: unknown };
  assert.ok(fromString instanceof Error);
  assert.match(fromString.message, /"boom"/);
  assert.equal(fromString.thrownValue, 'boom');

  const fromObject = errorRoundTrip({ status: 404, at: new Date(1) }) as Error & { thrownValue: unknown };
  assert.match(fromObject.message, /404/);
  assert.deepEqual(fromObject.thrownValue, { status: 404, at: new Date(1) });

  const fromUndefined = errorRoundTrip(undefined) as Error & { thrownValue: unknown };
  assert.match(fromUndefined.message, /undefined/);
  assert.ok(Object.hasOwn(fromUndefined, 'thrownValue'));

  const fromFunction = errorRoundTrip(function handler() {}) as Error & { thrownValue: unknown };
  assert.match(fromFunction.message, /function named handler/);
  assert.match(String(fromFunction.thrownValue), /not stored/);
});

test('fields that cannot be stored are replaced by a note; the error is still recorded', () => {
  const socket = new net.Socket();
  const error = Object.assign(new Error('http failed', { cause: Object.assign(new Error('inner'), { fn: () => 1 }) }), {
    socket,
    code: 'E_HTTP',
  });
  const back = errorRoundTrip(error) as Error & { socket: unknown; code: string };
  socket.destroy();
  assert.equal(back.message, 'http failed');
  assert.equal(back.code, 'E_HTTP');
  assert.match(String(back.socket), /^\[not stored: error\.socket\..* cannot be serialized\]$/);
  const cause = back.cause as Error & { fn: unknown };
  assert.equal(cause.message, 'inner');
  assert.match(String(cause.fn), /not stored: error\.fn/);
});

test('errors DBOS wrote (serialize-error records, plain strings) are revived', () => {
  const record = { name: 'DBOSWorkflowCancelledError', message: 'cancelled', stack: 'S', workflowID: 'w' };
  const dbosText = JSON.stringify({ json: record, __dbos_serializer: 'superjson' });
  const back = deserializeError(dbosText, null) as DBOSWorkflowCancelledError;
  assert.ok(back instanceof DBOSWorkflowCancelledError);
  assert.equal(back.workflowID, 'w');
  assert.equal(back.stack, 'S');
  const legacy = deserializeError('{"name":"TypeError","message":"old"}', null);
  assert.ok(legacy instanceof TypeError);
  const text = deserializeError('"just text"', null) as Error & { thrownValue: unknown };
  assert.equal(text.thrownValue, 'just text');
});

test('an error stored in a value is read back by deserializeError too', () => {
  const stored = serializeValue(new DBOSWorkflowCancelledError('w'), 'x');
  assert.ok(deserializeError(stored.text, stored.serialization) instanceof DBOSWorkflowCancelledError);
});

// ---- cost ----

test('a small plain object serializes in microseconds', () => {
  const value = { id: 'wf-123', step: 4, ok: true, tags: ['a', 'b'], nested: { x: 1, y: 'z' } };
  const rounds = 20_000;
  const start = performance.now();
  for (let round = 0; round < rounds; round++) serializeValue(value, 'x');
  const microseconds = ((performance.now() - start) * 1000) / rounds;
  assert.ok(microseconds < 20, `${microseconds.toFixed(2)} µs per value`);
});
