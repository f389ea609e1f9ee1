/**
 * The admin server's route table: method + path pattern (`/workflows/:id`)
 * → handler. Path parameters are percent-decoded and checked (a malformed
 * escape, an empty or oversized value is a 400); a known path with another
 * method is a 405 naming the allowed ones; anything else is a 404.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import { DBOSAdminRequestError } from '../errors/errors.ts';
import type { Reply } from './http-io.ts';

export interface AdminRequest {
  readonly raw: IncomingMessage;
  readonly response: ServerResponse;
  readonly url: URL;
  readonly params: Readonly<Record<string, string>>;
  /** The parsed JSON body of a POST (already read and checked). */
  readonly body: unknown;
  /** Headers every reply to this request carries (CORS), for handlers that write their own. */
  readonly replyHeaders: Readonly<Record<string, string>>;
}

export type Handler = (request: AdminRequest) => Promise<Reply | undefined> | Reply | undefined;

export interface Route {
  method: 'GET' | 'POST';
  path: string;
  handler: Handler;
}

/** Longest path parameter accepted (a workflow ID, a schedule or version name). */
const maxParamLength = 1024;

function decodeParam(name: string, raw: string): string {
  let value: string;
  try {
    value = decodeURIComponent(raw);
  } catch {
    throw new DBOSAdminRequestError(400, 'ADMIN_BAD_PATH', `The ${name} in the path is not valid percent-encoding: "${raw}".`);
  }
  if (value === '' || value.length > maxParamLength || /[\u0000-\u001f]/.test(value)) {
    throw new DBOSAdminRequestError(400, 'ADMIN_BAD_PATH', `The ${name} in the path must be 1 to ${maxParamLength} printable characters.`);
  }
  return value;
}

function match(pattern: string, path: string): Record<string, string> | null {
  const want = pattern.split('/');
  const have = path.split('/');
  if (want.length !== have.length) return null;
  const params: Record<string, string> = {};
  for (let i = 0; i < want.length; i++) {
    const part = want[i]!;
    if (part.startsWith(':')) params[part.slice(1)] = have[i]!;
    else if (part !== have[i]) return null;
  }
  return params;
}

export interface RouteMatch {
  route: Route;
  params: Record<string, string>;
}

/** The route for this method and path; throws 404 or 405 when there is none. */
export function findRoute(routes: readonly Route[], method: string, path: string): RouteMatch {
  const allowed = new Set<string>();
  for (const route of routes) {
    const raw = match(route.path, path);
    if (!raw) continue;
    if (route.method !== method) {
      allowed.add(route.method);
      continue;
    }
    const params: Record<string, string> = {};
    for (const [name, value] of Object.entries(raw)) params[name] = decodeParam(name, value);
    return { route, params };
  }
  if (allowed.size > 0) {
    throw new DBOSAdminRequestError(405, 'ADMIN_METHOD_NOT_ALLOWED', `${method} ${path} is not allowed; use ${[...allowed].join(' or ')}.`);
  }
  throw new DBOSAdminRequestError(404, 'ADMIN_NOT_FOUND', `No admin route ${method} ${path}.`);
}
