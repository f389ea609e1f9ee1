/** Rows of a system table read directly (not through durably), to check what is really stored. */
import { DatabaseSync } from 'node:sqlite';
import pg from 'pg';
import type { DBOSConfig } from '../../src/index.ts';

/**
 * workflow_status with its payloads where DBOS 5.3 keeps them (workflow_input, workflow_output), as
 * DBOS's SDK reads them: the payload table's value, else the legacy column. `q` qualifies a table name.
 */
function statusWithPayloads(q: (table: string) => string): string {
  return `(SELECT s.*, COALESCE(i.inputs, s.inputs) AS payload_inputs, COALESCE(o.output, s.output) AS payload_output,
      COALESCE(o.error, s.error) AS payload_error
    FROM ${q('workflow_status')} AS s LEFT JOIN ${q('workflow_input')} AS i ON i.workflow_uuid = s.workflow_uuid
    LEFT JOIN ${q('workflow_output')} AS o ON o.workflow_uuid = s.workflow_uuid) AS workflow_status`;
}

function withPayloads(rows: Record<string, unknown>[]): Record<string, unknown>[] {
  return rows.map(({ payload_inputs, payload_output, payload_error, ...row }) =>
    'workflow_uuid' in row ? { ...row, inputs: payload_inputs, output: payload_output, error: payload_error } : row,
  );
}

/**
 * `where` uses `?` placeholders; the table is qualified with the config's schema on Postgres.
 * workflow_status rows come with their inputs, output and error wherever they are stored.
 */
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
      const from = table === 'workflow_status' ? statusWithPayloads((t) => t) : table;
      const rows = database.prepare(`SELECT * FROM ${from} WHERE ${where}`).all(...params) as Record<string, unknown>[];
      return table === 'workflow_status' ? withPayloads(rows) : rows;
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
    const from = table === 'workflow_status' ? statusWithPayloads((t) => `"${schema}".${t}`) : `"${schema}".${table}`;
    const rows = (await client.query(`SELECT * FROM ${from} WHERE ${numbered}`, params)).rows as Record<string, unknown>[];
    return table === 'workflow_status' ? withPayloads(rows) : rows;
  } finally {
    await client.end();
  }
}

/**
 * Run one statement directly against the system database, as another program (a SQL producer, another
 * language's SDK) would. `?` placeholders; `{schema}` in `sql` becomes the config's schema qualifier
 * (`"<schema>".` on Postgres, nothing on SQLite).
 */
export async function rawExecute(config: DBOSConfig, sql: string, params: (string | number | null)[] = []): Promise<void> {
  const url = config.systemDatabaseUrl ?? '';
  if (!/^postgres(ql)?:/i.test(url)) {
    const database = new DatabaseSync(url);
    try {
      database.prepare(sql.replaceAll('{schema}', '')).run(...params);
    } finally {
      database.close();
    }
    return;
  }
  let index = 0;
  const schema = config.systemDatabaseSchemaName ?? 'dbos';
  const numbered = sql.replaceAll('{schema}', `"${schema}".`).replace(/\?/g, () => `$${++index}`);
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    await client.query(numbered, params);
  } finally {
    await client.end();
  }
}
