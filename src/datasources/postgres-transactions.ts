/**
 * Postgres pieces shared by every Postgres data source (node-pg, postgres.js, knex, kysely, drizzle), with
 * DBOS's names: isolation levels, the `transaction_completion` DDL and queries (SQL text with `$n`
 * placeholders; a driver without them rewrites the placeholders), and the SQLSTATE predicates.
 */
import { DBOSConfigurationError } from '../errors/errors.ts';
import type { SqlValue } from '../system-database/connection.ts';
import { isConnectionError } from '../system-database/postgres/postgres-errors.ts';

/** Isolation levels of Postgres-like application databases. */
export const PGIsolationLevel = Object.freeze({
  ReadUncommitted: 'READ UNCOMMITTED',
  ReadCommitted: 'READ COMMITTED',
  RepeatableRead: 'REPEATABLE READ',
  Serializable: 'SERIALIZABLE',
} as const);
export type PGIsolationLevel = (typeof PGIsolationLevel)[keyof typeof PGIsolationLevel];

/** Transaction settings of Postgres-like data sources. */
export interface PGTransactionConfig {
  isolationLevel?: PGIsolationLevel;
  /** A read-only transaction: writes fail; no completion row is written (there is nothing to do exactly once). */
  readOnly?: boolean;
}

const isolationLevels = new Set<string>(Object.values(PGIsolationLevel));

export function quotePGIdentifier(name: string): string {
  return `"${name.replaceAll('"', '""')}"`;
}

/** The isolation level asked for, in any case (`serializable` as drizzle spells it); an unknown level is refused (it would be SQL). */
export function isolationLevelPG(level: string | undefined): PGIsolationLevel | undefined {
  if (level === undefined) return undefined;
  const upper = typeof level === 'string' ? level.toUpperCase() : level;
  if (!isolationLevels.has(upper)) {
    throw new DBOSConfigurationError(
      `Unknown isolationLevel ${JSON.stringify(level)}; use one of ${[...isolationLevels].map((l) => `"${l}"`).join(', ')}.`,
    );
  }
  return upper as PGIsolationLevel;
}

/** What follows `BEGIN`: the isolation level and access mode asked for (postgres.js's `sql.begin(mode, ...)` takes it alone). */
export function transactionModePG(config: PGTransactionConfig | undefined): string {
  const level = isolationLevelPG(config?.isolationLevel);
  return [level && `ISOLATION LEVEL ${level}`, config?.readOnly && 'READ ONLY'].filter(Boolean).join(' ');
}

/** `BEGIN` with the isolation level and access mode asked for; an unknown level is refused (it would be SQL). */
export function beginStatementPG(config: PGTransactionConfig | undefined): string {
  const mode = transactionModePG(config);
  return mode ? `BEGIN ${mode}` : 'BEGIN';
}

export function createTransactionCompletionSchemaPG(schemaName = 'dbos'): string {
  return `CREATE SCHEMA IF NOT EXISTS ${quotePGIdentifier(schemaName)};`;
}

/** DBOS's table: one row per committed (or failed) transaction of a workflow, in the application database. */
export function createTransactionCompletionTablePG(schemaName = 'dbos'): string {
  return `CREATE TABLE IF NOT EXISTS ${quotePGIdentifier(schemaName)}.transaction_completion (
    workflow_id TEXT NOT NULL,
    function_num INT4 NOT NULL,
    output TEXT,
    error TEXT,
    created_at BIGINT NOT NULL DEFAULT (EXTRACT(EPOCH FROM now())*1000)::bigint,
    PRIMARY KEY (workflow_id, function_num)
  );`;
}

/** One row: `schema_exists`, `table_exists` (booleans). */
export function checkSchemaInstallationPG(schemaName = 'dbos'): string {
  const literal = `'${schemaName.replaceAll("'", "''")}'`;
  return `SELECT EXISTS (SELECT 1 FROM pg_catalog.pg_namespace WHERE nspname = ${literal}) AS schema_exists,
    EXISTS (SELECT 1 FROM pg_catalog.pg_tables WHERE schemaname = ${literal} AND tablename = 'transaction_completion') AS table_exists`;
}

/** Parameters: workflow ID, function ID. */
export function selectCompletionPG(schemaName = 'dbos'): string {
  return `SELECT output, error FROM ${quotePGIdentifier(schemaName)}.transaction_completion WHERE workflow_id = $1 AND function_num = $2`;
}

/** Parameters: workflow ID, function ID, output, error. */
export function insertCompletionPG(schemaName = 'dbos'): string {
  return `INSERT INTO ${quotePGIdentifier(schemaName)}.transaction_completion (workflow_id, function_num, output, error) VALUES ($1, $2, $3, $4)`;
}

/**
 * A text literal that means `value` whatever `standard_conforming_strings` says: the escape-string syntax (E'')
 * reads backslashes as escapes in every setting, so doubling them and the quotes is the whole quoting. (pg
 * always talks UTF-8, so no multi-byte client encoding can hide a quote in a character.)
 */
export function textLiteralPG(value: string | null): string {
  if (value === null) return 'NULL';
  return `E'${value.replaceAll('\\', '\\\\').replaceAll("'", "''")}'`;
}

