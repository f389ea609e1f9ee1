/**
 * DBOS's error classes about launching, registering and running workflows and steps, with DBOS's constructor
 * parameters and numeric codes. Each also carries durably's stable string `code`; where durably needs more
 * (a cause, another message), it comes in an options object after DBOS's parameters.
 */
import { dbosErrorCodes as codes } from './dbos-error-codes.ts';
import { DBOSError, type DurablyErrorOptions } from './dbos-error.ts';

/** Launch failed: database unreachable, migrations failed, schema newer than the code, no application version. */
export class DBOSInitializationError extends DBOSError {
  declare readonly error?: Error;
  constructor(message: string, error?: Error, options?: DurablyErrorOptions) {
    super(message, codes.initialization, { code: 'INITIALIZATION_FAILED', cause: error, ...options });
    if (error !== undefined) this.error = error;
  }
}

/** The runtime was used before it was launched. */
export class DBOSExecutorNotInitializedError extends DBOSError {
  /** DBOS takes no arguments; durably's subclasses pass a more precise message and code. */
  constructor(options?: { message?: string; code?: string }) {
    super(
      options?.message ?? 'The DBOS runtime is not launched: call `await DBOS.launch()` first.',
      codes.executorNotInitialized,
      { code: options?.code ?? 'EXECUTOR_NOT_INITIALIZED' },
    );
  }
}

/** An execution no longer owns its workflow (another one recorded this step first), so it stands down. */
export class DBOSWorkflowConflictError extends DBOSError {
  readonly workflowID: string;
  constructor(workflowID: string, detail = 'another execution of this workflow already recorded this step') {
    super(`Workflow ${workflowID}: ${detail}.`, codes.workflowConflict, { code: 'WORKFLOW_CONFLICT' });
    this.workflowID = workflowID;
  }
}

export class DBOSNotRegisteredError extends DBOSError {
  readonly functionName: string;
  constructor(name: string, fullmsg?: string) {
    super(
      fullmsg ??
        `No workflow or step named "${name}" is registered. Register it with DBOS.registerWorkflow, ` +
          `DBOS.registerStep or a decorator before calling DBOS.launch().`,
      codes.notRegistered,
      { code: 'NOT_REGISTERED' },
    );
    this.functionName = name;
  }
}

/** A workflow that does not exist was named (a send, a fork, a stream read). */
export class DBOSNonExistentWorkflowError extends DBOSError {
  declare readonly workflowID?: string;
  /** DBOS takes the message alone; durably names the workflow in `options.workflowID` too. */
  constructor(message: string, options?: { workflowID?: string }) {
    super(message, codes.nonExistentWorkflow, { code: 'WORKFLOW_NOT_FOUND' });
    if (options?.workflowID !== undefined) this.workflowID = options.workflowID;
  }
}

export class DBOSMaxRecoveryAttemptsExceededError extends DBOSError {
  readonly workflowID: string;
  declare readonly maxRecoveryAttempts?: number;
  constructor(workflowID: string, maxRetries?: number) {
    super(
      // DBOS's wording (its tests match on it), then durably's remedy.
      `Workflow ${workflowID} has exceeded its maximum ${maxRetries === undefined ? 'number of' : `of ${maxRetries}`} ` +
        'execution or recovery attempts. Further attempts to execute or recover it will fail. It is now ' +
        'MAX_RECOVERY_ATTEMPTS_EXCEEDED and runs again only if resumed.',
      codes.maxRecoveryAttemptsExceeded,
      { code: 'MAX_RECOVERY_ATTEMPTS_EXCEEDED' },
    );
    this.workflowID = workflowID;
    if (maxRetries !== undefined) this.maxRecoveryAttempts = maxRetries;
  }
}

/** An operation was called where it is not allowed (a workflow started from inside a step, say). */
export class DBOSInvalidWorkflowTransitionError extends DBOSError {
  constructor(message = 'This operation is not allowed here: it was called from the wrong kind of context.') {
    super(message, codes.invalidWorkflowTransition, { code: 'INVALID_CONTEXT' });
  }
}

/** A workflow ID was reused for a different function. */
export class DBOSConflictingWorkflowError extends DBOSError {
  readonly workflowID: string;
  constructor(workflowID: string, message: string) {
    super(message, codes.conflictingWorkflow, { code: 'WORKFLOW_ID_CONFLICT' });
    this.workflowID = workflowID;
  }
}

