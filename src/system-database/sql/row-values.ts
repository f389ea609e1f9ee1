/** Reading column values the same way from both drivers (pg returns BIGINT as text, SQLite booleans as 0/1). */

export function nullableString(value: unknown): string | null {
  return value === null || value === undefined ? null : String(value);
}

export function nullableNumber(value: unknown): number | null {
  return value === null || value === undefined ? null : Number(value);
}

/** Postgres returns booleans, SQLite 0 or 1. */
export function sqlBoolean(value: unknown): boolean {
  return Boolean(Number(value));
}
