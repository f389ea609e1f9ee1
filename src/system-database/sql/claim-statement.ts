/**
 * The claim statement itself, shared by the two ways a claim runs (sql/queues.ts): as a step of a transaction
 * that reads its budget first, or as the last statement of a batch sent at once (sql/claim-batch.ts), which
 * computes all of its budget in SQL. Either way it marks up to its LIMIT of the queue's startable workflows
 * PENDING under this executor and returns them.
 */
import type { Row, SqlValue, Statement } from '../connection.ts';
import type { Dialect } from '../dialect.ts';
import type { ClaimedWorkflow, ClaimRequest } from '../claim-records.ts';
import { statusColumns, toWorkflowStatusRecord } from './workflows.ts';

/**
 * The WHERE of the partial dequeue index (queue_name, status, priority,
 * created_at), repeated in each query on it: SQLite's planner uses a partial
 * index only when the query states its terms (it does not see that
 * `status = 'ENQUEUED'` implies them), and otherwise scans the whole table,
 * finished workflows included. Postgres proves the implication itself.
 */
export const inFlight = `status IN ('ENQUEUED', 'DELAYED', 'PENDING') AND queue_name IS NOT NULL`;

/**
 * A queue whose one shared limit is its concurrency (no rate limit, no
 * partition) has it counted by the claim statement itself, in its LIMIT: one
 * round trip less per claim. As exact as a count of its own: the statement
 * runs after the queue's lock (on Postgres with a snapshot of its own, so it
 * sees every claim committed before), or under SQLite's single writer.
 */
export function concurrencyCountedInClaim(request: ClaimRequest): number | undefined {
  const { concurrency, rateLimit } = request.queueLimits;
  return request.partitionKey === undefined && rateLimit === undefined ? concurrency : undefined;
}

export interface ClaimStatementOptions {
  /** When the claim happens: its rows' started_at_epoch_ms (and, for lost-claims.ts, the attempt's name). */
  now: number;
  /** Most rows to claim, before the queue's concurrency (if counted here) and the lost rows lower it. */
  budget: number;
  /** The queue's global concurrency, to count in the LIMIT (concurrencyCountedInClaim), if any. */
  concurrency?: number;
  /**
   * Claim times of this executor's attempts whose answer was lost: their rows (returned by another statement
   * of the same transaction) use up part of the budget, counted here in SQL. Empty when the caller already
   * subtracted them.
   */
  lostTimes?: readonly number[];
}

/**
 * The UPDATE finds its rows by primary key only, not also by `status = 'ENQUEUED'`: the candidates are still
 * ENQUEUED (on Postgres, FOR UPDATE SKIP LOCKED rechecks the WHERE on the row it locks, and the lock holds it;
 * SQLite runs the statement alone), and a status term there let Postgres, its statistics taken while the
 * queue was empty, walk the queue's whole ENQUEUED range in the dequeue index for every candidate: a claim
 * under a 5,000-task backlog read 5,700 index entries (6 ms) instead of 8 primary-key lookups.
 */
export function claimStatement(d: Dialect, request: ClaimRequest, options: ClaimStatementOptions): Statement {
  const table = d.table('workflow_status');
  const params: SqlValue[] = [request.queueName, request.applicationVersion, options.now, request.executorID, Math.floor(options.budget), request.applicationName];
  if (request.partitionKey !== undefined) params.push(request.partitionKey);
  const partition = request.partitionKey === undefined ? '' : 'AND queue_partition_key = $7';
  const lostTimes = options.lostTimes ?? [];
  const budget = lostTimes.length === 0 ? '$5' : budgetAfterLostRows(table, '$5', lostClaimsCondition(request, params, lostTimes));
  const limit = options.concurrency === undefined ? budget : limitUnderConcurrency(table, budget, `$${params.push(options.concurrency)}`);
  const sql = `WITH candidates AS MATERIALIZED (
         SELECT workflow_uuid FROM ${table}
         WHERE queue_name = $1 AND status = 'ENQUEUED' AND ${inFlight} AND (application_version IS NULL OR application_version = $2)
           AND (application_name IS NULL OR application_name = $6) ${partition}
         ORDER BY priority, created_at LIMIT ${limit} ${d.skipLocked})
     UPDATE ${table} SET status = 'PENDING', executor_id = $4, application_version = COALESCE(application_version, $2),
       application_name = COALESCE(application_name, $6),
       started_at_epoch_ms = $3, updated_at = $3, recovery_attempts = recovery_attempts + 1,
       workflow_deadline_epoch_ms = CASE
         WHEN workflow_timeout_ms IS NOT NULL AND workflow_deadline_epoch_ms IS NULL THEN $3 + workflow_timeout_ms
         ELSE workflow_deadline_epoch_ms END
     WHERE workflow_uuid IN (SELECT workflow_uuid FROM candidates)
     RETURNING ${claimedColumns(d, table)}`;
  return { sql, params };
}

