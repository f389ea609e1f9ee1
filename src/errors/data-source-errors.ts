/**
 * Errors of datasource transactions (src/datasources/): each extends the DBOS class a DBOS program would catch
 * for the same problem, and keeps DBOS's numeric code.
 */
import { dbosErrorCodes as codes } from './dbos-error-codes.ts';
import { DBOSError } from './dbos-error.ts';
import {
  DBOSInitializationError,
  DBOSInvalidWorkflowTransitionError,
  DBOSNotRegisteredError,
} from './dbos-workflow-errors.ts';

/** A transaction named a data source that no `new XDataSource(name, ...)` (or registerDataSource) registered. */
export class DBOSDataSourceNotRegisteredError extends DBOSNotRegisteredError {
  readonly dataSourceName: string;
  constructor(dataSourceName: string, registered: readonly string[]) {
    super(
      dataSourceName,
      `No data source named "${dataSourceName}" is registered` +
        (registered.length > 0 ? ` (registered: ${registered.map((name) => `"${name}"`).join(', ')})` : '') +
        '. Create it (new NodePostgresDataSource(name, config), ...) before DBOS.launch().',
    );
    Object.defineProperty(this, 'code', { value: 'DATASOURCE_NOT_REGISTERED', enumerable: true });
    this.dataSourceName = dataSourceName;
  }
}

/**
 * At launch, a data source's database could not be used: unreachable, refused the credentials, or lacks the
 * `transaction_completion` table and may not create it. The driver's error is the `cause`; nothing was written.
 */
export class DBOSDataSourceUnavailableError extends DBOSInitializationError {
  readonly dataSourceName: string;
  constructor(dataSourceName: string, problem: string, cause?: unknown) {
    const detail = cause instanceof Error ? `: ${cause.message}` : '';
    super(`Data source "${dataSourceName}": ${problem}${detail}`, cause instanceof Error ? cause : undefined, {
      code: 'DATASOURCE_UNAVAILABLE',
      cause,
    });
    this.dataSourceName = dataSourceName;
  }
}

/** A data source's driver or ORM package is not installed. */
export class DBOSDataSourceDriverMissingError extends DBOSInitializationError {
  readonly packageName: string;
  constructor(dataSourceClass: string, packageName: string, cause?: unknown) {
    super(
      `${dataSourceClass} needs the package "${packageName}", which is not installed: run \`npm install ${packageName}\`.`,
      cause instanceof Error ? cause : undefined,
      { code: 'DATASOURCE_DRIVER_MISSING', cause },
    );
    this.packageName = packageName;
  }
}

/** `XDataSource.client` was read outside a transaction of that kind of data source. */
export class DBOSNotInTransactionError extends DBOSInvalidWorkflowTransitionError {
  constructor(accessor: string, detail = 'it is only valid inside a transaction function of that data source') {
    super(`${accessor} was used outside a transaction: ${detail}.`);
    Object.defineProperty(this, 'code', { value: 'NOT_IN_TRANSACTION', enumerable: true });
  }
}

/**
 * Internal: another execution of the same workflow committed this transaction's completion row first. The
 * losing transaction rolls back and the winner's recorded outcome is returned instead; never seen by user code.
 */
export class DBOSStepAlreadyRecordedError extends DBOSError {
  readonly workflowID: string;
  readonly stepID: number;
  constructor(workflowID: string, stepID: number) {
    super(`Step ${stepID} of workflow ${workflowID} was already recorded by a concurrent execution.`, codes.workflowConflict, {
      code: 'STEP_ALREADY_RECORDED',
    });
    this.workflowID = workflowID;
    this.stepID = stepID;
  }
}

/**
 * A transaction of a data source on the SQLite system database file called something that uses the system
 * database (a DBOS method that reads or writes it). The system database's one connection is held for that
 * transaction until it commits, so the call would wait forever: it is refused at once instead.
 */
export class DBOSSystemDatabaseHeldError extends DBOSInvalidWorkflowTransitionError {
  constructor() {
    super(
      'The system database was used from inside a transaction of a data source on the same SQLite file: its one ' +
        'connection waits for that transaction to commit. Make the call before or after the transaction, or give ' +
        'the data source { singleCommit: false } (and accept two commits per transaction).',
    );
    Object.defineProperty(this, 'code', { value: 'SYSTEM_DATABASE_HELD', enumerable: true });
  }
}

/**
 * A transaction function ended its data source's transaction itself (ran COMMIT or ROLLBACK on the client).
 * What it wrote before that may have committed, outside durably's control; its completion row or checkpoint is
 * not written (it would commit alone, unattached to the writes), so this error is recorded as its outcome.
 */
export class DBOSTransactionEndedError extends DBOSInvalidWorkflowTransitionError {
  readonly dataSourceName: string;
  constructor(dataSourceName: string) {
    super(
      `A transaction function of the data source "${dataSourceName}" ended the data source's transaction itself ` +
        '(COMMIT or ROLLBACK): leave the commit to durably, and throw to roll back.',
    );
    Object.defineProperty(this, 'code', { value: 'TRANSACTION_ENDED_BY_FUNCTION', enumerable: true });
    this.dataSourceName = dataSourceName;
  }
}
