import type { Dialect } from '../dialect.ts';

export function postgresDialect(schema: string): Dialect {
  const quotedSchema = `"${schema.replaceAll('"', '""')}"`;
  return {
    table: (name) => `${quotedSchema}.${name}`,
    maxParameters: 65535,
    nowEpochMs: '(EXTRACT(EPOCH FROM now()) * 1000)::bigint',
    jsonType: 'JSONB',
  };
}
