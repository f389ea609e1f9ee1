/**
 * DBOS error classes that DBOS itself no longer throws, kept (with their numeric codes) so code written
 * against them still compiles and matches: input validation, role checks, config typing, operation loading.
 */
import { dbosErrorCodes as codes } from './dbos-error-codes.ts';
import { DBOSError } from './dbos-error.ts';

/** Invalid input; match it with `isDataValidationError`. */
export class DBOSDataValidationError extends DBOSError {
  constructor(message: string) {
    super(message, codes.dataValidation, { code: 'DATA_VALIDATION' });
  }
}

/** The caller holds none of the required roles; `status` is the HTTP status to answer with. */
export class DBOSNotAuthorizedError extends DBOSError {
  readonly status: number;
  constructor(message: string, status = 403) {
    super(message, codes.notAuthorized, { code: 'NOT_AUTHORIZED' });
    this.status = status;
  }
}

/** An error meant for an HTTP client: durably's framework adapters answer it with `status` and a JSON body. */
export class DBOSResponseError extends DBOSError {
  readonly status: number;
  constructor(message: string, status = 500) {
    super(message, codes.error, { code: 'RESPONSE_ERROR' });
    this.status = status;
  }
}

/** A configuration key holds a value of the wrong type. */
export class DBOSConfigKeyTypeError extends DBOSError {
  readonly configKey: string;
  readonly expectedType: string;
  readonly actualType: string;
  constructor(configKey: string, expectedType: string, actualType: string) {
    super(`${configKey} should be of type ${expectedType}, but got ${actualType}.`, codes.configKeyType, {
      code: 'CONFIG_KEY_TYPE',
    });
    this.configKey = configKey;
    this.expectedType = expectedType;
    this.actualType = actualType;
  }
}

export class DBOSFailLoadOperationsError extends DBOSError {
  constructor(message: string) {
    super(message, codes.failLoadOperations, { code: 'FAIL_LOAD_OPERATIONS' });
  }
}
