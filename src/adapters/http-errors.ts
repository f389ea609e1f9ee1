/**
 * Durably's errors as HTTP responses, the same in every framework: a DBOSError
 * (or any error with a numeric `status`) becomes `{ message, dbos_error_code,
 * dbos_error }` JSON with a status; anything else is left to the framework.
 * Bodies never carry a stack.
 */
import {
  DBOSConflictingWorkflowError,
  DBOSDataValidationError,
  DBOSError,
  DBOSNonExistentWorkflowError,
} from '../errors/errors.ts';

export interface ErrorResponseBody {
  message: string;
  dbos_error_code: number;
  dbos_error: string;
}

export interface ErrorResponse {
  status: number;
  body: ErrorResponseBody;
}

function explicitStatus(error: object): number | undefined {
  const status = (error as { status?: unknown }).status;
  return typeof status === 'number' && Number.isInteger(status) && status >= 400 && status <= 599 ? status : undefined;
}

function statusFor(error: Error): number | undefined {
  const status = explicitStatus(error);
  if (status !== undefined) return status;
  if (error instanceof DBOSNonExistentWorkflowError) return 404;
  if (error instanceof DBOSConflictingWorkflowError) return 409;
  if (error instanceof DBOSDataValidationError) return 400;
  if (error instanceof DBOSError) return 500;
  return undefined;
}

/** The response for `error`, or undefined when it is not durably's to answer (the framework handles it). */
export function errorResponse(error: unknown): ErrorResponse | undefined {
  if (!(error instanceof Error)) return undefined;
  const status = statusFor(error);
  if (status === undefined) return undefined;
  const code = error instanceof DBOSError ? error.dbosErrorCode : status;
  return { status, body: { message: exposedMessage(error, status), dbos_error_code: code, dbos_error: error.name || error.constructor.name } };
}

/**
 * The http-errors convention (Express's and Koa's `createError`, `ctx.throw`): `expose: false`, the default for
 * 5xx, marks a message not meant for clients; it gets the status's generic text instead.
 */
function exposedMessage(error: Error, status: number): string {
  if ((error as { expose?: unknown }).expose !== false) return error.message;
  return status >= 500 ? 'Internal Server Error' : 'Request failed';
}
