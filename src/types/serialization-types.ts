/** Serialization types, with the names and shapes of the DBOS TypeScript SDK. Declarations only. */
import type { WorkflowSerializationFormat } from './workflow-types.ts';

/** What JSON can hold: the output of a recipe's `serialize`. */
export type JSONValue = string | number | boolean | null | JSONValue[] | { [key: string]: JSONValue };

/**
 * Any format for stored values (config `serializer`): its `name()` is stored beside each value it writes, so
 * rows it wrote are read back with it. Both methods may be async (to encrypt, say).
 */
export interface DBOSSerializer {
  name: () => string;
  stringify(value: unknown): string | Promise<string>;
  parse(text: string | null | undefined): unknown;
}

/** A custom type for the default (superjson) format, given to DBOS.registerSerialization before launch. */
export type SerializationRecipe<T, S extends JSONValue> = {
  name: string;
  isApplicable: (v: unknown) => v is T;
  serialize: (v: T) => S;
  deserialize: (s: S) => T;
};

/** Options of DBOS.send: `portable` stores plain JSON, readable by other languages. */
export interface SendOptions {
  serializationType?: WorkflowSerializationFormat;
}

/** Options of DBOS.setEvent. */
export interface SetEventOptions {
  serializationType?: WorkflowSerializationFormat;
}

/** Options of DBOS.writeStream. */
export interface WriteStreamOptions {
  serializationType?: WorkflowSerializationFormat;
}
