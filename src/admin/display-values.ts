/**
 * Stored values as the dashboard shows them: plain JSON that keeps what
 * JSON alone would lose or choke on (dates as ISO text, bigints, Maps, Sets,
 * errors with their fields, undefined), and values that cannot be read as
 * their raw stored text. Bounded in depth, so a deep value cannot stall a page.
 */
import { decodeValue } from '../engine/stored-values.ts';

const maxDepth = 24;

export function toDisplay(value: unknown, depth = 0): unknown {
  if (value === null || typeof value === 'string' || typeof value === 'boolean') return value;
  if (typeof value === 'number') return Number.isFinite(value) ? value : String(value);
  if (value === undefined) return null;
  if (typeof value === 'bigint') return `${value}n`;
  if (typeof value === 'function' || typeof value === 'symbol') return `[${typeof value}]`;
  if (depth >= maxDepth) return '[…]';
  if (value instanceof Date) return Number.isNaN(value.getTime()) ? 'Invalid Date' : value.toISOString();
  if (value instanceof RegExp) return String(value);
  if (value instanceof Error) {
    const plain: Record<string, unknown> = { name: value.name, message: value.message };
    for (const [key, field] of Object.entries(value)) plain[key] = toDisplay(field, depth + 1);
    if (value.cause !== undefined) plain.cause = toDisplay(value.cause, depth + 1);
    if (value.stack) plain.stack = value.stack;
    return plain;
  }
  if (Array.isArray(value)) return value.map((item) => toDisplay(item, depth + 1));
  if (value instanceof Map) return { '[Map]': [...value].map(([k, v]) => [toDisplay(k, depth + 1), toDisplay(v, depth + 1)]) };
  if (value instanceof Set) return { '[Set]': [...value].map((item) => toDisplay(item, depth + 1)) };
  const plain: Record<string, unknown> = {};
  for (const [key, field] of Object.entries(value as Record<string, unknown>)) plain[key] = toDisplay(field, depth + 1);
  return plain;
}

/** A stored value decoded for display; its raw text if this process cannot read it. */
export async function storedForDisplay(text: string, serialization: string | null): Promise<unknown> {
  try {
    return toDisplay(await decodeValue(text, serialization));
  } catch {
    return text;
  }
}
