/**
 * An error thrown by a route handler, as the reply the client gets: refused
 * requests and the caller's mistakes (a bad filter, an unknown workflow or
 * schedule, a taken ID) are 4xx with the message and a stable `code`;
 * anything else is a 500 whose details stay in the server's log.
 */
import {
  DBOSAdminRequestError,
  DBOSApplicationVersionNotFoundError,
  DBOSConfigurationError,
  DBOSConflictingWorkflowError,
  DBOSError,
  DBOSNonExistentWorkflowError,
  DBOSNotRegisteredError,
  DBOSQueueDuplicatedError,
  DBOSQueueNotFoundError,
  DBOSScheduleExistsError,
  DBOSScheduleNotFoundError,
} from '../errors/errors.ts';
import type { DLogger } from '../telemetry/logger.ts';
import { json, type Reply } from './http-io.ts';

const statusByClass: [new (...args: never[]) => DBOSError, number][] = [
  [DBOSConfigurationError, 400],
  [DBOSQueueNotFoundError, 400],
  [DBOSNonExistentWorkflowError, 404],
  [DBOSScheduleNotFoundError, 404],
  [DBOSApplicationVersionNotFoundError, 404],
  [DBOSConflictingWorkflowError, 409],
  [DBOSQueueDuplicatedError, 409],
  [DBOSScheduleExistsError, 409],
  [DBOSNotRegisteredError, 409],
];

export function errorReply(error: unknown, logger: DLogger, what: string): Reply {
  if (error instanceof DBOSAdminRequestError) return json({ error: error.message, code: error.code }, error.status);
  for (const [errorClass, status] of statusByClass) {
    if (error instanceof errorClass) return json({ error: error.message, code: (error as DBOSError).code }, status);
  }
  logger.error(`Admin server: ${what} failed: ${(error as Error)?.stack ?? String(error)}`);
  return json({ error: 'Internal server error', code: 'ADMIN_INTERNAL_ERROR' }, 500);
}
