/**
 * SQL for queues: claiming startable workflows under flow-control limits,
 * and putting PENDING workflows back on their queues (recovery).
 *
 * A claim is one short transaction. Where a limit is shared by processes
 * (global or partition concurrency, rate limit), claimers of that queue take
 * turns on a named lock (Postgres) or on the single writer (SQLite), so the
 * counts they read are exact; without shared limits, Postgres claimers run in
 * parallel and SKIP LOCKED hands each its own rows.
 */
import type { QueryRunner } from '../connection.ts';
import type { Dialect } from '../dialect.ts';
import type { ClaimAttempt } from '../lost-claims.ts';
import type { ClaimedWorkflow, ClaimRequest, ClaimResult, QueueLimits } from '../claim-records.ts';
import { queueChannel } from '../system-database.ts';
import { claimedInQueueOrder, claimStatement, concurrencyCountedInClaim, inFlight, lostClaimsStatement, toClaimedWorkflow } from './claim-statement.ts';

export function hasSharedLimit(limits: QueueLimits): boolean {
  return limits.concurrency !== undefined || limits.rateLimit !== undefined;
}

/** How many more workflows `limits` allow to start now, in the queue or one partition of it. */
async function remainingUnderLimits(
  tx: QueryRunner,
  d: Dialect,
  request: ClaimRequest,
  limits: QueueLimits,
  partitionKey: string | undefined,
  now: number,
): Promise<number> {
  const table = d.table('workflow_status');
  const partition = partitionKey === undefined ? '' : 'AND queue_partition_key = $2';
  const params = partitionKey === undefined ? [request.queueName] : [request.queueName, partitionKey];
  let remaining = Number.POSITIVE_INFINITY;
  if (limits.concurrency !== undefined) {
    const [row] = await tx.query<{ n: number }>(
      `SELECT COUNT(*) AS n FROM ${table} WHERE queue_name = $1 AND status = 'PENDING' AND ${inFlight} ${partition}`,
      params,
    );
    remaining = Math.min(remaining, limits.concurrency - Number(row?.n ?? 0));
  }
  if (limits.rateLimit !== undefined) {
    const since = now - limits.rateLimit.periodMs;
    const [row] = await tx.query<{ n: number }>(
      `SELECT COUNT(*) AS n FROM ${table}
       WHERE queue_name = $1 AND started_at_epoch_ms > $${params.length + 1} ${partition}`,
      [...params, since],
    );
    remaining = Math.min(remaining, limits.rateLimit.limitPerPeriod - Number(row?.n ?? 0));
  }
  return remaining;
}

/** Delayed workflows whose time has come become ENQUEUED; returns when the next one is due. */
async function promoteDelayed(tx: QueryRunner, d: Dialect, queueName: string, now: number): Promise<number | null> {
  const table = d.table('workflow_status');
  await tx.query(
    `UPDATE ${table} SET status = 'ENQUEUED', updated_at = $2
     WHERE queue_name = $1 AND status = 'DELAYED' AND ${inFlight} AND delay_until_epoch_ms <= $2`,
    [queueName, now],
  );
  const [row] = await tx.query<{ next: number | null }>(
    `SELECT MIN(delay_until_epoch_ms) AS next FROM ${table} WHERE queue_name = $1 AND status = 'DELAYED' AND ${inFlight}`,
    [queueName],
  );
  return row?.next === null || row?.next === undefined ? null : Number(row.next);
}

/** Whether a claim needs a transaction: shared limits are counted, and delayed workflows promoted, first. */
export function claimNeedsTransaction(request: ClaimRequest, promoteDelayedWorkflows: boolean): boolean {
  return promoteDelayedWorkflows || hasSharedLimit(request.queueLimits) || hasSharedLimit(request.partitionLimits);
}

/**
 * Claim in as few round trips as the limits allow: with no shared limit, one
 * statement (no transaction); with the queue's concurrency alone, one batch
 * (sql/claim-batch.ts, not this function); otherwise the named lock, the
 * counts, and that statement. The claim time is taken after the lock, so rate limits and
 * `dequeuedAt` see when the claim really happened. After a claim whose answer
 * was lost (lost-claims.ts), the rows it claimed come back first, and count
 * against this claim's share.
 */
export async function claimQueuedWorkflows(
  tx: QueryRunner,
  d: Dialect,
  request: ClaimRequest,
  promoteDelayedWorkflows: boolean,
  attempt: ClaimAttempt,
): Promise<ClaimResult> {
  const shared = hasSharedLimit(request.queueLimits) || hasSharedLimit(request.partitionLimits);
  if (shared && d.namedLockStatement) await tx.query(d.namedLockStatement, [`queue:${request.queueName}`]);
  const now = attempt.claimTime();
  const nextDelayedAt = promoteDelayedWorkflows ? await promoteDelayed(tx, d, request.queueName, now) : null;
  const found = attempt.lostTimes.length > 0 ? await selectLostClaims(tx, d, request, attempt.lostTimes) : [];
  const concurrencyInClaim = concurrencyCountedInClaim(request);
  let budget = request.maxTasks - found.length;
  if (concurrencyInClaim === undefined) budget = Math.min(budget, await remainingUnderLimits(tx, d, request, request.queueLimits, undefined, now));
  if (request.partitionKey !== undefined && budget > 0) {
    budget = Math.min(budget, await remainingUnderLimits(tx, d, request, request.partitionLimits, request.partitionKey, now));
  }
  if (!(budget > 0)) return { claimed: found, nextDelayedAt };
  const claim = claimStatement(d, request, { now, budget, concurrency: concurrencyInClaim });
  const rows = await tx.query(claim.sql, claim.params);
  return { claimed: [...found, ...claimedInQueueOrder(rows)], nextDelayedAt };
}