/**
 * The rows of this executor's lost claim attempts (lost-claims.ts), as a condition on workflow_status: PENDING
 * here, in this queue (and partition), stamped with one of those attempts' claim times. The queue name is $1;
 * the other values are appended to `params`.
 */
function lostClaimsCondition(request: ClaimRequest, params: SqlValue[], lostTimes: readonly number[]): string {
  const executor = `$${params.push(request.executorID)}`;
  const partition = request.partitionKey === undefined ? '' : `AND queue_partition_key = $${params.push(request.partitionKey)}`;
  const times = lostTimes.map((time) => `$${params.push(time)}`).join(', ');
  return `queue_name = $1 AND status = 'PENDING' AND ${inFlight} AND executor_id = ${executor} ${partition}
       AND started_at_epoch_ms IN (${times})`;
}

/** `budget` less the lost rows, never below 0 (SQLite reads a negative LIMIT as none). */
function budgetAfterLostRows(table: string, budget: string, lostCondition: string): string {
  return `(SELECT CASE WHEN left_over.n < 0 THEN 0 ELSE left_over.n END
           FROM (SELECT ${budget} - COUNT(*) AS n FROM ${table} WHERE ${lostCondition}) AS left_over)`;
}

/** The `budget`, lowered to the slots `concurrency` leaves free; never below 0 (SQLite reads a negative LIMIT as none). */
function limitUnderConcurrency(table: string, budget: string, concurrency: string): string {
  return `(SELECT CASE WHEN free.n <= 0 THEN 0 WHEN free.n < ${budget} THEN free.n ELSE ${budget} END
           FROM (SELECT ${concurrency} - COUNT(*) AS n FROM ${table}
                 WHERE queue_name = $1 AND status = 'PENDING' AND ${inFlight}) AS free)`;
}

/**
 * A claimed row's columns: its status, and whether an earlier execution recorded operations. Not its output
 * or error: a claimed workflow is to run, and nothing that starts it reads them (two lookups less per row).
 */
export function claimedColumns(d: Dialect, table: string): string {
  return `${statusColumns(d, { outputs: false })}, EXISTS (
       SELECT 1 FROM ${d.table('operation_outputs')} AS o WHERE o.workflow_uuid = ${table}.workflow_uuid) AS has_outcomes`;
}

export function toClaimedWorkflow(row: Row): ClaimedWorkflow {
  return { ...toWorkflowStatusRecord(row), hasRecordedOperations: Boolean(row.has_outcomes) };
}

/**
 * The claim statement's rows in queue order (priority, then age), the order they start in. RETURNING has no
 * order of its own: it follows the plan, and the plan that finds the rows by primary key yields them in hash
 * or key order, not in the candidates' order.
 */
export function claimedInQueueOrder(rows: readonly Row[]): ClaimedWorkflow[] {
  return rows.map(toClaimedWorkflow).sort((a, b) => a.priority - b.priority || a.createdAt - b.createdAt);
}

/**
 * The rows this executor claimed in attempts whose answer was lost, oldest first. Read only after such a loss:
 * before a claim that subtracts them from its budget (claimStatement's `lostTimes`, or the caller).
 */
export function lostClaimsStatement(d: Dialect, request: ClaimRequest, lostTimes: readonly number[]): Statement {
  const table = d.table('workflow_status');
  const params: SqlValue[] = [request.queueName];
  const condition = lostClaimsCondition(request, params, lostTimes);
  return { sql: `SELECT ${claimedColumns(d, table)} FROM ${table} WHERE ${condition} ORDER BY priority, created_at`, params };
}
