/** Rows of a system table read directly (not through durably), to check what is really stored. */
import { DatabaseSync } from 'node:sqlite';
import pg from 'pg';
import type { DBOSConfig } from '../../src/index.ts';

/** `where` uses `?` placeholders; the table is qualified with the config's schema on Postgres. */
export async function rawRows(
  config: DBOSConfig,
  table: string,
  where: string,
  params: (string | number)[],
): Promise<Record<string, unknown>[]> {
  const url = config.systemDatabaseUrl ?? '';
  if (!/^postgres(ql)?:/i.test(url)) {
    const database = new DatabaseSync(url, { readOnly: true });
    try {
      return database.prepare(`SELECT * FROM ${table} WHERE ${where}`).all(...params) as Record<string, unknown>[];
    } finally {
      database.close();
    }
  }
  let index = 0;
  const numbered = where.replace(/\?/g, () => `$${++index}`);
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    const schema = config.systemDatabaseSchemaName ?? 'dbos';
    return (await client.query(`SELECT * FROM "${schema}".${table} WHERE ${numbered}`, params)).rows as Record<string, unknown>[];
  } finally {
    await client.end();
  }
}