export class DBOSMaxStepRetriesError extends DBOSError {
  readonly stepName: string;
  readonly maxAttempts: number;
  readonly errors: Error[];
  constructor(stepName: string, maxRetries: number, errors: Error[]) {
    const last = errors.at(-1);
    super(
      `Step "${stepName}" failed after ${maxRetries} attempts` +
        (last ? `; last error: ${last.name}: ${last.message}` : '') +
        '. Every attempt\'s error is in `errors`.',
      codes.maxStepRetries,
      { code: 'STEP_RETRIES_EXHAUSTED' },
    );
    this.stepName = stepName;
    this.maxAttempts = maxRetries;
    this.errors = errors;
  }
}

export class DBOSWorkflowCancelledError extends DBOSError {
  readonly workflowID: string;
  constructor(workflowID: string) {
    super(`Workflow ${workflowID} has been cancelled.`, codes.workflowCancelled, { code: 'WORKFLOW_CANCELLED' });
    this.workflowID = workflowID;
  }
}

/** Duplicate registration, or registration after launch. */
export class DBOSConflictingRegistrationError extends DBOSError {
  constructor(message: string) {
    super(message, codes.conflictingRegistration, { code: 'REGISTRATION_CONFLICT' });
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
      codes.unexpectedStep,
      { code: 'NON_DETERMINISTIC_WORKFLOW' },
    );
    this.workflowID = workflowID;
    this.stepID = stepID;
    this.expectedName = expectedName;
    this.recordedName = recordedName;
  }
}

/** An execution recorded a step ID that it had already recorded differently. */
export class DBOSStepNondeterminismError extends DBOSError {
  readonly workflowID: string;
  readonly stepID: number;
  constructor(workflowID: string, stepID: number) {
    super(
      `Workflow ${workflowID} recorded operation #${stepID} twice with different outcomes: the workflow code ` +
        'is not deterministic.',
      codes.stepNondeterminism,
      { code: 'STEP_NONDETERMINISM' },
    );
    this.workflowID = workflowID;
    this.stepID = stepID;
  }
}

export class DBOSAwaitedWorkflowCancelledError extends DBOSError {
  readonly workflowID: string;
  constructor(workflowID: string) {
    super(`Awaited ${workflowID} was cancelled (the awaited workflow was cancelled or timed out).`, codes.awaitedWorkflowCancelled, {
      code: 'AWAITED_WORKFLOW_CANCELLED',
    });
    this.workflowID = workflowID;
  }
}

export class DBOSAwaitedWorkflowExceededMaxRecoveryAttempts extends DBOSError {
  readonly workflowID: string;
  constructor(workflowID: string) {
    super(
      `Awaited ${workflowID} exceeded its maximum recovery attempts: it will not run again unless resumed.`,
      codes.awaitedWorkflowExceededMaxRecoveryAttempts,
      { code: 'AWAITED_WORKFLOW_MAX_RECOVERY_ATTEMPTS_EXCEEDED' },
    );
    this.workflowID = workflowID;
  }
}

export class DBOSStepTimeoutError extends DBOSError {
  readonly stepName: string;
  readonly timeoutMS: number;
  constructor(stepName: string, timeoutMS: number) {
    super(`Step ${stepName} timed out after ${timeoutMS}ms.`, codes.stepTimeout, { code: 'STEP_TIMEOUT' });
    this.stepName = stepName;
    this.timeoutMS = timeoutMS;
  }
}

/** A workflow's arguments cannot be serialized; the serializer's complaint is the `cause`. */
export class DBOSInvalidWorkflowInputError extends DBOSError {
  readonly workflowName: string;
  constructor(workflowName: string, cause: unknown) {
    const problem = cause instanceof Error ? cause.message : String(cause);
    super(`The arguments of workflow "${workflowName}" cannot be serialized: ${problem}`, codes.invalidWorkflowInput, {
      code: 'INVALID_WORKFLOW_INPUT',
      cause,
    });
    this.workflowName = workflowName;
  }
}

/** A start with `workflowIDReusePolicy: 'reject'` found its workflow ID in use. Match it with `isWorkflowIDInUseError`. */
export class DBOSWorkflowIDInUseError extends DBOSError {
  readonly workflowID: string;
  readonly status: string;
  readonly workflowName: string;
  constructor(workflowID: string, status: string, workflowName: string) {
    super(
      `Workflow ID ${workflowID} is already in use by workflow "${workflowName}" (status ${status}).`,
      codes.workflowIDInUse,
      { code: 'WORKFLOW_ID_IN_USE' },
    );
    this.workflowID = workflowID;
    this.status = status;
    this.workflowName = workflowName;
  }
}
