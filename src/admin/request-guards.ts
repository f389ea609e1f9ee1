/**
 * Who may talk to the admin server, checked before any route runs:
 * - the bearer token, when one is configured (compared in constant time);
 * - on a loopback address without a token, the Host header must name this
 *   machine, so a web page cannot reach the server by DNS rebinding;
 * - a browser request from another site is refused unless its origin is in
 *   `adminCorsOrigins` (Sec-Fetch-Site / Origin), so a page a developer
 *   visits cannot cancel their workflows.
 * CORS headers are sent only to the configured origins.
 */
import { createHash, timingSafeEqual } from 'node:crypto';
import type { IncomingMessage } from 'node:http';
import { DBOSAdminRequestError } from '../errors/errors.ts';
import { isLoopbackHost, type AdminServerOptions } from './admin-options.ts';

function digest(text: string): Buffer {
  return createHash('sha256').update(text).digest();
}

export function checkToken(request: IncomingMessage, token: string | undefined): void {
  if (!token) return;
  const header = request.headers.authorization ?? '';
  const presented = /^Bearer\s+(\S+)$/i.exec(header)?.[1];
  if (presented === undefined || !timingSafeEqual(digest(presented), digest(token))) {
    throw new DBOSAdminRequestError(
      401,
      'ADMIN_UNAUTHORIZED',
      presented === undefined ? 'This admin server needs "Authorization: Bearer <token>".' : 'The admin token is not valid.',
    );
  }
}

function hostName(hostHeader: string): string {
  if (hostHeader.startsWith('[')) return hostHeader.slice(0, hostHeader.indexOf(']') + 1);
  return hostHeader.split(':')[0]!;
}

export function checkHost(request: IncomingMessage, options: AdminServerOptions): void {
  if (options.token || !isLoopbackHost(options.host)) return;
  const host = request.headers.host;
  if (host !== undefined && !isLoopbackHost(hostName(host))) {
    throw new DBOSAdminRequestError(403, 'ADMIN_HOST_REJECTED', `This admin server answers only to loopback host names, not "${host}".`);
  }
}

/** The request's Origin if CORS allows it, else undefined. */
export function allowedOrigin(request: IncomingMessage, options: AdminServerOptions): string | undefined {
  const origin = request.headers.origin;
  if (!origin || options.corsOrigins.length === 0) return undefined;
  return options.corsOrigins.includes('*') || options.corsOrigins.includes(origin) ? origin : undefined;
}

export function checkSameSite(request: IncomingMessage, options: AdminServerOptions): void {
  const site = request.headers['sec-fetch-site'];
  const crossSite = site === 'cross-site' || site === 'same-site';
  if (crossSite && !allowedOrigin(request, options)) {
    throw new DBOSAdminRequestError(
      403,
      'ADMIN_CROSS_SITE',
      `Requests from other sites (${request.headers.origin ?? 'unknown origin'}) are refused; list the origin in "adminCorsOrigins" to allow it.`,
    );
  }
}

export function corsHeaders(request: IncomingMessage, options: AdminServerOptions): Record<string, string> {
  const origin = allowedOrigin(request, options);
  if (!origin) return {};
  return {
    'Access-Control-Allow-Origin': origin,
    'Access-Control-Allow-Methods': 'GET, POST, OPTIONS',
    'Access-Control-Allow-Headers': 'Content-Type, Authorization',
    'Access-Control-Max-Age': '86400',
    Vary: 'Origin',
  };
}
