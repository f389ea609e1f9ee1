/** Options shared by the communication operations. */
import { DBOSConfigurationError } from '../errors/errors.ts';

/** Timeouts are given in seconds, as in DBOS; 60 s by default. */
export function timeoutMs(timeoutSeconds: number | undefined, operation: string): number {
  const seconds = timeoutSeconds ?? 60;
  if (typeof seconds !== 'number' || !(seconds >= 0) || Number.isNaN(seconds)) {
    throw new DBOSConfigurationError(`${operation}: timeoutSeconds must be a number >= 0, got ${JSON.stringify(timeoutSeconds)}.`);
  }
  return seconds * 1000;
}
