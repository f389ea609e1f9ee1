/**
 * One case per exported error class: built with DBOS's constructor arguments (so this file only compiles if
 * each class accepts them), with the fields, numeric `dbosErrorCode` and durably `code` it must then have.
 * Shared by the constructor tests and the revival tests.
 */
import * as errors from '../../src/errors/errors.ts';

export interface ErrorCase {
  error: errors.DBOSError;
  errorClass: new (...args: never[]) => errors.DBOSError;
  dbosErrorCode: number;
  code: string;
  fields: Record<string, unknown>;
}

const cause = new TypeError('not JSON');
const attemptErrors = [new Error('one'), new RangeError('two')];
const divergedWorkflowIDs = ['wf-16'];

function dbosCases(): ErrorCase[] {
  const e = errors;
  return [
    { error: new e.DBOSError('bad input', 400), errorClass: e.DBOSError, dbosErrorCode: 400, code: 'DBOS_ERROR', fields: { message: 'bad input' } },
    { error: new e.DBOSError('plain'), errorClass: e.DBOSError, dbosErrorCode: 1, code: 'DBOS_ERROR', fields: { message: 'plain' } },
    { error: new e.DBOSInitializationError('launch failed', cause), errorClass: e.DBOSInitializationError, dbosErrorCode: 3, code: 'INITIALIZATION_FAILED', fields: { message: 'launch failed', error: cause } },
    { error: new e.DBOSWorkflowConflictError('wf-1'), errorClass: e.DBOSWorkflowConflictError, dbosErrorCode: 5, code: 'WORKFLOW_CONFLICT', fields: { workflowID: 'wf-1' } },
    { error: new e.DBOSNotRegisteredError('fn', 'fn is missing'), errorClass: e.DBOSNotRegisteredError, dbosErrorCode: 6, code: 'NOT_REGISTERED', fields: { message: 'fn is missing', functionName: 'fn' } },
    { error: new e.DBOSDataValidationError('age must be a number'), errorClass: e.DBOSDataValidationError, dbosErrorCode: 9, code: 'DATA_VALIDATION', fields: { message: 'age must be a number' } },
    { error: new e.DBOSNotAuthorizedError('needs admin'), errorClass: e.DBOSNotAuthorizedError, dbosErrorCode: 12, code: 'NOT_AUTHORIZED', fields: { message: 'needs admin', status: 403 } },
    { error: new e.DBOSNotAuthorizedError('who are you', 401), errorClass: e.DBOSNotAuthorizedError, dbosErrorCode: 12, code: 'NOT_AUTHORIZED', fields: { status: 401 } },
    { error: new e.DBOSResponseError('payment required', 402), errorClass: e.DBOSResponseError, dbosErrorCode: 1, code: 'RESPONSE_ERROR', fields: { message: 'payment required', status: 402 } },
    { error: new e.DBOSResponseError('failed'), errorClass: e.DBOSResponseError, dbosErrorCode: 1, code: 'RESPONSE_ERROR', fields: { status: 500 } },
    { error: new e.DBOSConfigKeyTypeError('port', 'number', 'string'), errorClass: e.DBOSConfigKeyTypeError, dbosErrorCode: 14, code: 'CONFIG_KEY_TYPE', fields: { configKey: 'port', expectedType: 'number', actualType: 'string' } },
    { error: new e.DBOSNonExistentWorkflowError('no workflow wf-2'), errorClass: e.DBOSNonExistentWorkflowError, dbosErrorCode: 16, code: 'WORKFLOW_NOT_FOUND', fields: { message: 'no workflow wf-2' } },
    { error: new e.DBOSFailLoadOperationsError('cannot load'), errorClass: e.DBOSFailLoadOperationsError, dbosErrorCode: 17, code: 'FAIL_LOAD_OPERATIONS', fields: { message: 'cannot load' } },
    { error: new e.DBOSMaxRecoveryAttemptsExceededError('wf-3', 5), errorClass: e.DBOSMaxRecoveryAttemptsExceededError, dbosErrorCode: 18, code: 'MAX_RECOVERY_ATTEMPTS_EXCEEDED', fields: { workflowID: 'wf-3', maxRecoveryAttempts: 5 } },
    { error: new e.DBOSMaxRecoveryAttemptsExceededError('wf-3'), errorClass: e.DBOSMaxRecoveryAttemptsExceededError, dbosErrorCode: 18, code: 'MAX_RECOVERY_ATTEMPTS_EXCEEDED', fields: { workflowID: 'wf-3' } },
    { error: new e.DBOSExecutorNotInitializedError(), errorClass: e.DBOSExecutorNotInitializedError, dbosErrorCode: 20, code: 'EXECUTOR_NOT_INITIALIZED', fields: {} },
    { error: new e.DBOSInvalidWorkflowTransitionError(), errorClass: e.DBOSInvalidWorkflowTransitionError, dbosErrorCode: 21, code: 'INVALID_CONTEXT', fields: {} },
    { error: new e.DBOSInvalidWorkflowTransitionError('recv in a step'), errorClass: e.DBOSInvalidWorkflowTransitionError, dbosErrorCode: 21, code: 'INVALID_CONTEXT', fields: { message: 'recv in a step' } },
    { error: new e.DBOSConflictingWorkflowError('wf-4', 'other function'), errorClass: e.DBOSConflictingWorkflowError, dbosErrorCode: 22, code: 'WORKFLOW_ID_CONFLICT', fields: { workflowID: 'wf-4', message: 'other function' } },
    { error: new e.DBOSMaxStepRetriesError('fetch', 3, attemptErrors), errorClass: e.DBOSMaxStepRetriesError, dbosErrorCode: 23, code: 'STEP_RETRIES_EXHAUSTED', fields: { stepName: 'fetch', errors: attemptErrors } },
    { error: new e.DBOSWorkflowCancelledError('wf-5'), errorClass: e.DBOSWorkflowCancelledError, dbosErrorCode: 24, code: 'WORKFLOW_CANCELLED', fields: { workflowID: 'wf-5' } },
    { error: new e.DBOSConflictingRegistrationError('twice'), errorClass: e.DBOSConflictingRegistrationError, dbosErrorCode: 25, code: 'REGISTRATION_CONFLICT', fields: { message: 'twice' } },
    { error: new e.DBOSUnexpectedStepError('wf-6', 2, 'charge', 'refund'), errorClass: e.DBOSUnexpectedStepError, dbosErrorCode: 26, code: 'NON_DETERMINISTIC_WORKFLOW', fields: { workflowID: 'wf-6', stepID: 2, expectedName: 'charge', recordedName: 'refund' } },
    { error: new e.DBOSAwaitedWorkflowCancelledError('wf-7'), errorClass: e.DBOSAwaitedWorkflowCancelledError, dbosErrorCode: 27, code: 'AWAITED_WORKFLOW_CANCELLED', fields: { workflowID: 'wf-7' } },
    { error: new e.DBOSQueueDuplicatedError('wf-8', 'q', 'd-1'), errorClass: e.DBOSQueueDuplicatedError, dbosErrorCode: 28, code: 'QUEUE_DEDUPLICATED', fields: { workflowID: 'wf-8', queue: 'q', queueName: 'q', deduplicationID: 'd-1' } },
    { error: new e.DBOSInvalidQueuePriorityError(0, 1, 10), errorClass: e.DBOSInvalidQueuePriorityError, dbosErrorCode: 29, code: 'QUEUE_PRIORITY_INVALID', fields: { priority: 0, min: 1, max: 10 } },
    { error: new e.DBOSAwaitedWorkflowExceededMaxRecoveryAttempts('wf-9'), errorClass: e.DBOSAwaitedWorkflowExceededMaxRecoveryAttempts, dbosErrorCode: 30, code: 'AWAITED_WORKFLOW_MAX_RECOVERY_ATTEMPTS_EXCEEDED', fields: { workflowID: 'wf-9' } },
    { error: new e.DBOSStepTimeoutError('slow', 250), errorClass: e.DBOSStepTimeoutError, dbosErrorCode: 31, code: 'STEP_TIMEOUT', fields: { stepName: 'slow', timeoutMS: 250 } },
    { error: new e.DBOSInvalidWorkflowInputError('order', cause), errorClass: e.DBOSInvalidWorkflowInputError, dbosErrorCode: 32, code: 'INVALID_WORKFLOW_INPUT', fields: { workflowName: 'order', cause } },
    { error: new e.DBOSStreamTimeoutError('wf-10', 'k', 50), errorClass: e.DBOSStreamTimeoutError, dbosErrorCode: 33, code: 'STREAM_TIMEOUT', fields: { workflowID: 'wf-10', key: 'k', timeoutMS: 50 } },
    { error: new e.DBOSStreamNondeterminismError('wf-11', 'k'), errorClass: e.DBOSStreamNondeterminismError, dbosErrorCode: 34, code: 'STREAM_NONDETERMINISM', fields: { workflowID: 'wf-11', key: 'k' } },
    { error: new e.DBOSQueryTimeoutError(1000), errorClass: e.DBOSQueryTimeoutError, dbosErrorCode: 35, code: 'QUERY_TIMEOUT', fields: { timeoutMS: 1000 } },
    { error: new e.DBOSWorkflowIDInUseError('wf-12', 'PENDING', 'order'), errorClass: e.DBOSWorkflowIDInUseError, dbosErrorCode: 36, code: 'WORKFLOW_ID_IN_USE', fields: { workflowID: 'wf-12', status: 'PENDING', workflowName: 'order' } },
    { error: new e.DBOSStepNondeterminismError('wf-13', 4), errorClass: e.DBOSStepNondeterminismError, dbosErrorCode: 37, code: 'STEP_NONDETERMINISM', fields: { workflowID: 'wf-13', stepID: 4 } },
  ];
}

