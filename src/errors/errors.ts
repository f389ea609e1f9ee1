/**
 * Every error durably throws on purpose. Each class has a stable string `code`
 * (for programs) and the DBOS-compatible numeric `dbosErrorCode` (so code written
 * against the DBOS SDK keeps matching). Messages name the problem, the value found
 * and the remedy; a driver's error rides on `cause`.
 *
 * Errors recorded in the system database lose their class when read back in
 * another process; durably revives its own classes by `name` (see
 * engine/error-serialization.ts), so `instanceof` works for these.
 */

export class DBOSError extends Error {
  readonly code: string;
  readonly dbosErrorCode: number;
  constructor(message: string, code = 'DBOS_ERROR', dbosErrorCode = 1, options?: { cause?: unknown }) {
    super(message, options?.cause === undefined ? undefined : { cause: options.cause });
    this.name = new.target.name;
    this.code = code;
    this.dbosErrorCode = dbosErrorCode;
  }
}

/** Invalid configuration: a bad URL, an unknown option value, a missing name. */
export class DBOSConfigurationError extends DBOSError {
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, 'CONFIGURATION_INVALID', 3, options);
  }
}

/** Launch failed: database unreachable, migrations failed, schema newer than the code. */
export class DBOSInitializationError extends DBOSError {
  constructor(message: string, options?: { cause?: unknown }, code = 'INITIALIZATION_FAILED') {
    super(message, code, 3, options);
  }
}

export class DBOSDatabaseUnreachableError extends DBOSInitializationError {
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options, 'DATABASE_UNREACHABLE');
  }
}

export class DBOSSchemaVersionError extends DBOSInitializationError {
  readonly databaseVersion: number;
  readonly codeVersion: number;
  constructor(databaseVersion: number, codeVersion: number) {
    super(
      `The system database schema is at version ${databaseVersion}, but this version of durably only knows ` +
        `versions up to ${codeVersion}. A newer durably has migrated this database: upgrade durably in this ` +
        `application, or point it at another system database.`,
      undefined,
      'SCHEMA_NEWER_THAN_CODE',
    );
    this.databaseVersion = databaseVersion;
    this.codeVersion = codeVersion;
  }
}

/** A durable function was used before `DBOS.launch()` (or after `DBOS.shutdown()`). */
export class DBOSNotLaunchedError extends DBOSError {
  constructor(what: string) {
    super(`${what} needs a launched runtime: call \`await DBOS.launch()\` first.`, 'NOT_LAUNCHED', 20);
  }
}

export class DBOSWorkflowConflictError extends DBOSError {
  readonly workflowID: string;
  constructor(workflowID: string, detail = 'another execution of this workflow already recorded this step') {
    super(`Workflow ${workflowID}: ${detail}.`, 'WORKFLOW_CONFLICT', 5);
    this.workflowID = workflowID;
  }
}

export class DBOSNotRegisteredError extends DBOSError {
  readonly functionName: string;
  constructor(functionName: string, message?: string) {
    super(
      message ??
        `No workflow or step named "${functionName}" is registered. Register it with DBOS.registerWorkflow, ` +
          `DBOS.registerStep or a decorator before calling DBOS.launch().`,
      'NOT_REGISTERED',
      6,
    );
    this.functionName = functionName;
  }
}

export class DBOSNonExistentWorkflowError extends DBOSError {
  readonly workflowID: string;
  constructor(workflowID: string, message?: string) {
    super(message ?? `Workflow ${workflowID} does not exist.`, 'WORKFLOW_NOT_FOUND', 16);
    this.workflowID = workflowID;
  }
}

export class DBOSMaxRecoveryAttemptsExceededError extends DBOSError {
  readonly workflowID: string;
  readonly maxRecoveryAttempts: number;
  constructor(workflowID: string, maxRecoveryAttempts: number) {
    super(
      `Workflow ${workflowID} was recovered more than ${maxRecoveryAttempts} times and is now ` +
        `MAX_RECOVERY_ATTEMPTS_EXCEEDED; it will not run again unless resumed.`,
      'MAX_RECOVERY_ATTEMPTS_EXCEEDED',
      18,
    );
    this.workflowID = workflowID;
    this.maxRecoveryAttempts = maxRecoveryAttempts;
  }
}

/** An operation was called where it is not allowed (a workflow started from inside a step, say). */
export class DBOSInvalidWorkflowTransitionError extends DBOSError {
  constructor(message: string) {
    super(message, 'INVALID_CONTEXT', 21);
  }
}

