/**
 * Group commit of a SQLite data source's write transactions. On SQLite a commit is an fsync and there is one
 * writer, so transactions that came in while the previous group was committing run one after another inside
 * ONE transaction, each in a SAVEPOINT of its own, and the group commits once. Each caller is answered only
 * after that commit (durability unchanged: nothing is reported committed before it is); a transaction that
 * throws is rolled back to its savepoint alone, and its caller gets its error at once (its writes are undone,
 * the others' are kept). A lone transaction has no savepoint: it is the plain BEGIN IMMEDIATE ... COMMIT.
 *
 * The transactions still run one at a time, so each sees the committed-or-earlier writes of the ones before it,
 * exactly as if they had committed in that order (SQLite is serializable; so is this). Each caller's function
 * runs in the caller's own async context (its AsyncLocalStorage stores), not the group's: the group hands it
 * its turn and waits for it.
 *
 * A group may need something held around it (the system writer, when the file is the system database: see
 * single-commit.ts); members are grouped only with members that asked for the same lease.
 */
import type { DatabaseSync } from 'node:sqlite';
import { DBOSTransactionEndedError } from '../errors/errors.ts';
import { deferred, type Deferred } from '../support/deferred.ts';
import type { GroupLease, LeaseEntry } from './data-source-types.ts';

/**
 * A group's transaction failed for a reason other than the member that gets this (another member ended the
 * transaction, or BEGIN or COMMIT failed): the data source retries it (SQLiteDriver.isRetriable), within the
 * usual attempts, rather than recording the failure as that member's own.
 */
export class SqliteGroupAbortedError extends Error {
  constructor(override readonly cause: unknown) {
    super(`The group commit this transaction was part of failed: ${cause instanceof Error ? cause.message : String(cause)}`);
    this.name = 'SqliteGroupAbortedError';
  }
}

/** Members per group: bounds how long the last of them waits for the commit. */
const maxGroupSize = 100;
const savepoint = 'durably_group_member';
const noLease: LeaseEntry = (member) => member();

interface Member {
  lease: GroupLease | undefined;
  /** Its turn has come: the transaction is open (the entry marks its run as inside the lease). */
  turn: Deferred<LeaseEntry>;
  /** Its function settled: whether it threw. */
  ran: Deferred<{ failed: boolean }>;
  /** Committed with its group; rejected when its writes did not commit. */
  outcome: Deferred<void>;
}

export class SqliteGroupCommit {
  private waiting: Member[] = [];

  constructor(
    private readonly dataSourceName: string,
    /** The open connection (throws when the data source is not initialized). */
    private readonly connection: () => DatabaseSync,
    /** The data source's mutex: a group runs as one exclusive piece of work. */
    private readonly exclusive: <T>(work: () => Promise<T>) => Promise<T>,
  ) {}

  /** Run `work` as one write transaction, in the next group; resolves once its group committed. */
  async run<T>(work: (db: DatabaseSync) => Promise<T>, lease?: GroupLease): Promise<T> {
    const member: Member = { lease, turn: deferred(), ran: deferred(), outcome: deferred() };
    // Settled by the group, awaited below only when reached: never an unhandled rejection meanwhile.
    member.turn.promise.catch(() => undefined);
    member.outcome.promise.catch(() => undefined);
    this.waiting.push(member);
    void this.exclusive(() => this.runGroup());
    const enter = await member.turn.promise;
    let value: T;
    try {
      value = await enter(() => work(this.connection()));
    } catch (error) {
      member.ran.resolve({ failed: true });
      await member.outcome.promise.catch(() => undefined); // rolled back to its savepoint before the caller goes on
      throw error;
    }
    member.ran.resolve({ failed: false });
    await member.outcome.promise;
    return value;
  }

  /** The members waiting now with the first one's lease (up to the maximum), as one transaction. */
  private async runGroup(): Promise<void> {
    const first = this.waiting[0];
    if (!first) return; // an earlier group took this caller's member
    const group: Member[] = [];
    const rest: Member[] = [];
    for (const member of this.waiting) (member.lease === first.lease && group.length < maxGroupSize ? group : rest).push(member);
    this.waiting = rest;
    try {
      if (first.lease) await first.lease((enter) => this.commitGroup(group, enter));
      else await this.commitGroup(group, noLease);
    } catch (error) {
      // The lease could not be had, or the group's transaction failed: whoever is not answered yet (the one that
      // ended the transaction itself was, with its own error) gets the failure as retriable: its function may
      // never have run, or ran well and was rolled back with the others, and must not be recorded as failed.
      const aborted = error instanceof SqliteGroupAbortedError ? error : new SqliteGroupAbortedError(error);
      for (const member of group) {
        member.turn.reject(aborted);
        member.outcome.reject(aborted);
      }
    }
  }

  private async commitGroup(group: Member[], enter: LeaseEntry): Promise<void> {
    const db = this.connection();
    const savepoints = group.length > 1;
    const committing: Member[] = [];
    db.exec('BEGIN IMMEDIATE');
    try {
      for (const member of group) {
        if (savepoints) db.exec(`SAVEPOINT ${savepoint}`);
        member.turn.resolve(enter);
        const { failed } = await member.ran.promise;
        if (!db.isTransaction) {
          // Its completion row or checkpoint was refused (the driver checks): it fails with its own error; what
          // the others wrote may have committed with its COMMIT, and their rows with it, so their retry replays.
          const ended = new DBOSTransactionEndedError(this.dataSourceName);
          member.outcome.reject(ended); // the rest of the group is run again (runGroup)
          throw new SqliteGroupAbortedError(ended);
        }
        if (!failed) {
          if (savepoints) db.exec(`RELEASE ${savepoint}`);
          committing.push(member);
        } else if (savepoints) {
          db.exec(`ROLLBACK TO ${savepoint}`);
          db.exec(`RELEASE ${savepoint}`);
          member.outcome.resolve(); // its own error is what its caller throws
        } else {
          db.exec('ROLLBACK');
          member.outcome.resolve();
        }
      }
      if (db.isTransaction) db.exec('COMMIT');
    } catch (error) {
      if (db.isTransaction) db.exec('ROLLBACK');
      throw error;
    }
    for (const member of committing) member.outcome.resolve();
  }
}
