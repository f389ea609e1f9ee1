/**
 * durably's own error classes: problems DBOS reports with a generic class (or a message) that durably names
 * precisely. Each extends the DBOS class a DBOS program would catch, and keeps DBOS's numeric code.
 */
import { dbosErrorCodes as codes } from './dbos-error-codes.ts';
import { DBOSError } from './dbos-error.ts';
import { DBOSExecutorNotInitializedError, DBOSInitializationError } from './dbos-workflow-errors.ts';

/** Invalid configuration: a bad URL, an unknown option value, a missing name. */
export class DBOSConfigurationError extends DBOSError {
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, codes.initialization, { code: 'CONFIGURATION_INVALID', cause: options?.cause });
  }
}

export class DBOSDatabaseUnreachableError extends DBOSInitializationError {
  constructor(message: string, options?: { cause?: unknown }) {
    const cause = options?.cause;
    super(message, cause instanceof Error ? cause : undefined, { code: 'DATABASE_UNREACHABLE', cause });
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
      { code: 'SCHEMA_NEWER_THAN_CODE' },
    );
    this.databaseVersion = databaseVersion;
    this.codeVersion = codeVersion;
  }
}

/** A durable function was used before `DBOS.launch()` (or after `DBOS.shutdown()`). */
export class DBOSNotLaunchedError extends DBOSExecutorNotInitializedError {
  constructor(what: string) {
    super({ message: `${what} needs a launched runtime: call \`await DBOS.launch()\` first.`, code: 'NOT_LAUNCHED' });
  }
}

/** A queue name no WorkflowQueue or DBOS.registerQueue defined. */
export class DBOSQueueNotFoundError extends DBOSError {
  readonly queueName: string;
  constructor(queueName: string) {
    super(
      `No queue named "${queueName}": declare it with new WorkflowQueue("${queueName}", ...) before launch, ` +
        'or register it with DBOS.registerQueue.',
      codes.error,
      { code: 'QUEUE_NOT_FOUND' },
    );
    this.queueName = queueName;
  }
}

/** A dynamic schedule name no DBOS.createSchedule (or applySchedules) defined. */
export class DBOSScheduleNotFoundError extends DBOSError {
  readonly scheduleName: string;
  constructor(scheduleName: string, what: string) {
    super(
      `${what}: no schedule named "${scheduleName}"; create it with DBOS.createSchedule.`,
      codes.error,
      { code: 'SCHEDULE_NOT_FOUND' },
    );
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
      codes.error,
      { code: 'SCHEDULE_EXISTS' },
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
      codes.error,
      { code: 'APPLICATION_VERSION_NOT_FOUND' },
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
      codes.invalidWorkflowInput,
      { code: 'VALUE_NOT_SERIALIZABLE' },
    );
    this.path = path;
  }
}

/** A database operation failed after retries, or the runtime was shut down under it. */
export class DBOSDatabaseError extends DBOSError {
  constructor(message: string, options?: { cause?: unknown; code?: string }) {
    super(message, codes.error, { code: options?.code ?? 'DATABASE_ERROR', cause: options?.cause });
  }
}

/**
 * The system database stayed unreachable (connections lost, refused or stalled) for longer than
 * `databaseOutageTimeoutMs`, so an operation gave up instead of waiting forever. Retriable: the operation
 * did not happen (or, if its commit's acknowledgement was lost, happened whole), nothing is half-written;
 * retry once the database is back. A workflow that meets it records no outcome and stays PENDING.
 */
export class DBOSDatabaseUnavailableError extends DBOSDatabaseError {
  readonly retriable = true;
  /** How long the operation kept retrying before giving up. */
  readonly outageMs: number;
  constructor(message: string, outageMs: number, options?: { cause?: unknown }) {
    super(message, { code: 'DATABASE_UNAVAILABLE', cause: options?.cause });
    this.outageMs = outageMs;
  }
}

/**
 * Ends a workflow's pending durable operation when DBOS.shutdown() interrupts it. Never recorded: the
 * workflow stays PENDING and is resumed by recovery after the next launch.
 */
export class DBOSShutdownInterruptError extends DBOSError {
  constructor() {
    super(
      'DBOS.shutdown() interrupted this workflow; nothing more of it is recorded here. It stays PENDING and ' +
        'resumes from its last recorded operation when its executor launches again.',
      1,
      { code: 'SHUTDOWN_INTERRUPTED' },
    );
  }
}

/** A stored value names a serialization format this process cannot read. */
export class DBOSUnknownSerializationError extends DBOSError {
  readonly serialization: string;
  constructor(serialization: string, readable: readonly string[]) {
    super(
      `Cannot read a stored value in serialization format "${serialization}": this process reads ` +
        `${readable.map((name) => `"${name}"`).join(', ')}. Another program, a newer durably, or a custom ` +
        'serializer not configured here (config option "serializer") wrote it.',
      1,
      { code: 'SERIALIZATION_UNKNOWN' },
    );
    this.serialization = serialization;
  }
}

/** The `durably` command line was not understood: an unknown verb or option, or an invalid value (exit code 2). */
export class DBOSCommandUsageError extends DBOSError {
  constructor(message: string) {
    super(message, 1, { code: 'COMMAND_USAGE' });
  }
}

/** An operation this system database's backend cannot do (a caller's `pg` transaction on a SQLite database). */
export class DBOSUnsupportedBackendError extends DBOSError {
  readonly backend: string;
  constructor(what: string, backend: string, remedy: string) {
    super(`${what} is not supported on a ${backend} system database: ${remedy}`, 1, { code: 'BACKEND_UNSUPPORTED' });
    this.backend = backend;
  }
}

/** A rewind asked of a workflow that has not finished: only SUCCESS, ERROR, CANCELLED or MAX_RECOVERY_ATTEMPTS_EXCEEDED rewind. */
export class DBOSWorkflowNotRewindableError extends DBOSError {
  readonly workflowID: string;
  readonly status: string;
  constructor(workflowID: string, status: string) {
    super(
      `Cannot rewind workflow ${workflowID}: it is ${status}, and only a finished workflow (SUCCESS, ERROR, CANCELLED or ` +
        'MAX_RECOVERY_ATTEMPTS_EXCEEDED) can be rewound. Cancel it first, or wait for it to finish.',
      21,
      { code: 'WORKFLOW_NOT_REWINDABLE' },
    );
    this.workflowID = workflowID;
    this.status = status;
  }
}