/** A workflow ID was reused for a different function. */
export class DBOSConflictingWorkflowError extends DBOSError {
  readonly workflowID: string;
  constructor(workflowID: string, message: string) {
    super(message, 'WORKFLOW_ID_CONFLICT', 22);
    this.workflowID = workflowID;
  }
}

export class DBOSMaxStepRetriesError extends DBOSError {
  readonly stepName: string;
  readonly maxAttempts: number;
  readonly errors: Error[];
  constructor(stepName: string, maxAttempts: number, errors: Error[]) {
    const last = errors.at(-1);
    super(
      `Step "${stepName}" failed after ${maxAttempts} attempts` +
        (last ? `; last error: ${last.name}: ${last.message}` : '') +
        '. Every attempt\'s error is in `errors`.',
      'STEP_RETRIES_EXHAUSTED',
      23,
    );
    this.stepName = stepName;
    this.maxAttempts = maxAttempts;
    this.errors = errors;
  }
}

export class DBOSWorkflowCancelledError extends DBOSError {
  readonly workflowID: string;
  constructor(workflowID: string) {
    super(`Workflow ${workflowID} was cancelled.`, 'WORKFLOW_CANCELLED', 24);
    this.workflowID = workflowID;
  }
}

/** Duplicate registration, or registration after launch. */
export class DBOSConflictingRegistrationError extends DBOSError {
  constructor(message: string) {
    super(message, 'REGISTRATION_CONFLICT', 25);
  }
}

/** Replay called a different operation at a recorded position: the workflow code is not deterministic. */
export class DBOSUnexpectedStepError extends DBOSError {
  readonly workflowID: string;
  readonly stepID: number;
  readonly expectedName: string;
  readonly recordedName: string;
  constructor(workflowID: string, stepID: number, expectedName: string, recordedName: string) {
    super(
      `Workflow ${workflowID} is not deterministic: on replay, operation #${stepID} is "${expectedName}", ` +
        `but the recorded run called "${recordedName}" there. Workflow code must call the same steps in the ` +
        `same order on every run; put non-deterministic work inside steps.`,
      'NON_DETERMINISTIC_WORKFLOW',
      26,
    );
    this.workflowID = workflowID;
    this.stepID = stepID;
    this.expectedName = expectedName;
    this.recordedName = recordedName;
  }
}

export class DBOSAwaitedWorkflowCancelledError extends DBOSError {
  readonly workflowID: string;
  constructor(workflowID: string) {
    super(`The awaited workflow ${workflowID} was cancelled.`, 'AWAITED_WORKFLOW_CANCELLED', 27);
    this.workflowID = workflowID;
  }
}

export class DBOSAwaitedWorkflowExceededMaxRecoveryAttempts extends DBOSError {
  readonly workflowID: string;
  constructor(workflowID: string) {
    super(
      `The awaited workflow ${workflowID} exceeded its maximum recovery attempts and will not run again.`,
      'AWAITED_WORKFLOW_MAX_RECOVERY_ATTEMPTS_EXCEEDED',
      30,
    );
    this.workflowID = workflowID;
  }
}

export class DBOSStepTimeoutError extends DBOSError {
  readonly stepName: string;
  readonly timeoutMS: number;
  constructor(stepName: string, timeoutMS: number) {
    super(`Step "${stepName}" timed out after ${timeoutMS} ms.`, 'STEP_TIMEOUT', 31);
    this.stepName = stepName;
    this.timeoutMS = timeoutMS;
  }
}

/** Enqueueing a deduplication ID that an ENQUEUED or PENDING workflow of that queue still holds. */
export class DBOSQueueDuplicatedError extends DBOSError {
  readonly workflowID: string;
  readonly queueName: string;
  readonly deduplicationID: string;
  constructor(workflowID: string, queueName: string, deduplicationID: string) {
    super(
      `Workflow ${workflowID} was not enqueued: deduplication ID "${deduplicationID}" is already held by an ` +
        `enqueued or running workflow of queue "${queueName}". It can be reused once that workflow ends.`,
      'QUEUE_DEDUPLICATED',
      28,
    );
    this.workflowID = workflowID;
    this.queueName = queueName;
    this.deduplicationID = deduplicationID;
  }
}

export class DBOSInvalidQueuePriorityError extends DBOSError {
  readonly priority: unknown;
  constructor(priority: unknown, detail: string) {
    super(`Invalid queue priority ${JSON.stringify(priority)}: ${detail}`, 'QUEUE_PRIORITY_INVALID', 29);
    this.priority = priority;
  }
}

