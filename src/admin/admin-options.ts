/**
 * The admin server's options, checked once (at launch, or when the dashboard
 * is served without an app): where it listens, the token that guards it, and
 * which browser origins may call it. Listening beyond loopback without a
 * token is refused: the admin API can cancel and fork any workflow.
 */
import { isIP } from 'node:net';
import { DBOSAdminTokenRequiredError, DBOSConfigurationError } from '../errors/errors.ts';

export interface AdminServerOptions {
  /** 0 picks a free port (tests). */
  port: number;
  host: string;
  /** Required as `Authorization: Bearer <token>` when set. */
  token: string | undefined;
  /** Origins allowed to call the API from a browser; `*` for any. Empty: no CORS headers at all. */
  corsOrigins: readonly string[];
}

export interface AdminConfigInput {
  adminPort?: unknown;
  adminHost?: unknown;
  adminToken?: unknown;
  adminCorsOrigins?: unknown;
}

export const defaultAdminPort = 3001;
export const defaultAdminHost = '127.0.0.1';

/** Whether only this machine can reach an address. */
export function isLoopbackHost(host: string): boolean {
  const bare = host.replace(/^\[|\]$/g, '').toLowerCase();
  if (bare === 'localhost' || bare === '::1') return true;
  if (isIP(bare) === 4) return bare.startsWith('127.');
  return bare === '::ffff:127.0.0.1';
}

function port(value: unknown, what: string): number {
  if (value === undefined) return defaultAdminPort;
  if (typeof value !== 'number' || !Number.isInteger(value) || value < 0 || value > 65535) {
    throw new DBOSConfigurationError(`${what} "adminPort" must be an integer from 0 to 65535, got ${JSON.stringify(value)}.`);
  }
  return value;
}

function host(value: unknown, what: string): string {
  if (value === undefined) return defaultAdminHost;
  if (typeof value !== 'string' || value.trim() === '' || /\s/.test(value)) {
    throw new DBOSConfigurationError(`${what} "adminHost" must be a host name or IP address, got ${JSON.stringify(value)}.`);
  }
  return value;
}

function token(value: unknown, what: string): string | undefined {
  if (value === undefined) return undefined;
  if (typeof value !== 'string' || value.length < 16 || /\s/.test(value)) {
    throw new DBOSConfigurationError(
      `${what} "adminToken" must be a string of at least 16 characters without spaces, got ${typeof value === 'string' ? `${value.length} characters` : JSON.stringify(value)}.`,
    );
  }
  return value;
}

function corsOrigins(value: unknown, what: string): string[] {
  if (value === undefined) return [];
  const list = Array.isArray(value) ? value : [value];
  for (const origin of list) {
    if (typeof origin !== 'string' || (origin !== '*' && !/^https?:\/\/[^/\s]+$/.test(origin))) {
      throw new DBOSConfigurationError(
        `${what} "adminCorsOrigins" must hold origins such as "https://ops.example.com" (scheme and host, no path) or "*", got ${JSON.stringify(origin)}.`,
      );
    }
  }
  return list as string[];
}

/**
 * Validated admin options; `what` names the caller in errors (a config option, a CLI flag). The token rule
 * applies only to a server that will run (`serving`), so a config that keeps it off is not refused for it.
 */
export function resolveAdminOptions(input: AdminConfigInput, what = 'Config option', serving = true): AdminServerOptions {
  const options = {
    port: port(input.adminPort, what),
    host: host(input.adminHost, what),
    token: token(input.adminToken, what),
    corsOrigins: corsOrigins(input.adminCorsOrigins, what),
  };
  if (serving && !options.token && !isLoopbackHost(options.host)) throw new DBOSAdminTokenRequiredError(options.host);
  return options;
}
