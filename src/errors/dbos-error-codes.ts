/**
 * DBOS's numeric error codes (`dbosErrorCode`), one per DBOS error class. DBOS exports a few of them by name
 * (`UnexpectedStep`, `StreamTimeout`, ...); errors.ts re-exports exactly those, so the public names match DBOS's.
 */

export const UnexpectedStep = 26;
export const QueueDedupIDDuplicated = 28;
export const StreamTimeout = 33;
export const StreamNondeterminism = 34;
export const QueryTimeout = 35;
export const WorkflowIDInUse = 36;
export const StepNondeterminism = 37;

/** Every code, by the class it belongs to; the classes read theirs from here so none is typed twice. */
export const dbosErrorCodes = {
  error: 1,
  initialization: 3,
  workflowConflict: 5,
  notRegistered: 6,
  dataValidation: 9,
  notAuthorized: 12,
  configKeyType: 14,
  nonExistentWorkflow: 16,
  failLoadOperations: 17,
  maxRecoveryAttemptsExceeded: 18,
  executorNotInitialized: 20,
  invalidWorkflowTransition: 21,
  conflictingWorkflow: 22,
  maxStepRetries: 23,
  workflowCancelled: 24,
  conflictingRegistration: 25,
  unexpectedStep: UnexpectedStep,
  awaitedWorkflowCancelled: 27,
  queueDeduplicated: QueueDedupIDDuplicated,
  invalidQueuePriority: 29,
  awaitedWorkflowExceededMaxRecoveryAttempts: 30,
  stepTimeout: 31,
  invalidWorkflowInput: 32,
  streamTimeout: StreamTimeout,
  streamNondeterminism: StreamNondeterminism,
  queryTimeout: QueryTimeout,
  workflowIDInUse: WorkflowIDInUse,
  stepNondeterminism: StepNondeterminism,
} as const;