/** A queue name no WorkflowQueue or DBOS.registerQueue defined. */
export class DBOSQueueNotFoundError extends DBOSError {
  readonly queueName: string;
  constructor(queueName: string) {
    super(
      `No queue named "${queueName}": declare it with new WorkflowQueue("${queueName}", ...) before launch, ` +
        'or register it with DBOS.registerQueue.',
      'QUEUE_NOT_FOUND',
      1,
    );
    this.queueName = queueName;
  }
}

/** No value arrived on a stream within its timeout, or the stream ended before the requested offset. */
export class DBOSStreamTimeoutError extends DBOSError {
  readonly workflowID: string;
  readonly key: string;
  readonly timeoutMS?: number;
  constructor(workflowID: string, key: string, timeoutMS?: number, detail?: string) {
    super(
      detail ?? `No value arrived on stream "${key}" of workflow ${workflowID} within ${timeoutMS} ms.`,
      'STREAM_TIMEOUT',
      33,
    );
    this.workflowID = workflowID;
    this.key = key;
    if (timeoutMS !== undefined) this.timeoutMS = timeoutMS;
  }
}

/** True for a stream timeout, also one replayed from the database. */
export function isStreamTimeoutError(error: unknown): boolean {
  return error instanceof DBOSStreamTimeoutError || (error as { code?: unknown } | null)?.code === 'STREAM_TIMEOUT';
}

/** A dynamic schedule name no DBOS.createSchedule (or applySchedules) defined. */
export class DBOSScheduleNotFoundError extends DBOSError {
  readonly scheduleName: string;
  constructor(scheduleName: string, what: string) {
    super(`${what}: no schedule named "${scheduleName}"; create it with DBOS.createSchedule.`, 'SCHEDULE_NOT_FOUND', 1);
    this.scheduleName = scheduleName;
  }
}

/** DBOS.createSchedule with a name already taken (by this or another application). Nothing was written. */
export class DBOSScheduleExistsError extends DBOSError {
  readonly scheduleName: string;
  constructor(scheduleName: string) {
    super(
      `A schedule named "${scheduleName}" already exists; delete it first, change it with DBOS.updateSchedule, ` +
        'or define schedules declaratively with DBOS.applySchedules.',
      'SCHEDULE_EXISTS',
      1,
    );
    this.scheduleName = scheduleName;
  }
}

/** An application version never registered in this system database. */
export class DBOSApplicationVersionNotFoundError extends DBOSError {
  readonly versionName: string;
  constructor(versionName: string) {
    super(
      `No application version "${versionName}" is registered; versions are registered when a process launches with them.`,
      'APPLICATION_VERSION_NOT_FOUND',
      1,
    );
    this.versionName = versionName;
  }
}

/** A value (an argument, a result, an error field) cannot be stored. Nothing was written. */
export class DBOSSerializationError extends DBOSError {
  readonly path: string;
  constructor(what: string, path: string, problem: string) {
    super(
      `Cannot store ${what}: ${problem} at ${path}. Durable values must be data (JSON plus Date, BigInt, Map, ` +
        `Set, RegExp, Error, undefined); nothing was written.`,
      'VALUE_NOT_SERIALIZABLE',
      32,
    );
    this.path = path;
  }
}

/** A database operation failed after retries, or the runtime was shut down under it. */
export class DBOSDatabaseError extends DBOSError {
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, 'DATABASE_ERROR', 1, options);
  }
}

/** Every durably error class, by name, so recorded errors can be revived with their class. */
export const durablyErrorClasses: Record<string, new (...args: never[]) => DBOSError> = {
  DBOSError,
  DBOSConfigurationError,
  DBOSInitializationError,
  DBOSDatabaseUnreachableError,
  DBOSSchemaVersionError,
  DBOSNotLaunchedError,
  DBOSWorkflowConflictError,
  DBOSNotRegisteredError,
  DBOSNonExistentWorkflowError,
  DBOSMaxRecoveryAttemptsExceededError,
  DBOSInvalidWorkflowTransitionError,
  DBOSConflictingWorkflowError,
  DBOSMaxStepRetriesError,
  DBOSWorkflowCancelledError,
  DBOSConflictingRegistrationError,
  DBOSUnexpectedStepError,
  DBOSAwaitedWorkflowCancelledError,
  DBOSAwaitedWorkflowExceededMaxRecoveryAttempts,
  DBOSStepTimeoutError,
  DBOSSerializationError,
  DBOSDatabaseError,
  DBOSQueueDuplicatedError,
  DBOSInvalidQueuePriorityError,
  DBOSQueueNotFoundError,
  DBOSStreamTimeoutError,
  DBOSScheduleNotFoundError,
  DBOSScheduleExistsError,
  DBOSApplicationVersionNotFoundError,
};
