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
    addedColumnNowDefault: '(EXTRACT(EPOCH FROM now()) * 1000)::bigint',
    backendOnlySchema: (version) =>
      version === 3 ? dbosSharedSchema((name) => `${quotedSchema}.${name}`, postgresChannelName(schema, queueChannel)) : [],
    namedLockStatement: `SELECT pg_advisory_xact_lock(hashtext('durably:' || ${sqlLiteral(schema)} || ':' || $1))`,
    payloadTables: true,
    codePointTextOrder: false,
    blocksEventLoop: false,
    notifying: (statement, notices, alongside = []) => {
      const writes = alongside.map((entry) => `, ${entry}`).join('');
      if (!options.notify || notices.length === 0) {
        return alongside.length === 0 ? statement : `WITH changed AS (${statement})${writes} SELECT changed.* FROM changed`;
      }
      // MATERIALIZED: each notice CTE runs once, in full, even though only its row count is used.
      const noticeQueries = notices.map(
        (notice, i) =>
          `notice${i} AS MATERIALIZED (SELECT pg_notify('${postgresChannelName(schema, notice.channel)}', k)
             FROM (SELECT DISTINCT ${notice.keyColumn} AS k FROM changed WHERE ${notice.keyColumn} IS NOT NULL) AS keys)`,
      );
      const forced = notices.map((_, i) => `(SELECT count(*) FROM notice${i}) AS sent${i}`);
      return `WITH changed AS (${statement})${writes}, ${noticeQueries.join(', ')}
        SELECT changed.* FROM changed, ${forced.join(', ')}`;
    },
  };
}
