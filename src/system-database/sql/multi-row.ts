/**
 * Multi-row statements, written once for both backends: `VALUES (...), (...)`
 * with `$n` placeholders, split into chunks that fit the backend's parameter
 * limit.
 */
import type { SqlValue } from '../connection.ts';
import type { Dialect } from '../dialect.ts';

export interface ValuesChunk<T> {
  items: T[];
  /** `($1, $2), ($3, $4)`, with each placeholder wrapped by `cast` for its column. */
  valuesSql: string;
  params: SqlValue[];
}

export function valuesChunks<T>(
  dialect: Dialect,
  items: readonly T[],
  toRow: (item: T) => SqlValue[],
  casts?: readonly (string | null)[],
  /** Parameters the caller adds per item after the chunk's own (a second VALUES list in the same statement). */
  extraParamsPerItem = 0,
): ValuesChunk<T>[] {
  if (items.length === 0) return [];
  const width = toRow(items[0]!).length + extraParamsPerItem;
  const perChunk = Math.max(1, Math.floor(dialect.maxParameters / width));
  const chunks: ValuesChunk<T>[] = [];
  for (let start = 0; start < items.length; start += perChunk) {
    const slice = items.slice(start, start + perChunk);
    const params: SqlValue[] = [];
    const tuples = slice.map((item) => {
      const row = toRow(item);
      const placeholders = row.map((value, column) => {
        params.push(value);
        const cast = casts?.[column];
        return cast ? `CAST($${params.length} AS ${cast})` : `$${params.length}`;
      });
      return `(${placeholders.join(', ')})`;
    });
    chunks.push({ items: slice, valuesSql: tuples.join(', '), params });
  }
  return chunks;
}

/** `($n, $n+1), ...` for rows bound from parameter `firstParameter` on, each value wrapped by its column's cast. */
export function valuesList(rows: readonly SqlValue[][], firstParameter: number, casts: readonly string[]): { sql: string; params: SqlValue[] } {
  const params: SqlValue[] = [];
  const tuples = rows.map((row) => {
    const placeholders = row.map((value, column) => {
      params.push(value);
      return `CAST($${firstParameter + params.length - 1} AS ${casts[column]})`;
    });
    return `(${placeholders.join(', ')})`;
  });
  return { sql: tuples.join(', '), params };
}

/**
 * For writes that may name the same key twice in one batch, only the first
 * can have taken effect: the database applied the row once.
 */
export function firstOccurrences<T>(items: readonly T[], key: (item: T) => string, applied: Set<string>): boolean[] {
  const seen = new Set<string>();
  return items.map((item) => {
    const k = key(item);
    if (seen.has(k)) return false;
    seen.add(k);
    return applied.has(k);
  });
}
