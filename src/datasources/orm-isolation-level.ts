/**
 * ORMs (knex, kysely, drizzle) name isolation levels in lower case ('serializable'); durably's
 * PGIsolationLevel and DBOS's node-pg data source in upper case ('SERIALIZABLE'). An ORM data source
 * accepts both, so code moves between data sources unchanged, and refuses anything else up front.
 */
import { DBOSConfigurationError } from '../errors/errors.ts';
import { PGIsolationLevel } from './postgres-transactions.ts';

export type LowercaseIsolationLevel = Lowercase<PGIsolationLevel>;

const levels = new Set<string>(Object.values(PGIsolationLevel).map((level) => level.toLowerCase()));

export function lowercaseIsolationLevel(level: string | undefined, dataSource: string): LowercaseIsolationLevel | undefined {
  if (level === undefined) return undefined;
  const lower = typeof level === 'string' ? level.toLowerCase() : level;
  if (!levels.has(lower)) {
    throw new DBOSConfigurationError(
      `Unknown isolationLevel ${JSON.stringify(level)} for ${dataSource}; use one of ${[...levels].map((l) => `"${l}"`).join(', ')}.`,
    );
  }
  return lower as LowercaseIsolationLevel;
}
