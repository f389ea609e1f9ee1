/** Reading a Postgres URL: pool settings, and a form safe to print (no password). */
import type { PoolConfig } from 'pg';
import { DBOSConfigurationError } from '../../errors/errors.ts';

export function redactUrl(url: string): string {
  try {
    const parsed = new URL(url);
    if (parsed.password) parsed.password = '***';
    return parsed.toString();
  } catch {
    // Still show what was given, so the mistake can be seen: only the password part is hidden.
    return url.replace(/^([a-z][\w+.-]*:\/\/[^:/?#@]*):.*@/i, '$1:***@');
  }
}

export function parsePostgresUrl(url: string): { databaseName: string; connectTimeoutMs: number } {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch (error) {
    throw new DBOSConfigurationError(`The system database URL "${redactUrl(url)}" is not a valid URL.`, { cause: error });
  }
  const databaseName = decodeURIComponent(parsed.pathname.replace(/^\//, ''));
  if (!parsed.hostname) {
    throw new DBOSConfigurationError(`The system database URL "${redactUrl(url)}" names no host.`);
  }
  if (!databaseName) {
    throw new DBOSConfigurationError(
      `The system database URL "${redactUrl(url)}" names no database: add one, as in postgresql://user@host:5432/app_dbos_sys.`,
    );
  }
  const timeoutSeconds = Number(parsed.searchParams.get('connect_timeout') ?? '10');
  return { databaseName, connectTimeoutMs: (Number.isFinite(timeoutSeconds) && timeoutSeconds > 0 ? timeoutSeconds : 10) * 1000 };
}

/** The same server, another database (to create the system database from the maintenance database). */
export function withDatabase(url: string, databaseName: string): string {
  const parsed = new URL(url);
  parsed.pathname = `/${encodeURIComponent(databaseName)}`;
  return parsed.toString();
}

/**
 * Connecting is bounded by the URL's connect_timeout, and never longer than the outage timeout
 * (a server that accepts but does not answer would otherwise hold each retry that long).
 */
export function poolConfig(url: string, max: number, outageTimeoutMs = Number.POSITIVE_INFINITY): PoolConfig {
  const { connectTimeoutMs } = parsePostgresUrl(url);
  return { connectionString: url, max, connectionTimeoutMillis: Math.min(connectTimeoutMs, outageTimeoutMs), idleTimeoutMillis: 30_000 };
}
