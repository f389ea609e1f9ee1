import type { Dialect } from '../dialect.ts';
import { jsonContainsFunctionName } from './json-containment.ts';
import { messageIdDefault } from './message-id-default.ts';

export const sqliteDialect: Dialect = {
  table: (name) => name,
  maxParameters: 32766,
  nowEpochMs: "CAST(unixepoch('subsec') * 1000 AS INTEGER)",
  jsonType: 'TEXT',
  // Other processes learn of changes by polling (sqlite-notifier.ts).
  notifying: (statement) => statement,
  skipLocked: '',
  namedLockStatement: null,
  jsonContains: (column, placeholder) => `${jsonContainsFunctionName}(${column}, ${placeholder}) = 1`,
  jsonArrayRows: (placeholder, width) => {
    const columns = Array.from({ length: width }, (_, i) => `json_extract(x.value, '$[${i}]') AS column${i + 1}`);
    return `(SELECT ${columns.join(', ')} FROM json_each(${placeholder}) AS x)`;
  },
  // SQLITE_CONSTRAINT_PRIMARYKEY and SQLITE_CONSTRAINT_UNIQUE.
  isUniqueViolation: (error) => [1555, 2067].includes((error as { errcode?: number })?.errcode ?? 0),
  addedColumnNowDefault: '0',
  payloadTables: false,
  backendOnlySchema: (version) => (version === 6 ? messageIdDefault : []),
  codePointTextOrder: true,
  blocksEventLoop: true,
  checkpointStatement: 'PRAGMA wal_checkpoint(PASSIVE)',
};
