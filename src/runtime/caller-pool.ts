/**
 * `systemDatabasePool`: a pg.Pool the caller made and owns. Recognised by
 * shape (a Pool from another copy of pg fails `instanceof`). Its connection
 * settings give the URL that names the database in messages (without the
 * password) and the LISTEN client's settings.
 */
import type { Pool } from 'pg';
import { DBOSConfigurationError } from '../errors/errors.ts';

export interface CallerPool {
  pool: Pool;
  /** `postgresql://user@host:port/database`, from the pool's settings (password left out). */
  url: string;
  /** The pool's `max` (pg's default 10). */
  size: number;
}

interface PoolSettings {
  connectionString?: string;
  user?: string;
  host?: string;
  port?: number | string;
  database?: string;
  max?: number;
}

export function callerPool(value: unknown): CallerPool | undefined {
  if (value === undefined) return undefined;
  const candidate = value as { connect?: unknown; query?: unknown; on?: unknown; options?: unknown } | null;
  if (
    typeof candidate?.connect !== 'function' ||
    typeof candidate.query !== 'function' ||
    typeof candidate.on !== 'function' ||
    typeof candidate.options !== 'object'
  ) {
    throw new DBOSConfigurationError(`Config option "systemDatabasePool" must be a pg.Pool, got ${describe(value)}.`);
  }
  const settings = candidate.options as PoolSettings;
  const size = settings.max ?? 10;
  if (!Number.isInteger(size) || size < 2) {
    throw new DBOSConfigurationError(
      `systemDatabasePool must allow at least 2 connections (its max is ${size}): durably holds one while it waits for another.`,
    );
  }
  return { pool: value as Pool, url: settingsUrl(settings), size };
}

function settingsUrl(settings: PoolSettings): string {
  if (settings.connectionString) {
    // An unparseable one is reported (password redacted) when the URL is checked.
    if (!URL.canParse(settings.connectionString)) return settings.connectionString;
    const url = new URL(settings.connectionString);
    url.password = '';
    return url.toString();
  }
  const user = settings.user ?? process.env.PGUSER ?? process.env.USER ?? 'postgres';
  const host = settings.host ?? process.env.PGHOST ?? 'localhost';
  const port = settings.port ?? process.env.PGPORT ?? 5432;
  const database = settings.database ?? process.env.PGDATABASE ?? user;
  return `postgresql://${encodeURIComponent(user)}@${host}:${port}/${encodeURIComponent(database)}`;
}

function describe(value: unknown): string {
  if (value === null) return 'null';
  if (typeof value !== 'object') return JSON.stringify(value) ?? typeof value;
  return `an object without pg.Pool's methods (${value.constructor?.name ?? 'Object'})`;
}
