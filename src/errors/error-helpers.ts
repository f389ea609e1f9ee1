/**
 * DBOS's predicates on errors. A recorded error read back by DBOS itself loses its class, so DBOS matches by
 * name or code rather than `instanceof`; these do the same, so they also hold for an error read back from a
 * database that DBOS (or another program) wrote.
 */
import { dbosErrorCodes } from './dbos-error-codes.ts';
import { DBOSStreamTimeoutError } from './dbos-queue-stream-errors.ts';
import { DBOSWorkflowIDInUseError } from './dbos-workflow-errors.ts';

interface ErrorFields { name?: unknown; code?: unknown; dbosErrorCode?: unknown }

/** `error` is an `errorClass`, or a revived copy of one (same name, or durably's string code). */
function isErrorOfClass(error: unknown, errorClass: abstract new (...args: never[]) => Error, code: string): boolean {
  if (error instanceof errorClass) return true;
  if (typeof error !== 'object' || error === null) return false;
  const fields = error as ErrorFields;
  return fields.name === errorClass.name || fields.code === code;
}

/** The DBOS numeric code of `error`, or undefined for an error that has none. */
export function getDBOSErrorCode(error: Error): number | undefined {
  const code = (error as ErrorFields | null | undefined)?.dbosErrorCode;
  return typeof code === 'number' ? code : undefined;
}

/** True for a `DBOSDataValidationError` (DBOS code 9), also one read back from the database. */
export function isDataValidationError(error: Error): boolean {
  return getDBOSErrorCode(error) === dbosErrorCodes.dataValidation;
}

/** True for a stream timeout, also one replayed from the database. */
export function isStreamTimeoutError(error: unknown): boolean {
  return isErrorOfClass(error, DBOSStreamTimeoutError, 'STREAM_TIMEOUT');
}

/** True for a workflow-ID-in-use rejection, also one replayed from the database. */
export function isWorkflowIDInUseError(error: unknown): boolean {
  return isErrorOfClass(error, DBOSWorkflowIDInUseError, 'WORKFLOW_ID_IN_USE');
}
