/**
 * A claim sent as one batch of statements (Connection.pipelinedTransaction: one round trip on Postgres, where
 * a claim that waits for each answer costs four: BEGIN, the lock, the claim, COMMIT). It can be when nothing
 * has to be read before the claim statement: the queue's one shared limit is its concurrency, which the
 * statement counts in its LIMIT (concurrencyCountedInClaim), and no delayed workflow is to be promoted first.
 *
 * Exactness across processes is the transaction's, unchanged: the queue's named lock comes first, and the
 * server runs the claim only once it holds it, with a snapshot taken then (READ COMMITTED takes one per
 * statement), so it counts every claim committed before; SQLite's single writer runs the batch alone. Less
 * time passes under the lock, too: no round trip to this process between the lock and the commit.
 *
 * The claim time is taken when the batch is built, before any wait for the lock: it names the attempt (lost-
 * claims.ts) and is the rows' started_at_epoch_ms, early by that wait at most. No rate limit reads it here.
 */
import type { Row, Statement } from '../connection.ts';
import type { Dialect } from '../dialect.ts';
import type { ClaimRequest, ClaimResult } from '../claim-records.ts';
import type { ClaimAttempt } from '../lost-claims.ts';
import { claimedInQueueOrder, claimStatement, concurrencyCountedInClaim, lostClaimsStatement, toClaimedWorkflow } from './claim-statement.ts';

/** Whether the claim can be one batch (claimBatch): its only shared limit is the queue's concurrency, and no promotion. */
export function claimIsOneBatch(request: ClaimRequest, promoteDelayedWorkflows: boolean): boolean {
  return !promoteDelayedWorkflows && concurrencyCountedInClaim(request) !== undefined;
}

export interface ClaimBatch {
  statements: Statement[];
  /** The claim's result from the batch's rows, statement by statement. */
  result(rows: readonly Row[][]): ClaimResult;
}

/**
 * The batch of one claim attempt: the queue's lock (where the backend has one), the rows of this
 * executor's lost attempts (if any), and the claim, whose LIMIT leaves room for those rows.
 */
export function claimBatch(d: Dialect, request: ClaimRequest, attempt: ClaimAttempt): ClaimBatch {
  const statements: Statement[] = [];
  if (d.namedLockStatement) statements.push({ sql: d.namedLockStatement, params: [`queue:${request.queueName}`] });
  const lostTimes = attempt.lostTimes;
  if (lostTimes.length > 0) statements.push(lostClaimsStatement(d, request, lostTimes));
  const concurrency = concurrencyCountedInClaim(request);
  statements.push(claimStatement(d, request, { now: attempt.claimTime(), budget: request.maxTasks, concurrency, lostTimes }));
  return {
    statements,
    result(rows) {
      const lost = lostTimes.length > 0 ? (rows[rows.length - 2] ?? []) : [];
      const claimed = rows[rows.length - 1] ?? [];
      return { claimed: [...lost.map(toClaimedWorkflow), ...claimedInQueueOrder(claimed)], nextDelayedAt: null };
    },
  };
}
