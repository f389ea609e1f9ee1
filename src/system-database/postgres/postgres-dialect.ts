import { createHash } from 'node:crypto';
import type { Dialect } from '../dialect.ts';
import { queueChannel } from '../system-database.ts';
import { dbosSharedSchema } from './dbos-shared-schema.ts';

/**
 * A notifier channel's Postgres name: `<schema>_<channel>` (DBOS's names for
 * schema dbos), hashed when it would pass Postgres's 63-byte identifier limit.
 */
export function postgresChannelName(schema: string, channel: string): string {
  const name = `${schema}_${channel}`;
  if (Buffer.byteLength(name) <= 63) return name;
  return `durably_${createHash('sha1').update(schema).digest('hex').slice(0, 16)}_${channel}`;
}

function sqlLiteral(text: string): string {
  return `'${text.replaceAll("'", "''")}'`;
}

/**
 * Room on each workflow_status page for its rows' final updates. That update changes indexed columns
 * (status, completed_at: DBOS's partial indexes), so it is never a HOT update; but where the new version fits
 * on the old one's page, Postgres writes no row lock to WAL, pins no second page, searches no free-space map,
 * and logs only the changed middle of the row. With full pages (fillfactor 100) nearly every final update of
 * workflows in flight moved to another page (bench/write-costs.ts: a Heap/LOCK record per workflow); at 50 none
 * did. Only new inserts are spaced out: no rewrite, a brief lock. DBOS's tools ignore storage parameters.
 */
function statusRowsUpdatedInPlace(table: (name: string) => string): string[] {
  return [`ALTER TABLE ${table('workflow_status')} SET (fillfactor = 50)`];
}

/** `notify: false` (useListenNotify: false): statements announce nothing; other processes poll. */
export function postgresDialect(schema: string, options: { notify: boolean } = { notify: true }): Dialect {
  const quotedSchema = `"${schema.replaceAll('"', '""')}"`;
  return {
    table: (name) => `${quotedSchema}.${name}`,
    maxParameters: 65535,
    nowEpochMs: '(EXTRACT(EPOCH FROM now()) * 1000)::bigint',
    jsonType: 'JSONB',
    skipLocked: 'FOR UPDATE SKIP LOCKED',
    isUniqueViolation: (error) => (error as { code?: string })?.code === '23505',
    jsonContains: (column, placeholder) => `${column} @> CAST(${placeholder} AS JSONB)`,
    jsonArrayRows: (placeholder, width) => {
      const columns = Array.from({ length: width }, (_, i) => `x.value->>${i} AS column${i + 1}`);
      return `(SELECT ${columns.join(', ')} FROM json_array_elements(CAST(${placeholder} AS JSON)) AS x)`;
    },
    addedColumnNowDefault: '(EXTRACT(EPOCH FROM now()) * 1000)::bigint',
    backendOnlySchema: (version) => {
      const table = (name: string) => `${quotedSchema}.${name}`;
      if (version === 3) return dbosSharedSchema(table, postgresChannelName(schema, queueChannel));
      if (version === 7) return statusRowsUpdatedInPlace(table);
      return [];
    },
    namedLockStatement: `SELECT pg_advisory_xact_lock(hashtext('durably:' || ${sqlLiteral(schema)} || ':' || $1))`,
    payloadTables: true,
    codePointTextOrder: false,
    blocksEventLoop: false,
    checkpointStatement: null,
    notifying: (statement, notices, alongside = []) => {
      const writes = alongside.map((entry) => `, ${entry}`).join('');
      if (!options.notify || notices.length === 0) {
        return alongside.length === 0 ? statement : `WITH changed AS (${statement})${writes} SELECT changed.* FROM changed`;
      }
      // One pg_notify per returned row, in the select list: every row is returned, so every call runs, and
      // Postgres drops a transaction's repeated (channel, payload) pairs itself. A DISTINCT per notice (a
      // materialized CTE with its own hash aggregate) ran even with nothing to announce: a direct start's round
      // trip took 0.04 ms longer with it (BENCHMARKS.md notes, issue 17).
      const calls = notices.map(
        (notice, i) =>
          `CASE WHEN changed.${notice.keyColumn} IS NOT NULL
             THEN pg_notify('${postgresChannelName(schema, notice.channel)}', changed.${notice.keyColumn}) END AS durably_notice${i}`,
      );
      return `WITH changed AS (${statement})${writes} SELECT changed.*, ${calls.join(', ')} FROM changed`;
    },
  };
}
