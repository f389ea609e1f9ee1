/**
 * The launch check of every Postgres data source, written once over a bare query function so that each
 * driver (pg, postgres.js, an ORM's pool) only says how to run SQL: reach the database, find the completion
 * table, and create it (and its schema) when missing and permitted. Each failure is a typed launch error
 * that names the remedy.
 */
import { DBOSDataSourceUnavailableError } from '../errors/errors.ts';
import {
  checkSchemaInstallationPG,
  createTransactionCompletionSchemaPG,
  createTransactionCompletionTablePG,
  describePGConnectionProblem,
  quotePGIdentifier,
} from './postgres-transactions.ts';

/** Run one statement (no parameters) and return its rows. */
export type PGQuery = (text: string) => Promise<Record<string, unknown>[]>;

export interface CompletionTableCheck {
  /** The data source's name, for the error. */
  name: string;
  /** The data source's class, whose `initializeDBOSSchema` the error recommends. */
  className: string;
  schemaName: string;
  /** Create the schema and table when missing (DBOS's default: true). */
  runMigrations: boolean;
}

/** At launch: reach the database and make sure `<schemaName>.transaction_completion` exists. */
export async function prepareCompletionTablePG(query: PGQuery, check: CompletionTableCheck): Promise<void> {
  let installed: Record<string, unknown>;
  try {
    [installed = {}] = await query(checkSchemaInstallationPG(check.schemaName));
  } catch (error) {
    throw new DBOSDataSourceUnavailableError(check.name, describePGConnectionProblem(error), error);
  }
  if (installed.table_exists) return;
  const table = `"${check.schemaName}".transaction_completion`;
  const remedy = `${check.className}.initializeDBOSSchema`;
  if (!check.runMigrations) {
    throw new DBOSDataSourceUnavailableError(check.name, `the table ${table} does not exist and runMigrations is false: create it with ${remedy}`);
  }
  try {
    // Only when missing: CREATE SCHEMA IF NOT EXISTS needs a privilege that an existing schema does not.
    if (!installed.schema_exists) await query(createTransactionCompletionSchemaPG(check.schemaName));
    await query(createTransactionCompletionTablePG(check.schemaName));
  } catch (error) {
    throw new DBOSDataSourceUnavailableError(
      check.name,
      `the table ${table} does not exist and could not be created (add it to your migrations with ${remedy})`,
      error,
    );
  }
}

/** For `initializeDBOSSchema`: create the schema and the table, for a migration run outside the application. */
export async function installCompletionTablePG(query: PGQuery, schemaName: string): Promise<void> {
  await query(createTransactionCompletionSchemaPG(schemaName));
  await query(createTransactionCompletionTablePG(schemaName));
}

/**
 * For `uninitializeDBOSSchema`: drop the completion table only. DBOS also drops the schema with CASCADE,
 * which would take the system database's tables with it when both live in the same `dbos` schema.
 */
export function dropTransactionCompletionTablePG(schemaName = 'dbos'): string {
  return `DROP TABLE IF EXISTS ${quotePGIdentifier(schemaName)}.transaction_completion`;
}
