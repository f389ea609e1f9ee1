/**
 * Reading requests and writing replies for the admin server, on node:http
 * alone. Bodies are JSON, capped in size, and only accepted with a JSON
 * content type: an HTML form (or a no-CORS fetch) cannot send one, so a page
 * on another site cannot drive the admin API through a visitor's browser.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import { DBOSAdminRequestError } from '../errors/errors.ts';

/** Largest request body accepted (bytes). */
export const maxBodyBytes = 1024 * 1024;

/** What a route handler answers; `undefined` from a handler means it wrote the response itself (a stream). */
export type Reply =
  | { status: number; json: unknown }
  | { status: number; text: string; contentType?: string }
  | { status: 204 };

export const noContent: Reply = { status: 204 };

export function json(value: unknown, status = 200): Reply {
  return { status, json: value };
}

export function badRequest(message: string, code = 'ADMIN_BAD_REQUEST'): DBOSAdminRequestError {
  return new DBOSAdminRequestError(400, code, message);
}

function isJsonContentType(header: string | undefined): boolean {
  if (!header) return false;
  const type = header.split(';')[0]!.trim().toLowerCase();
  return type === 'application/json' || /^application\/[\w.+-]+\+json$/.test(type);
}

/** The request's JSON body (`{}` when empty); 415 without a JSON content type, 413 past the size cap, 400 when malformed. */
export async function readJsonBody(request: IncomingMessage): Promise<unknown> {
  if (!isJsonContentType(request.headers['content-type'])) {
    throw new DBOSAdminRequestError(
      415,
      'ADMIN_UNSUPPORTED_MEDIA_TYPE',
      `POST requests need "Content-Type: application/json", got ${JSON.stringify(request.headers['content-type'] ?? null)}.`,
    );
  }
  const declared = Number(request.headers['content-length'] ?? 0);
  if (declared > maxBodyBytes) throw tooLarge();
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of request as AsyncIterable<Buffer>) {
    size += chunk.length;
    if (size > maxBodyBytes) throw tooLarge();
    chunks.push(chunk);
  }
  const text = Buffer.concat(chunks).toString('utf8');
  if (text.trim() === '') return {};
  try {
    return JSON.parse(text);
  } catch (error) {
    throw badRequest(`The request body is not valid JSON: ${(error as Error).message}.`, 'ADMIN_BAD_JSON');
  }
}

function tooLarge(): DBOSAdminRequestError {
  return new DBOSAdminRequestError(413, 'ADMIN_BODY_TOO_LARGE', `The request body exceeds ${maxBodyBytes} bytes.`);
}

/** The body as an object of named fields (400 for an array, a string, null). */
export function bodyObject(body: unknown): Record<string, unknown> {
  if (body === null || typeof body !== 'object' || Array.isArray(body)) {
    throw badRequest(`The request body must be a JSON object, got ${JSON.stringify(body)}.`);
  }
  return body as Record<string, unknown>;
}

export function writeReply(response: ServerResponse, reply: Reply, headers: Record<string, string>): void {
  if ('json' in reply) {
    const text = JSON.stringify(reply.json ?? null);
    response.writeHead(reply.status, { ...headers, 'Content-Type': 'application/json; charset=utf-8', 'Content-Length': Buffer.byteLength(text) });
    response.end(text);
  } else if ('text' in reply) {
    response.writeHead(reply.status, {
      ...headers,
      'Content-Type': reply.contentType ?? 'text/plain; charset=utf-8',
      'Content-Length': Buffer.byteLength(reply.text),
    });
    response.end(reply.text);
  } else {
    response.writeHead(reply.status, headers);
    response.end();
  }
}
