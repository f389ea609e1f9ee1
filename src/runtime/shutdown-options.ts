/**
 * DBOS.shutdown()'s options, validated before anything is stopped: a bad
 * value is refused with the runtime still fully running.
 */
import { DBOSConfigurationError } from '../errors/errors.ts';

export interface ShutdownOptions {
  /** After stopping, forget every registration so tests can register the same names again (runtime/deregister.ts). */
  deregister?: boolean;
  /**
   * How long to let the workflows running here finish before interrupting them; default: the config option
   * of the same name, else 0 (no wait).
   */
  workflowCompletionTimeoutMS?: number;
}

/** Node's timers hold at most this many milliseconds. */
const maxTimeoutMs = 2 ** 31 - 1;

/** The grace period in milliseconds (undefined when not given); throws on a bad option. */
export function validateShutdownOptions(options: ShutdownOptions | undefined): number | undefined {
  if (options === undefined) return undefined;
  if (options === null || typeof options !== 'object') {
    throw new DBOSConfigurationError(`DBOS.shutdown() takes an options object or nothing, got ${describe(options)}.`);
  }
  const { deregister, workflowCompletionTimeoutMS: timeout } = options;
  if (deregister !== undefined && typeof deregister !== 'boolean') {
    throw new DBOSConfigurationError(`DBOS.shutdown(): deregister must be a boolean, got ${describe(deregister)}.`);
  }
  return validateCompletionTimeout(timeout, 'DBOS.shutdown(): workflowCompletionTimeoutMS');
}

/** A grace period in milliseconds, or undefined; `what` names the option in the error. */
export function validateCompletionTimeout(timeout: unknown, what: string): number | undefined {
  if (timeout === undefined) return undefined;
  if (typeof timeout !== 'number' || !Number.isFinite(timeout) || timeout < 0 || timeout > maxTimeoutMs) {
    throw new DBOSConfigurationError(`${what} must be a number of milliseconds from 0 to ${maxTimeoutMs}, got ${describe(timeout)}.`);
  }
  return timeout;
}

function describe(value: unknown): string {
  if (typeof value !== 'string' && typeof value !== 'object') return String(value);
  try {
    return JSON.stringify(value);
  } catch {
    return String(value);
  }
}
