import { createHash } from 'node:crypto';
import type { Dialect } from '../dialect.ts';

/**
 * A notifier channel's Postgres name: `<schema>_<channel>` (DBOS's names for
 * schema dbos), hashed when it would pass Postgres's 63-byte identifier limit.
 */
export function postgresChannelName(schema: string, channel: string): string {
  const name = `${schema}_${channel}`;
  if (Buffer.byteLength(name) <= 63) return name;
  return `durably_${createHash('sha1').update(schema).digest('hex').slice(0, 16)}_${channel}`;
}

export function postgresDialect(schema: string): Dialect {
  const quotedSchema = `"${schema.replaceAll('"', '""')}"`;
  return {
    table: (name) => `${quotedSchema}.${name}`,
    maxParameters: 65535,
    nowEpochMs: '(EXTRACT(EPOCH FROM now()) * 1000)::bigint',
    jsonType: 'JSONB',
    notifying: (statement, channel, keyColumn) =>
      `WITH changed AS (${statement})
       SELECT ${keyColumn}, pg_notify('${postgresChannelName(schema, channel)}', ${keyColumn}) FROM changed`,
  };
}
