/**
 * An error read back from portable JSON (`{name, message, code?, data?}`), as other languages write it and
 * as portable workflows record their failures. Its class is not the thrown one: match on `name` or `code`.
 */
import type { JSONValue } from '../types/serialization-types.ts';

export class PortableWorkflowError extends Error {
  override readonly name: string;
  readonly code?: string | number;
  readonly data?: JSONValue;

  constructor(message: string, name: string, code?: string | number, data?: JSONValue) {
    super(message);
    this.name = name;
    if (code !== undefined) this.code = code;
    if (data !== undefined) this.data = data;
  }
}
