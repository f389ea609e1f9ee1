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

/** A polling interval or deadline given to a wait: a finite number > 0 when set. */
export function checkPositiveOption(operation: string, name: string, value: unknown): void {
  if (value !== undefined && (typeof value !== 'number' || !Number.isFinite(value) || value <= 0)) {
    throw new DBOSConfigurationError(`${operation}: ${name} must be a finite number > 0, got ${describe(value)}.`);
  }
}
