/**
 * The base of every error durably throws, with DBOS's constructor: `new DBOSError(message, dbosErrorCode = 1)`.
 *
 * durably adds a stable string `code` (for programs) and a `cause`; they come in an options object after
 * DBOS's parameters, so code written for DBOS (`new DBOSError('bad input', 400)`) means the same here.
 */
import { dbosErrorCodes } from './dbos-error-codes.ts';

/** durably's extras, passed after DBOS's own constructor parameters. */
export interface DurablyErrorOptions {
  /** Stable string code; defaults to `DBOS_ERROR`. */
  code?: string;
  cause?: unknown;
}

export class DBOSError extends Error {
  readonly code: string;
  readonly dbosErrorCode: number;
  constructor(message: string, dbosErrorCode: number = dbosErrorCodes.error, options?: DurablyErrorOptions) {
    super(message, options?.cause === undefined ? undefined : { cause: options.cause });
    this.name = new.target.name;
    this.code = options?.code ?? 'DBOS_ERROR';
    this.dbosErrorCode = dbosErrorCode;
  }
}