/** A literal for one parameter value of the system database's SQL (strings as textLiteralPG). */
export function literalPG(value: SqlValue): string {
  if (value === null || value === undefined) return 'NULL';
  if (typeof value === 'string') return textLiteralPG(value);
  if (typeof value === 'boolean') return value ? 'TRUE' : 'FALSE';
  if (typeof value === 'bigint') return value.toString();
  if (!Number.isFinite(value)) throw new TypeError(`Cannot write ${value} as a SQL literal.`);
  return String(value);
}

/**
 * `sql` (with `$n` placeholders and no string literals of its own) and COMMIT, as one simple-query string with
 * the parameters as literals: one round trip. A failing statement makes Postgres skip the COMMIT.
 */
export function statementAndCommitPG(sql: string, params: readonly SqlValue[]): string {
  return `${sql.replace(/\$(\d+)/g, (_, n: string) => literalPG(params[Number(n) - 1]))}; COMMIT`;
}

/**
 * The completion row's INSERT followed by COMMIT, as one simple-query string (no parameters: the values are
 * literals), so the transaction's last two statements cost one round trip. A key conflict fails the INSERT
 * and Postgres skips the COMMIT: nothing commits, as with the two statements sent apart.
 */
export function insertCompletionAndCommitPG(schemaName: string, key: { workflowID: string; functionID: number }, row: { output: string | null; error: string | null }): string {
  if (!Number.isSafeInteger(key.functionID)) throw new TypeError(`A function ID must be an integer, got ${key.functionID}.`);
  const values = [textLiteralPG(key.workflowID), String(key.functionID), textLiteralPG(row.output), textLiteralPG(row.error)];
  return `INSERT INTO ${quotePGIdentifier(schemaName)}.transaction_completion (workflow_id, function_num, output, error) VALUES (${values.join(', ')}); COMMIT`;
}

/** Parameters: workflow ID, first function ID to delete (a rewind). */
export function deleteCompletionsPG(schemaName = 'dbos'): string {
  return `DELETE FROM ${quotePGIdentifier(schemaName)}.transaction_completion WHERE workflow_id = $1 AND function_num >= $2`;
}

const sqlState = /^[0-9A-Z]{5}$/;

/** The SQLSTATE of a driver error, found on it or on its causes (ORMs wrap the driver's error). */
export function pgErrorCode(error: unknown): string | undefined {
  let current = error;
  for (let depth = 0; depth < 10 && typeof current === 'object' && current !== null; depth++) {
    const code = (current as { code?: unknown }).code;
    if (typeof code === 'string' && sqlState.test(code)) return code;
    current = (current as { cause?: unknown }).cause;
  }
  return undefined;
}

/** A serialization failure (40001) or a deadlock (40P01): the transaction can run again. */
export function isPGRetriableTransactionError(error: unknown): boolean {
  const code = pgErrorCode(error);
  return code === '40001' || code === '40P01';
}

/** A unique violation; with `table`, only one on that table (pg's error names it). */
export function isPGKeyConflictError(error: unknown, table?: string): boolean {
  if (pgErrorCode(error) !== '23505') return false;
  return table === undefined || (error as { table?: unknown }).table === table;
}

/** 25P02: a statement ran after an earlier one failed in the same transaction. */
export function isPGFailedSqlTransactionError(error: unknown): boolean {
  return pgErrorCode(error) === '25P02';
}

/** postgres.js's codes for a connection that closed under a query, or could not open. */
const postgresJsConnectionCodes = new Set(['CONNECTION_CLOSED', 'CONNECTION_ENDED', 'CONNECTION_DESTROYED', 'CONNECT_TIMEOUT']);

/**
 * The connection died under the statement (the server restarted or terminated it, the network cut it), as
 * every Postgres driver reports it: pg's errors and messages (system-database/postgres/postgres-errors.ts),
 * postgres.js's codes, found on the error or its causes (ORMs wrap the driver's error); knex puts the SQL
 * before pg's message ("insert into … - Connection terminated unexpectedly").
 */
export function isPGConnectionLoss(error: unknown): boolean {
  let current = error;
  for (let depth = 0; depth < 10 && typeof current === 'object' && current !== null; depth++) {
    if (isConnectionError(current)) return true;
    const code = (current as { code?: unknown }).code;
    if (typeof code === 'string' && postgresJsConnectionCodes.has(code)) return true;
    const message = (current as { message?: unknown }).message;
    const separator = typeof message === 'string' ? message.lastIndexOf(' - ') : -1;
    if (separator >= 0 && isConnectionError({ message: (message as string).slice(separator + 3) })) return true;
    current = (current as { cause?: unknown }).cause;
  }
  return false;
}

/** Why a Postgres data source could not connect, for the launch error: credentials, a missing database, or the network. */
export function describePGConnectionProblem(error: unknown): string {
  const code = pgErrorCode(error);
  if (code === '28P01' || code === '28000') return 'the database refused the credentials';
  if (code === '3D000') return 'the database does not exist';
  return 'the database could not be reached';
}
