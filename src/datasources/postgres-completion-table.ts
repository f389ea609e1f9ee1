/**
 * The launch check of a Postgres data source over an ORM (knex, kysely): reach the database, then find the
 * completion table or create it when permitted. Written once over a `query` function, so each ORM supplies
 * only how it runs one SQL statement and returns its rows.
 */
import { DBOSDataSourceUnavailableError } from '../errors/errors.ts';
import {
  checkSchemaInstallationPG,
  createTransactionCompletionSchemaPG,
  createTransactionCompletionTablePG,
  describePGConnectionProblem,
  quotePGIdentifier,
} from './postgres-transactions.ts';

export type RunSQL = (sql: string) => Promise<Record<string, unknown>[]>;

export interface CompletionTableCheck {
  dataSourceName: string;
  /** For the remedy in the message: `KnexDataSource.initializeDBOSSchema`. */
  dataSourceClass: string;
  schemaName: string;
  runMigrations: boolean;
}

export async function ensureCompletionTablePG(query: RunSQL, check: CompletionTableCheck): Promise<void> {
  let installed: Record<string, unknown> | undefined;
  try {
    [installed] = await query(checkSchemaInstallationPG(check.schemaName));
  } catch (error) {
    throw new DBOSDataSourceUnavailableError(check.dataSourceName, describePGConnectionProblem(error), error);
  }
  if (installed?.table_exists) return;
  const table = `"${check.schemaName}".transaction_completion`;
  const remedy = `${check.dataSourceClass}.initializeDBOSSchema`;
  if (!check.runMigrations) {
    throw new DBOSDataSourceUnavailableError(
      check.dataSourceName,
      `the table ${table} does not exist and runMigrations is false: create it with ${remedy}`,
    );
  }
  try {
    if (!installed?.schema_exists) await query(createTransactionCompletionSchemaPG(check.schemaName));
    await query(createTransactionCompletionTablePG(check.schemaName));
  } catch (error) {
    throw new DBOSDataSourceUnavailableError(
      check.dataSourceName,
      `the table ${table} does not exist and could not be created (add it to your migrations with ${remedy})`,
      error,
    );
  }
}

/**
 * For `uninitializeDBOSSchema`: drop the completion table only. DBOS also drops the schema with CASCADE,
 * which would take the system database's tables with it when both live in the same `dbos` schema.
 */
export function dropTransactionCompletionTablePG(schemaName = 'dbos'): string {
  return `DROP TABLE IF EXISTS ${quotePGIdentifier(schemaName)}.transaction_completion`;
}
