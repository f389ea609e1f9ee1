/**
 * Single-commit transactions: what the system database offers a data source whose database IS the system
 * database (the same Postgres database, the same SQLite file). Such a data source commits a workflow
 * transaction's writes and the transaction's checkpoint (the operation_outputs row a step outcome would be)
 * in one transaction, on its own connection: no completion row, one commit. The data source's connection runs
 * the SQL; this side supplies what only the system database knows: how to tell that a connection reaches this
 * very database, the checkpoint statement, and how to keep this process's own writer out of the way.
 *
 * No connection leaves this folder: the data source hands in a QueryRunner over its own transaction.
 */
import type { QueryRunner, SqlValue } from './connection.ts';
import type { Dialect } from './dialect.ts';
import type { StepOutcomeRecord } from './records.ts';
import { insertStepOutcomeOrConflict, insertStepOutcomeStatement } from './sql/steps.ts';

export interface SingleCommitSupport {
  /** This system database's name, the same through every connection that reaches it. */
  identity(): Promise<string>;
  /**
   * The name of the database `probe` (another connection, in a read-only transaction) reaches, in the terms of
   * identity(); undefined when that connection could not write checkpoints here (no such table, no privilege).
   */
  identityThrough(probe: QueryRunner): Promise<string | undefined>;
  /**
   * Insert an operation's checkpoint inside the caller's open transaction (`$n` placeholders). Throws
   * DBOSWorkflowConflictError when another execution already recorded that (workflow, function ID).
   */
  insertCheckpoint(transaction: QueryRunner, outcome: StepOutcomeRecord): Promise<void>;
  /**
   * The same checkpoint as one plain INSERT (`$n` placeholders) whose key conflict fails it, for a connection
   * that sends it with its COMMIT in one round trip; `conflictTable` names the table of that key.
   */
  checkpointStatement(outcome: StepOutcomeRecord): { sql: string; params: SqlValue[]; conflictTable: string };
  /**
   * Run `work` (a transaction, or a group of them, of another connection to this database) so that it does not
   * contend with this process's own system-database writes. SQLite: the single system connection is held until
   * `work` settles, and a system-database call made from inside `work`, or from inside a function `work` runs
   * through `enter` (in that function's own async context), is refused at once (it would wait for `work`
   * forever). Postgres: `work` just runs (row locks, not a file lock, separate the two).
   */
  withWriterHeld<T>(work: (enter: <U>(inside: () => Promise<U>) => Promise<U>) => Promise<T>): Promise<T>;
}

/** How a backend names the database a connection reaches (postgres/database-identity.ts, sqlite/database-identity.ts). */
export type DatabaseIdentity = (runner: QueryRunner, dialect: Dialect) => Promise<string | undefined>;

export function sqlSingleCommit(
  connection: QueryRunner,
  dialect: Dialect,
  identify: DatabaseIdentity,
  holdWriter: SingleCommitSupport['withWriterHeld'],
): SingleCommitSupport {
  return {
    async identity() {
      const name = await identify(connection, dialect);
      if (name === undefined) throw new Error('The system database could not name itself.');
      return name;
    },
    async identityThrough(probe) {
      try {
        return await identify(probe, dialect);
      } catch {
        return undefined; // the probe's database cannot answer this backend's question: another kind of database
      }
    },
    insertCheckpoint: (transaction, outcome) => insertStepOutcomeOrConflict(transaction, dialect, outcome),
    checkpointStatement: (outcome) => ({ ...insertStepOutcomeStatement(dialect, outcome), conflictTable: 'operation_outputs' }),
    withWriterHeld: holdWriter,
  };
}

/** For a system database without the capability: no connection is ever recognised as reaching it. */
export const noSingleCommit: SingleCommitSupport = {
  identity: async () => '',
  identityThrough: async () => undefined,
  insertCheckpoint: async () => {
    throw new Error('This system database does not take single-commit checkpoints.');
  },
  checkpointStatement: () => {
    throw new Error('This system database does not take single-commit checkpoints.');
  },
  withWriterHeld: (work) => work((inside) => inside()),
};
