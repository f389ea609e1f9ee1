/**
 * Whether the workflow ID column orders text by code point, so that an ID prefix can be read as a range of
 * the primary key (dialect.ts codePointTextOrder). True when the column's collation is C or POSIX, or it
 * takes the database's and that is a libc C locale (C, POSIX, C.UTF-8); any other collation (en_US, ICU)
 * may order otherwise, and the prefix is then tested row by row.
 */
import type { QueryRunner } from '../connection.ts';

const collationSQL = `SELECT COALESCE(co.collname, 'default') AS column_collation, d.datcollate, d.datlocprovider::text AS provider
  FROM pg_attribute a
  JOIN pg_class c ON c.oid = a.attrelid
  JOIN pg_namespace n ON n.oid = c.relnamespace
  LEFT JOIN pg_collation co ON co.oid = a.attcollation AND co.collname <> 'default'
  CROSS JOIN pg_database d
  WHERE n.nspname = $1 AND c.relname = 'workflow_status' AND a.attname = 'workflow_uuid' AND d.datname = current_database()`;

const cLocale = /^(C|POSIX|C\.UTF-?8)$/i;

export async function workflowIDsOrderByCodePoint(runner: QueryRunner, schema: string): Promise<boolean> {
  const [row] = await runner.query<{ column_collation: string; datcollate: string; provider: string }>(collationSQL, [schema]);
  if (!row) return false;
  if (row.column_collation !== 'default') return row.column_collation === 'C' || row.column_collation === 'POSIX';
  return row.provider === 'c' && cLocale.test(row.datcollate);
}
