/**
 * SQL for garbage collection in bounded batches: delete finished workflows
 * created before a cutoff, or beyond the newest `keepRows`; never one that is
 * PENDING, ENQUEUED or DELAYED. With `ownedBy`, as DBOS's: only workflows of
 * these applications and unowned ones are counted and deleted.
 *
 * A million old workflows are never deleted in one statement: that held a
 * SQLite process (whose driver is synchronous) for 19 s, and on Postgres
 * parsing a million returned IDs stalled the event loop for a second. Each
 * batch is one short transaction that deletes the oldest collectable
 * workflows with everything they recorded, sized by a BatchPacer to take a
 * few milliseconds, with the event loop free between batches (pacingFor). A
 * keyset on created_at (the last batch's newest, inclusive: the rows it
 * deleted are gone) keeps every batch's index walk short however many rows
 * went before. Finding the keepRows-th newest workflow walks the created_at
 * index in paced steps too.
 *
 * What live work waits for (measured with bench/scale-gc-alone.ts): on
 * SQLite, a batch's whole hold, its commit's flush and, every thousand log
 * pages, the checkpoint that some commit runs (60-140 ms, maybe a live one's);
 * on Postgres, the flush of the log the batches wrote before a live commit
 * (wait events WALSync / WALWrite). So a batch commits without a flush of its
 * own (a lost batch is collected again), and SQLite's log is checkpointed by
 * the collection itself, every few batches (LogCheckpoints).
 */
import type { Connection, QueryRunner, SqlValue } from '../connection.ts';
import type { Dialect } from '../dialect.ts';
import type { GarbageCollectionPacing } from '../records.ts';
import { BatchPacer, type BatchPacing } from '../batch-pacer.ts';
import { LogCheckpoints } from './log-checkpoints.ts';
import { deleteUncascaded, placeholders } from './management.ts';

/**
 * How batches are paced, by whether a statement stalls the process (Dialect.blocksEventLoop); measured with
 * bench (s) at 100,000 workflows. SQLite: a live workflow's writes (its start, each step, its outcome) can
 * each wait for one batch, so batches of about 5 ms (some 200 workflows, commit apart) with as long a rest
 * between keep a 3-step workflow within 50 ms of its usual time. Postgres: the process goes on while a batch
 * runs in the server, but the server's CPU and disk are shared with live work, and a live commit flushes the
 * log the batches wrote before it (their own commits do not wait for the disk): batches of about 10 ms (at
 * most 5,000 workflows, whose returned IDs the process parses) with as long a rest. Measured at 1,000,000
 * workflows (bench/scale-gc-alone.ts, BENCHMARKS.md notes): 25 ms batches with half as long a rest took 88 s
 * and one live statement waited 66 ms on the log's flush; these take 217 s and no live statement waited over 21 ms.
 */
function pacingFor(d: Dialect): { deletion: BatchPacing; counting: BatchPacing } {
  const [budgetMs, restRatio, max] = d.blocksEventLoop ? [5, 1, 10_000] : [10, 1, 5_000];
  return {
    deletion: { initial: 100, min: 10, max, budgetMs, restRatio },
    counting: { initial: 10_000, min: 500, max: 200_000, budgetMs, restRatio },
  };
}

const inFlight = `('PENDING', 'ENQUEUED', 'DELAYED')`;

export interface CollectionScope {
  d: Dialect;
  /** Application names; empty: every workflow. */
  owners: readonly string[];
}

/** The owners clause over parameters numbered from `first`, or '' for every workflow. */
function ownersClause(owners: readonly string[], first: number): string {
  if (owners.length === 0) return '';
  const names = owners.map((_, i) => `$${first + i}`).join(', ');
  return ` AND (application_name IN (${names}) OR application_name IS NULL)`;
}

/**
 * A statement and its parameters: `params` first, then `bound` when set, then the owners. `sql` gets the
 * conditions to add to its WHERE: `created_at < bound` and the owners' clause. Only the parameters used are
 * passed (Postgres refuses one the statement does not reference).
 */
function scoped(
  scope: CollectionScope,
  params: SqlValue[],
  bound: number | undefined,
  sql: (conditions: string) => string,
): [string, SqlValue[]] {
  const all = [...params];
  let conditions = '';
  if (bound !== undefined) {
    all.push(bound);
    conditions = ` AND created_at < $${all.length}`;
  }
  conditions += ownersClause(scope.owners, all.length + 1);
  return [sql(conditions), [...all, ...scope.owners]];
}

/**
 * created_at of the `keepRows`-th newest workflow in scope (any status), or undefined when there are fewer.
 * Walked newest first in steps: each step finds the created_at `step` rows further down, then counts the
 * rows from there up to the previous step's bound, so rows sharing a created_at are counted together.
 */
