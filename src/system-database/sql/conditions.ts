/** A WHERE clause built from optional filters, with numbered parameters ($1, $2, ...). */
import type { SqlValue } from '../connection.ts';

export class Conditions {
  readonly clauses: string[] = [];
  readonly params: SqlValue[] = [];

  /** `column IN (...)`; an empty list matches nothing. */
  anyOf(column: string, values: readonly SqlValue[] | undefined): void {
    if (values === undefined) return;
    if (values.length === 0) {
      this.clauses.push('1 = 0');
      return;
    }
    const placeholders = values.map((value) => this.param(value));
    this.clauses.push(`${column} IN (${placeholders.join(', ')})`);
  }

  compare(column: string, operator: '>=' | '<=', value: number | undefined): void {
    if (value !== undefined) this.clauses.push(`${column} ${operator} ${this.param(value)}`);
  }

  /**
   * `column` starts with any of the prefixes (compared exactly: LIKE is case-insensitive on SQLite). With
   * `codePointOrder` (the dialect's codePointTextOrder), one prefix is also written as a range, so the
   * column's index finds the rows instead of a scan testing every row.
   */
  anyPrefix(column: string, prefixes: readonly string[] | undefined, codePointOrder = false): void {
    if (prefixes === undefined) return;
    if (prefixes.length === 0) {
      this.clauses.push('1 = 0');
      return;
    }
    const tests = prefixes.map((prefix) => {
      const p = `CAST(${this.param(prefix)} AS TEXT)`;
      return `substr(${column}, 1, length(${p})) = ${p}`;
    });
    this.clauses.push(`(${tests.join(' OR ')})`);
    const [only] = prefixes;
    if (codePointOrder && prefixes.length === 1 && only) {
      this.clauses.push(`${column} >= ${this.param(only)}`);
      const end = prefixSuccessor(only);
      if (end !== undefined) this.clauses.push(`${column} < ${this.param(end)}`);
    }
  }

  /** Rows owned by `owner` or by no one (NULL). */
  ownedBy(column: string, owner: string | undefined): void {
    if (owner !== undefined) this.clauses.push(`(${column} = ${this.param(owner)} OR ${column} IS NULL)`);
  }

  /** Rows owned by any of `owners` or by no one (NULL); an empty list leaves only the unowned rows. */
  ownedByAnyOf(column: string, owners: readonly string[] | undefined): void {
    if (owners === undefined) return;
    if (owners.length === 0) {
      this.clauses.push(`${column} IS NULL`);
      return;
    }
    const placeholders = owners.map((owner) => this.param(owner));
    this.clauses.push(`(${column} IN (${placeholders.join(', ')}) OR ${column} IS NULL)`);
  }

  add(clause: string): void {
    this.clauses.push(clause);
  }

  param(value: SqlValue): string {
    this.params.push(value);
    return `$${this.params.length}`;
  }

  get where(): string {
    return this.clauses.length === 0 ? '' : `WHERE ${this.clauses.join(' AND ')}`;
  }
}

/**
 * The least string greater than every string starting with `prefix`, in code point order: its last code
 * point that can grow, grown by one, the rest dropped. Undefined when none can (all U+10FFFF).
 */
export function prefixSuccessor(prefix: string): string | undefined {
  const points = [...prefix].map((c) => c.codePointAt(0)!);
  while (points.length > 0) {
    let last = points.pop()! + 1;
    if (last >= 0xd800 && last <= 0xdfff) last = 0xe000; // surrogates are not characters
    if (last <= 0x10ffff) return String.fromCodePoint(...points, last);
  }
  return undefined;
}
