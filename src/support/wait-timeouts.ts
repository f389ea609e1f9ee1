/**
 * The timeout argument of the waiting calls (getEvent, recv, getResult): a
 * number of seconds or an options object. Anything else, or a timeout that is
 * not a finite number >= 0, is refused naming the call and the value, instead
 * of being read as "no timeout given" and waiting the default.
 */
import { DBOSConfigurationError } from '../errors/errors.ts';

function checkSeconds(operation: string, value: unknown): void {
  if (value !== undefined && (typeof value !== 'number' || !Number.isFinite(value) || value < 0)) {
    throw new DBOSConfigurationError(`${operation}: timeoutSeconds must be a finite number >= 0, got ${describe(value)}.`);
  }
}

function describe(value: unknown): string {
  return typeof value === 'number' ? String(value) : (JSON.stringify(value) ?? typeof value);
}

/** `options` as DBOS takes it: seconds, or `{ timeoutSeconds }` (and other fields, checked by the caller). */
export function waitOptions<T extends { timeoutSeconds?: number }>(operation: string, options: number | T | undefined): T | undefined {
  if (options === undefined) return undefined;
  if (typeof options === 'number') {
    checkSeconds(operation, options);
    return { timeoutSeconds: options } as T;
  }
  if (typeof options !== 'object' || options === null) {
    throw new DBOSConfigurationError(
      `${operation}: the timeout must be a number of seconds or an options object, got ${describe(options)}.`,
    );
  }
  checkSeconds(operation, options.timeoutSeconds);
  return options;
}

/**
 * The seconds a recv or getEvent waits, as DBOS resolves its options: a number of seconds, or an options object
 * whose `deadlineEpochMS` (the time left until it, 0 if past) wins over `timeoutSeconds`; undefined when
 * neither is given (the call's default applies).
 */
export function waitTimeoutSeconds(
  operation: string,
  options: number | { timeoutSeconds?: number; deadlineEpochMS?: number; pollingIntervalMs?: number } | undefined,
): number | undefined {
  const resolved = waitOptions(operation, options);
  if (resolved === undefined) return undefined;
  checkPositiveOption(operation, 'deadlineEpochMS', resolved.deadlineEpochMS);
  checkPositiveOption(operation, 'pollingIntervalMs', resolved.pollingIntervalMs);
  if (resolved.deadlineEpochMS !== undefined) return Math.max(0, (resolved.deadlineEpochMS - Date.now()) / 1000);
  return resolved.timeoutSeconds;
}

/** A polling interval or deadline given to a wait: a finite number > 0 when set. */
export function checkPositiveOption(operation: string, name: string, value: unknown): void {
  if (value !== undefined && (typeof value !== 'number' || !Number.isFinite(value) || value <= 0)) {
    throw new DBOSConfigurationError(`${operation}: ${name} must be a finite number > 0, got ${describe(value)}.`);
  }
}