export async function keepRowsCutoff(
  connection: Connection,
  scope: CollectionScope,
  keepRows: number,
  pacing: GarbageCollectionPacing = {},
): Promise<number | undefined> {
  const table = scope.d.table('workflow_status');
  const pacer = new BatchPacer(pacingFor(scope.d).counting, pacing.batchSize);
  // Keeping 0 acts as keeping 1 (as before batching): the newest one's creation time is the cutoff.
  let remaining = Math.max(1, keepRows);
  let bound: number | undefined;
  for (;;) {
    const step = Math.min(pacer.size, remaining);
    const began = performance.now();
    const [row] = await connection.query<{ created_at: number }>(
      ...scoped(scope, [step - 1], bound, (conditions) =>
        `SELECT created_at FROM ${table} WHERE TRUE${conditions} ORDER BY created_at DESC LIMIT 1 OFFSET $1`),
    );
    if (!row) return undefined;
    const createdAt = Number(row.created_at);
    const [counted] = await connection.query<{ n: number }>(
      ...scoped(scope, [createdAt], bound, (conditions) => `SELECT COUNT(*) AS n FROM ${table} WHERE created_at >= $1${conditions}`),
    );
    const rows = Number(counted!.n);
    if (rows >= remaining) return createdAt;
    remaining -= rows;
    bound = createdAt;
    pacer.record(performance.now() - began);
    await pacer.rest();
  }
}

/** One batch's outcome: the candidates it read (oldest first) and how many of them it deleted. */
interface BatchOutcome {
  /** created_at of the newest candidate, or undefined when none was left. */
  newestCreatedAt: number | undefined;
  candidates: number;
  deleted: number;
}

/**
 * One batch: read up to `limit` of the oldest collectable workflows created at or after `after` (and before
 * `cutoff`) on the created_at index, then delete them by primary key, in key order, with everything they
 * recorded. Two statements, not a DELETE over a subquery: Postgres planned that one as a hash semi-join over
 * a sequential scan of the whole status table, every batch (a second per batch at 1,000,000 rows). The
 * status is checked again on the deleted row itself: a workflow resumed since the read stays.
 */
async function deleteBatch(
  tx: QueryRunner,
  scope: CollectionScope,
  cutoff: number,
  after: number | undefined,
  limit: number,
): Promise<BatchOutcome> {
  const table = scope.d.table('workflow_status');
  const params: SqlValue[] = [cutoff, limit];
  let keyset = '';
  if (after !== undefined) {
    params.push(after);
    keyset = ` AND created_at >= $${params.length}`;
  }
  const candidates = await tx.query<{ workflow_uuid: string; created_at: number }>(
    `SELECT workflow_uuid, created_at FROM ${table}
     WHERE created_at < $1${keyset} AND status NOT IN ${inFlight}${ownersClause(scope.owners, params.length + 1)}
     ORDER BY created_at LIMIT $2`,
    [...params, ...scope.owners],
  );
  if (candidates.length === 0) return { newestCreatedAt: undefined, candidates: 0, deleted: 0 };
  // Key order: each index page is visited once, and concurrent deleters (two collections) lock rows in one order.
  const ids = candidates.map((row) => row.workflow_uuid).sort();
  let deleted = 0;
  for (let start = 0; start < ids.length; start += scope.d.maxParameters) {
    const chunk = ids.slice(start, start + scope.d.maxParameters);
    const rows = await tx.query<{ workflow_uuid: string }>(
      `DELETE FROM ${table} WHERE workflow_uuid IN (${placeholders(chunk.length)}) AND status NOT IN ${inFlight}
       RETURNING workflow_uuid`,
      chunk,
    );
    await deleteUncascaded(
      tx,
      scope.d,
      rows.map((row) => row.workflow_uuid),
    );
    deleted += rows.length;
  }
  return { newestCreatedAt: Number(candidates.at(-1)!.created_at), candidates: candidates.length, deleted };
}

/** Delete every collectable workflow created before `cutoff`, batch after batch; returns how many. */
export async function deleteCollectable(
  connection: Connection,
  scope: CollectionScope,
  cutoff: number,
  pacing: GarbageCollectionPacing = {},
): Promise<number> {
  const pacer = new BatchPacer(pacingFor(scope.d).deletion, pacing.batchSize);
  const checkpoints = new LogCheckpoints(connection, scope.d.checkpointStatement);
  let after: number | undefined;
  let total = 0;
  for (;;) {
    const limit = pacer.size;
    let began = 0;
    // Not durable: a batch lost in a crash is collected again, and its commit need not wait for the disk.
    const outcome = await connection.transaction((tx) => {
      began = performance.now(); // from the lock on: time waiting behind live work is not the batch's
      return deleteBatch(tx, scope, cutoff, after, limit);
    }, { durable: false });
    const batchMs = performance.now() - began;
    // A hold of its own: a live write queued behind the batch goes first.
    const checkpointMs = outcome.deleted > 0 ? await checkpoints.afterBatch() : 0;
    pacer.record(batchMs, checkpointMs);
    total += outcome.deleted;
    await pacing.afterBatch?.({ limit, deleted: outcome.deleted });
    // A short batch found the last ones; workflows resumed meanwhile are left for the next collection.
    if (outcome.candidates < limit) return total;
    after = outcome.newestCreatedAt;
    await pacer.rest();
  }
}
