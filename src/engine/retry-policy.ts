/** Step retry policy: pure arithmetic over StepConfig, no I/O. */
import { DBOSConfigurationError } from '../errors/errors.ts';
import type { StepConfig } from '../types/workflow-types.ts';

export interface RetryPolicy {
  readonly maxAttempts: number;
  readonly intervalMs: number;
  readonly backoffRate: number;
}

const maxIntervalMs = 3_600_000;

export function retryPolicy(config: StepConfig, stepName: string): RetryPolicy {
  const timeoutMS = config.timeoutMS;
  if (timeoutMS !== undefined && (!(timeoutMS > 0) || !Number.isFinite(timeoutMS))) {
    throw new DBOSConfigurationError(
      `Invalid timeoutMS (${timeoutMS}) in configuration of step ${stepName}: must be a positive number ` +
        '(a finite number of milliseconds > 0).',
    );
  }
  if (!config.retriesAllowed) return { maxAttempts: 1, intervalMs: 0, backoffRate: 1 };
  const maxAttempts = config.maxAttempts ?? 3;
  const intervalSeconds = config.intervalSeconds ?? 1;
  const backoffRate = config.backoffRate ?? 2;
  if (!Number.isInteger(maxAttempts) || maxAttempts < 1) {
    throw new DBOSConfigurationError(`Step "${stepName}": maxAttempts must be an integer >= 1, got ${maxAttempts}.`);
  }
  if (!(intervalSeconds >= 0) || !Number.isFinite(intervalSeconds)) {
    throw new DBOSConfigurationError(`Step "${stepName}": intervalSeconds must be a finite number >= 0, got ${intervalSeconds}.`);
  }
  if (!(backoffRate >= 1) || !Number.isFinite(backoffRate)) {
    throw new DBOSConfigurationError(`Step "${stepName}": backoffRate must be a finite number >= 1, got ${backoffRate}.`);
  }
  return { maxAttempts, intervalMs: intervalSeconds * 1000, backoffRate };
}

/** Delay before attempt `nextAttempt` (2 for the first retry). */
export function delayBeforeAttemptMs(policy: RetryPolicy, nextAttempt: number): number {
  return Math.min(maxIntervalMs, policy.intervalMs * policy.backoffRate ** (nextAttempt - 2));
}