/** The rows this executor claimed in attempts whose answer was lost (lostClaimsStatement). */
async function selectLostClaims(tx: QueryRunner, d: Dialect, request: ClaimRequest, lostTimes: readonly number[]): Promise<ClaimedWorkflow[]> {
  const { sql, params } = lostClaimsStatement(d, request, lostTimes);
  return (await tx.query(sql, params)).map(toClaimedWorkflow);
}

/** A read-only look at a queue: is anything ENQUEUED, and when is the next delayed workflow due? */
export async function peekQueue(
  runner: QueryRunner,
  d: Dialect,
  queueName: string,
): Promise<{ hasEnqueued: boolean; nextDelayedAt: number | null }> {
  const table = d.table('workflow_status');
  const [row] = await runner.query<{ enqueued: number | null; next_delayed: number | null }>(
    `SELECT
       (SELECT 1 FROM ${table} WHERE queue_name = $1 AND status = 'ENQUEUED' AND ${inFlight} LIMIT 1) AS enqueued,
       (SELECT MIN(delay_until_epoch_ms) FROM ${table} WHERE queue_name = $1 AND status = 'DELAYED' AND ${inFlight}) AS next_delayed`,
    [queueName],
  );
  const next = row?.next_delayed;
  return { hasEnqueued: row?.enqueued !== null && row?.enqueued !== undefined, nextDelayedAt: next === null || next === undefined ? null : Number(next) };
}

/** Partition keys of a queue that have workflows waiting. */
export async function selectWaitingPartitions(runner: QueryRunner, d: Dialect, queueName: string): Promise<string[]> {
  const rows = await runner.query<{ key: string }>(
    `SELECT DISTINCT queue_partition_key AS key FROM ${d.table('workflow_status')}
     WHERE queue_name = $1 AND status IN ('ENQUEUED', 'DELAYED') AND ${inFlight} AND queue_partition_key IS NOT NULL`,
    [queueName],
  );
  return rows.map((r) => r.key);
}

/**
 * Put an executor's PENDING workflows back on their queues (directly started
 * ones on `fallbackQueue`), to be claimed again and resumed from their last
 * completed step. Other processes' dequeuers are notified.
 */
export async function requeuePendingWorkflows(
  tx: QueryRunner,
  d: Dialect,
  options: { executorID: string; applicationVersion?: string; queuedOnly: boolean; fallbackQueue: string; now: number },
): Promise<{ workflowID: string; queueName: string }[]> {
  const params: unknown[] = [options.executorID, options.fallbackQueue, options.now];
  let filter = '';
  if (options.applicationVersion !== undefined) {
    params.push(options.applicationVersion);
    filter += ` AND application_version = $${params.length}`;
  }
  if (options.queuedOnly) filter += ' AND queue_name IS NOT NULL';
  const update = `UPDATE ${d.table('workflow_status')}
     SET status = 'ENQUEUED', queue_name = COALESCE(queue_name, $2), started_at_epoch_ms = NULL,
       workflow_deadline_epoch_ms = NULL, updated_at = $3
     WHERE status = 'PENDING' AND executor_id = $1 ${filter}
     RETURNING workflow_uuid, queue_name`;
  const rows = await tx.query<{ workflow_uuid: string; queue_name: string }>(
    d.notifying(update, [{ channel: queueChannel, keyColumn: 'queue_name' }]),
    params as never,
  );
  return rows.map((r) => ({ workflowID: r.workflow_uuid, queueName: r.queue_name }));
}

/**
 * This executor's heartbeat, and whether another executor has been silent since `silentBefore` (epoch ms): one
 * statement, so that an idle process's beat costs one, and the takeover's transaction runs only when needed.
 */
export async function upsertHeartbeat(
  runner: QueryRunner,
  d: Dialect,
  executorID: string,
  applicationVersion: string,
  now: number,
  silentBefore: number,
): Promise<boolean> {
  const executors = d.table('durably_executors');
  const [row] = await runner.query<{ silent: unknown }>(
    `INSERT INTO ${executors} (executor_id, application_version, heartbeat_at, started_at)
     VALUES ($1, $2, $3, $3)
     ON CONFLICT (executor_id) DO UPDATE SET heartbeat_at = $3, application_version = $2
     RETURNING (SELECT COUNT(*) FROM ${executors} WHERE heartbeat_at < $4 AND executor_id <> $1) AS silent`,
    [executorID, applicationVersion, now, silentBefore],
  );
  return Number(row?.silent ?? 0) > 0;
}

/** Executors silent since `cutoff`, removed (each by exactly one caller), so their work can be taken over. */
export async function removeSilentExecutors(tx: QueryRunner, d: Dialect, cutoff: number, self: string): Promise<string[]> {
  const rows = await tx.query<{ executor_id: string }>(
    `DELETE FROM ${d.table('durably_executors')} WHERE heartbeat_at < $1 AND executor_id <> $2 RETURNING executor_id`,
    [cutoff, self],
  );
  return rows.map((r) => r.executor_id);
}
