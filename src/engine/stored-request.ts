/**
 * The `request` column holds the HTTP request a workflow was started in (DBOS.request) as JSON text.
 * One reader for recovery and a dequeued start, so a resumed workflow sees the same DBOS.request.
 */
import type { HTTPRequest } from '../types/workflow-types.ts';

/** The stored request, or undefined when none was stored or the text is not a JSON object. */
export function parseStoredRequest(text: string | null | undefined): HTTPRequest | undefined {
  if (!text) return undefined;
  let request: unknown;
  try {
    request = JSON.parse(text);
  } catch {
    // Written by durably as JSON.stringify(object); other writers' text is not a request we can restore.
    return undefined;
  }
  return request !== null && typeof request === 'object' && !Array.isArray(request) ? (request as HTTPRequest) : undefined;
}
