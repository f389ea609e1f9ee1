/**
 * SQL for DBOS 5.3's renameApplication: rows `oldName` owns (and, with
 * `adoptUnclaimedRows`, rows no application owns) become `newName`'s.
 * First, in one transaction, everything a running application reads by
 * owner: queues, schedules, versions and in-flight workflows (PENDING,
 * ENQUEUED, DELAYED), so no worker sees half an application. Then the
 * history, which only listings read: terminal workflows and step rows, in
 * key-range batches of `batchSize` rows, each batch its own transaction, so
 * a rename of millions of rows never holds one long transaction (`null`:
 * everything in the first transaction). A cursor on the key makes every
 * batch progress, even when a row still matches after its update.
 */
import type { Connection, QueryRunner, SqlValue } from '../connection.ts';
import type { Dialect } from '../dialect.ts';
import type { ApplicationRename, ApplicationRowCounts } from '../records.ts';

const inFlight = `('PENDING', 'ENQUEUED', 'DELAYED')`;

/** The rows to move, as a clause over `application_name`, its parameters numbered from `first`. */
function sourceClause(rename: ApplicationRename, first: number): { sql: string; params: SqlValue[] } {
  const parts: string[] = [];
  const params: SqlValue[] = [];
  if (rename.oldName !== undefined) {
    parts.push(`application_name = $${first}`);
    params.push(rename.oldName);
  }
  if (rename.adoptUnclaimedRows) parts.push('application_name IS NULL');
  return { sql: `(${parts.join(' OR ')})`, params };
}

async function moveRows(tx: QueryRunner, table: string, rename: ApplicationRename, extra = ''): Promise<number> {
  const source = sourceClause(rename, 2);
  const rows = await tx.query(
    `UPDATE ${table} SET application_name = $1 WHERE ${source.sql}${extra} RETURNING 1 AS moved`,
    [rename.newName, ...source.params],
  );
  return rows.length;
}

/** Queues, schedules, versions and in-flight workflows (and, unbatched, everything else): one transaction. */
async function moveLiveRows(tx: QueryRunner, d: Dialect, rename: ApplicationRename, all: boolean): Promise<ApplicationRowCounts> {
  return {
    queues: await moveRows(tx, d.table('queues'), rename),
    schedules: await moveRows(tx, d.table('workflow_schedules'), rename),
    versions: await moveRows(tx, d.table('application_versions'), rename),
    workflows: await moveRows(tx, d.table('workflow_status'), rename, all ? '' : ` AND status IN ${inFlight}`),
    steps: all ? await moveRows(tx, d.table('operation_outputs'), rename) : 0,
  };
}

/**
 * Move the rows of `table` matching the rename in batches ordered by `keyColumns`: each batch ends at the
 * key of its `batchSize`-th row (a row-value comparison, in both SQLite and Postgres), the next starts after it.
 */
async function moveInBatches(
  connection: Connection,
  table: string,
  keyColumns: readonly string[],
  rename: ApplicationRename,
  batchSize: number,
  filter = '',
): Promise<number> {
  const columns = keyColumns.join(', ');
  const compare = (operator: string, first: number) =>
    ` AND (${columns}) ${operator} (${keyColumns.map((_, i) => `$${first + i}`).join(', ')})`;
  let last: SqlValue[] | undefined;
  let moved = 0;
  for (;;) {
    const batch = await connection.transaction(async (tx) => {
      const select = sourceClause(rename, 1);
      select.sql += filter;
      const offsetAt = 1 + select.params.length;
      const [end] = await tx.query(
        `SELECT ${columns} FROM ${table} WHERE ${select.sql}${last ? compare('>', offsetAt + 1) : ''}
         ORDER BY ${columns} LIMIT 1 OFFSET $${offsetAt}`,
        [...select.params, batchSize - 1, ...(last ?? [])],
      );
      const endKey = end ? keyColumns.map((column) => end[column] as SqlValue) : undefined;
      const update = sourceClause(rename, 2);
      update.sql += filter;
      const afterAt = 2 + update.params.length;
      const upToAt = afterAt + (last?.length ?? 0);
      const rows = await tx.query(
        `UPDATE ${table} SET application_name = $1
         WHERE ${update.sql}${last ? compare('>', afterAt) : ''}${endKey ? compare('<=', upToAt) : ''} RETURNING 1 AS moved`,
        [rename.newName, ...update.params, ...(last ?? []), ...(endKey ?? [])],
      );
      return { count: rows.length, endKey };
    });
    moved += batch.count;
    if (!batch.endKey) return moved;
    last = batch.endKey;
  }
}

export async function renameApplication(connection: Connection, d: Dialect, rename: ApplicationRename): Promise<ApplicationRowCounts> {
  const batchSize = rename.batchSize;
  const counts = await connection.transaction((tx) => moveLiveRows(tx, d, rename, batchSize === null));
  if (batchSize === null) return counts;
  // The in-flight ones moved with the live rows (and are counted there).
  const finished = ` AND status NOT IN ${inFlight}`;
  counts.workflows += await moveInBatches(connection, d.table('workflow_status'), ['workflow_uuid'], rename, batchSize, finished);
  counts.steps += await moveInBatches(connection, d.table('operation_outputs'), ['workflow_uuid', 'function_id'], rename, batchSize);
  return counts;
}
