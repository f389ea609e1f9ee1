/**
 * Errors of the admin server (admin/): a request it refuses (with the HTTP status it answers, and a stable
 * code in the JSON body), and a configuration that would expose it unprotected.
 */
import { dbosErrorCodes as codes } from './dbos-error-codes.ts';
import { DBOSError } from './dbos-error.ts';

/** A request the admin server refuses; `status` is the HTTP status of the answer (4xx). */
export class DBOSAdminRequestError extends DBOSError {
  readonly status: number;
  constructor(status: number, code: string, message: string) {
    super(message, codes.error, { code });
    this.status = status;
  }
}

/** The admin server was asked to listen beyond this machine without a token to guard it. */
export class DBOSAdminTokenRequiredError extends DBOSError {
  readonly host: string;
  constructor(host: string) {
    super(
      `The admin server would listen on "${host}", which other machines can reach, without a token: set ` +
        '"adminToken" (clients send it as "Authorization: Bearer <token>"), or keep "adminHost" on a loopback ' +
        'address such as 127.0.0.1.',
      codes.initialization,
      { code: 'ADMIN_TOKEN_REQUIRED' },
    );
    this.host = host;
  }
}
