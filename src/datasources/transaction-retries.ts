/**
 * Retrying a transaction the database aborted for concurrency (a serialization failure, a deadlock, a busy
 * SQLite file): DBOS's backoff, 1 ms growing by 1.5x up to 2 s, with jitter so that transactions that
 * collided do not collide again in step. Pure: no I/O.
 */

export const firstRetryDelayMs = 1;
export const retryBackoffFactor = 1.5;
export const maxRetryDelayMs = 2_000;
/**
 * DBOS retries forever; durably gives up after this many attempts (about four minutes of backoff) and
 * surfaces the database's last error, so a livelocked transaction fails instead of hanging its workflow.
 */
export const maxTransactionAttempts = 150;

/** The pause before attempt `attempt + 1` (attempt counts from 1): the backoff ceiling, jittered down by up to half. */
export function retryDelayMs(attempt: number): number {
  const ceiling = Math.min(maxRetryDelayMs, firstRetryDelayMs * retryBackoffFactor ** (attempt - 1));
  return ceiling * (0.5 + Math.random() / 2);
}