/** durably's own classes, with its own arguments. */
function durablyCases(): ErrorCase[] {
  const e = errors;
  const telemetryPackages = ['@opentelemetry/sdk-logs'];
  return [
    { error: new e.DBOSConfigurationError('bad url', { cause }), errorClass: e.DBOSConfigurationError, dbosErrorCode: 3, code: 'CONFIGURATION_INVALID', fields: { cause } },
    { error: new e.DBOSDatabaseUnreachableError('no server', { cause }), errorClass: e.DBOSDatabaseUnreachableError, dbosErrorCode: 3, code: 'DATABASE_UNREACHABLE', fields: { cause, error: cause } },
    { error: new e.DBOSSchemaVersionError(9, 4), errorClass: e.DBOSSchemaVersionError, dbosErrorCode: 3, code: 'SCHEMA_NEWER_THAN_CODE', fields: { databaseVersion: 9, codeVersion: 4 } },
    { error: new e.DBOSNotLaunchedError('DBOS.send'), errorClass: e.DBOSNotLaunchedError, dbosErrorCode: 20, code: 'NOT_LAUNCHED', fields: {} },
    { error: new e.DBOSQueueNotFoundError('q'), errorClass: e.DBOSQueueNotFoundError, dbosErrorCode: 1, code: 'QUEUE_NOT_FOUND', fields: { queueName: 'q' } },
    { error: new e.DBOSScheduleNotFoundError('s', 'DBOS.pauseSchedule'), errorClass: e.DBOSScheduleNotFoundError, dbosErrorCode: 1, code: 'SCHEDULE_NOT_FOUND', fields: { scheduleName: 's' } },
    { error: new e.DBOSScheduleExistsError('s'), errorClass: e.DBOSScheduleExistsError, dbosErrorCode: 1, code: 'SCHEDULE_EXISTS', fields: { scheduleName: 's' } },
    { error: new e.DBOSApplicationVersionNotFoundError('v1'), errorClass: e.DBOSApplicationVersionNotFoundError, dbosErrorCode: 1, code: 'APPLICATION_VERSION_NOT_FOUND', fields: { versionName: 'v1' } },
    { error: new e.DBOSSerializationError('a value', 'value.f', 'a function'), errorClass: e.DBOSSerializationError, dbosErrorCode: 32, code: 'VALUE_NOT_SERIALIZABLE', fields: { path: 'value.f' } },
    { error: new e.DBOSDatabaseError('lost', { cause }), errorClass: e.DBOSDatabaseError, dbosErrorCode: 1, code: 'DATABASE_ERROR', fields: { cause } },
    { error: new e.DBOSDatabaseUnavailableError('gone', 5000, { cause }), errorClass: e.DBOSDatabaseUnavailableError, dbosErrorCode: 1, code: 'DATABASE_UNAVAILABLE', fields: { cause, outageMs: 5000, retriable: true } },
    { error: new e.DBOSShutdownInterruptError(), errorClass: e.DBOSShutdownInterruptError, dbosErrorCode: 1, code: 'SHUTDOWN_INTERRUPTED', fields: {} },
    { error: new e.DBOSUnknownSerializationError('x', ['js_superjson']), errorClass: e.DBOSUnknownSerializationError, dbosErrorCode: 1, code: 'SERIALIZATION_UNKNOWN', fields: { serialization: 'x' } },
    { error: new e.DBOSDataSourceNotRegisteredError('app', ['other']), errorClass: e.DBOSDataSourceNotRegisteredError, dbosErrorCode: 6, code: 'DATASOURCE_NOT_REGISTERED', fields: { dataSourceName: 'app', functionName: 'app' } },
    { error: new e.DBOSDataSourceUnavailableError('app', 'unreachable', cause), errorClass: e.DBOSDataSourceUnavailableError, dbosErrorCode: 3, code: 'DATASOURCE_UNAVAILABLE', fields: { dataSourceName: 'app', cause, error: cause } },
    { error: new e.DBOSDataSourceDriverMissingError('KnexDataSource', 'knex', cause), errorClass: e.DBOSDataSourceDriverMissingError, dbosErrorCode: 3, code: 'DATASOURCE_DRIVER_MISSING', fields: { packageName: 'knex', cause } },
    { error: new e.DBOSNotInTransactionError('X.client'), errorClass: e.DBOSNotInTransactionError, dbosErrorCode: 21, code: 'NOT_IN_TRANSACTION', fields: {} },
    { error: new e.DBOSStepAlreadyRecordedError('wf-14', 2), errorClass: e.DBOSStepAlreadyRecordedError, dbosErrorCode: 5, code: 'STEP_ALREADY_RECORDED', fields: { workflowID: 'wf-14', stepID: 2 } },
    { error: new e.DBOSTelemetryPackagesMissingError(telemetryPackages, cause), errorClass: e.DBOSTelemetryPackagesMissingError, dbosErrorCode: 3, code: 'TELEMETRY_PACKAGES_MISSING', fields: { packageNames: telemetryPackages, cause } },
    { error: new e.DBOSCommandUsageError('unknown verb'), errorClass: e.DBOSCommandUsageError, dbosErrorCode: 1, code: 'COMMAND_USAGE', fields: {} },
    { error: new e.DBOSUnsupportedBackendError('x', 'sqlite', 'use Postgres'), errorClass: e.DBOSUnsupportedBackendError, dbosErrorCode: 1, code: 'BACKEND_UNSUPPORTED', fields: { backend: 'sqlite' } },
    { error: new e.DBOSAdminRequestError(415, 'UNSUPPORTED_MEDIA_TYPE', 'JSON only'), errorClass: e.DBOSAdminRequestError, dbosErrorCode: 1, code: 'UNSUPPORTED_MEDIA_TYPE', fields: { status: 415 } },
    { error: new e.DBOSAdminTokenRequiredError('0.0.0.0'), errorClass: e.DBOSAdminTokenRequiredError, dbosErrorCode: 3, code: 'ADMIN_TOKEN_REQUIRED', fields: { host: '0.0.0.0' } },
    { error: new e.DBOSWorkflowNotRewindableError('wf-15', 'PENDING'), errorClass: e.DBOSWorkflowNotRewindableError, dbosErrorCode: 21, code: 'WORKFLOW_NOT_REWINDABLE', fields: { workflowID: 'wf-15', status: 'PENDING' } },
    { error: new e.DBOSTransactionEndedError('orders'), errorClass: e.DBOSTransactionEndedError, dbosErrorCode: 21, code: 'TRANSACTION_ENDED_BY_FUNCTION', fields: { dataSourceName: 'orders' } },
    { error: new e.DBOSSystemDatabaseHeldError(), errorClass: e.DBOSSystemDatabaseHeldError, dbosErrorCode: 21, code: 'SYSTEM_DATABASE_HELD', fields: {} },
    { error: new e.DBOSSqliteFaultError('the file failed', '/d/app.sqlite', false, 'SQLITE_X', cause), errorClass: e.DBOSSqliteFaultError, dbosErrorCode: 1, code: 'SQLITE_X', fields: { path: '/d/app.sqlite', retriable: false, cause } },
    { error: new e.DBOSSqliteReadOnlyError('/d/app.sqlite', cause), errorClass: e.DBOSSqliteReadOnlyError, dbosErrorCode: 1, code: 'SQLITE_READ_ONLY', fields: { path: '/d/app.sqlite', retriable: true, cause } },
    { error: new e.DBOSSqliteDiskFullError('/d/app.sqlite', cause), errorClass: e.DBOSSqliteDiskFullError, dbosErrorCode: 1, code: 'SQLITE_DISK_FULL', fields: { path: '/d/app.sqlite', retriable: true, cause } },
    { error: new e.DBOSSqliteLockTimeoutError('/d/app.sqlite', 500, cause), errorClass: e.DBOSSqliteLockTimeoutError, dbosErrorCode: 1, code: 'SQLITE_LOCK_TIMEOUT', fields: { path: '/d/app.sqlite', waitedMs: 500, retriable: true } },
    { error: new e.DBOSSqliteCorruptError('/d/app.sqlite', cause), errorClass: e.DBOSSqliteCorruptError, dbosErrorCode: 1, code: 'SQLITE_CORRUPT', fields: { path: '/d/app.sqlite', retriable: false } },
    { error: new e.DBOSReplayBeyondHistoryError('wf-15', 3, 'charge'), errorClass: e.DBOSReplayBeyondHistoryError, dbosErrorCode: 1, code: 'REPLAY_BEYOND_HISTORY', fields: { workflowID: 'wf-15', stepID: 3, operationName: 'charge' } },
    { error: new e.DBOSReplayDivergenceError(divergedWorkflowIDs, 'renamed'), errorClass: e.DBOSReplayDivergenceError, dbosErrorCode: 1, code: 'REPLAY_DIVERGED', fields: { workflowIDs: divergedWorkflowIDs } },
    { error: new e.DBOSCrashTestFailedError('checkout', 2, 'report'), errorClass: e.DBOSCrashTestFailedError, dbosErrorCode: 1, code: 'CRASH_TEST_FAILED', fields: { workflowName: 'checkout', failures: 2 } },
  ];
}

export const errorCases: ErrorCase[] = [...dbosCases(), ...durablyCases()];

/** Every error class errors.ts exports, by name. */
export const exportedErrorClasses: Map<string, unknown> = new Map(
  Object.entries(errors as Record<string, unknown>).filter(
    ([, value]) => value === errors.DBOSError || (typeof value === 'function' && value.prototype instanceof errors.DBOSError),
  ),
);
