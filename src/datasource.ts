/**
 * durably/datasource: the datasource SPI with DBOS's names (`@dbos-inc/dbos-sdk/datasource`), for writing a
 * data source; named re-exports only. durably's own data sources build on DurablyDataSource.
 */
export { registerDataSource } from './datasources/data-source-registry.ts';
export { registerTransaction, runTransaction } from './datasources/transaction-core.ts';
export type { DataSourceTransactionHandler, DBOSDataSource, TransactionDecorator } from './datasources/data-source-types.ts';
export { DurablyDataSource, transactionClientOf } from './datasources/data-source-base.ts';
export type { CompletionKey, CompletionRow, TransactionDriver, TransactionSettings } from './datasources/exactly-once.ts';
export type { QueryRunner, SqlValue } from './system-database/connection.ts';
export { loadDriver } from './datasources/load-driver.ts';
export {
  PGIsolationLevel,
  type PGTransactionConfig,
  checkSchemaInstallationPG,
  createTransactionCompletionSchemaPG,
  createTransactionCompletionTablePG,
  insertCompletionPG,
  isPGFailedSqlTransactionError,
  isPGKeyConflictError,
  isPGRetriableTransactionError,
  selectCompletionPG,
} from './datasources/postgres-transactions.ts';
export { DBOSError, DBOSStepAlreadyRecordedError, DBOSWorkflowConflictError } from './errors/errors.ts';
export {
  DATASOURCE_MIGRATIONS_TABLE,
  type DataSourceMigrationOptions,
  type DataSourceSQLExecutor,
  getDataSourceMigrationsPG,
  getDataSourcePermissionsSQL,
  initializeDataSourceSchemaPG,
  migrateDataSourcePG,
  verifyDataSourcePG,
} from './datasources/datasource-migrations-pg.ts';
export { assertStillOwnsWorkflow, guardDataSourcePoolPG, replayRecordedStep } from './datasources/data-source-spi.ts';
