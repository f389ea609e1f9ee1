/**
 * JSON containment on SQLite, with the semantics of Postgres's JSONB `@>`, so
 * a listing filtered by attributes returns the same rows on both backends.
 * SQLite has no such operator; the connection registers this as a
 * deterministic SQL function that the Dialect's `jsonContains` calls.
 */
import type { DatabaseSync } from 'node:sqlite';

export const jsonContainsFunctionName = 'durably_json_contains';

/**
 * Whether `container` contains `contained`: an object contains an object
 * whose every key it has with a containing value; an array contains an array
 * whose every element is contained by one of its elements (order and
 * duplicates ignored); scalars must be equal.
 */
export function jsonContains(container: unknown, contained: unknown): boolean {
  if (Array.isArray(contained)) {
    if (!Array.isArray(container)) return false;
    return contained.every((wanted) => container.some((item) => jsonContains(item, wanted)));
  }
  if (contained !== null && typeof contained === 'object') {
    if (container === null || typeof container !== 'object' || Array.isArray(container)) return false;
    const object = container as Record<string, unknown>;
    return Object.entries(contained as Record<string, unknown>).every(
      ([key, wanted]) => Object.hasOwn(object, key) && jsonContains(object[key], wanted),
    );
  }
  return container === contained;
}

function parse(text: unknown): { ok: true; value: unknown } | { ok: false } {
  if (typeof text !== 'string') return { ok: false };
  try {
    return { ok: true, value: JSON.parse(text) };
  } catch {
    return { ok: false };
  }
}

/** Registers `durably_json_contains(document, wanted)`: 1, 0, or NULL when the document is NULL or not JSON. */
export function registerJsonContains(db: DatabaseSync): void {
  db.function(jsonContainsFunctionName, { deterministic: true }, (document, wanted) => {
    const container = parse(document);
    const contained = parse(wanted);
    if (!container.ok || !contained.ok) return null;
    return jsonContains(container.value, contained.value) ? 1 : 0;
  });
}
