/**
 * DBOS's lifecycle hooks for integrations (event receivers, servers): each
 * registered callback's `initialize()` runs at launch, once the schedulers run and recovery has started in
 * the background (DBOS: after recovery); `destroy()` runs first thing at shutdown;
 * `logRegisteredEndpoints()` on request. Like workflow registrations, the
 * list is process-wide and outlives shutdown (unless `deregister` clears it),
 * so a relaunch initializes the same callbacks again.
 *
 * The alert handler is kept for compatibility only: DBOS calls it for alerts
 * sent by its Conductor, and durably has no Conductor, so it is never called.
 */
import { DBOSConfigurationError, DBOSConflictingRegistrationError } from '../errors/errors.ts';
import type { Engine } from '../engine/engine.ts';
import { describeStaticSchedules } from '../scheduler/scheduled-workflows.ts';
import type { DLogger } from '../telemetry/logger.ts';
import type { AlertHandler, DBOSLifecycleCallback } from '../types/lifecycle-types.ts';

const callbacks: DBOSLifecycleCallback[] = [];
let alertHandler: AlertHandler | undefined;

export function registerLifecycleCallback(callback: DBOSLifecycleCallback): void {
  if (typeof callback !== 'object' || callback === null) {
    throw new DBOSConfigurationError(`DBOS.registerLifecycleCallback expects an object, got ${callback === null ? 'null' : typeof callback}.`);
  }
  for (const method of ['initialize', 'destroy', 'logRegisteredEndpoints'] as const) {
    if (callback[method] !== undefined && typeof callback[method] !== 'function') {
      throw new DBOSConfigurationError(`DBOS.registerLifecycleCallback: "${method}" must be a function, got ${typeof callback[method]}.`);
    }
  }
  if (!callbacks.includes(callback)) callbacks.push(callback);
}

/** At launch, in registration order; the first failure stops the launch. */
export async function initializeLifecycleCallbacks(): Promise<void> {
  for (const callback of callbacks) await callback.initialize?.();
}

/** At shutdown, in reverse registration order (last initialized, first destroyed); failures are logged. */
export async function destroyLifecycleCallbacks(logger: DLogger): Promise<void> {
  for (const callback of [...callbacks].reverse()) {
    try {
      await callback.destroy?.();
    } catch (error) {
      logger.error(`A lifecycle callback's destroy() failed: ${(error as Error)?.message ?? String(error)}`);
    }
  }
}

/** Forget every callback and the alert handler (DBOS.shutdown({ deregister: true })). */
export function clearLifecycleCallbacks(): void {
  callbacks.length = 0;
  alertHandler = undefined;
}

/**
 * Through the launched engine's logger: the static schedules (as DBOS's
 * scheduler did), then each callback's own list. Before launch (no engine)
 * nothing is logged and no callback is asked, as in DBOS.
 */
export function logRegisteredEndpoints(launched: Pick<Engine, 'logger' | 'registry'> | undefined): void {
  if (!launched) return;
  const { logger, registry } = launched;
  const schedules = describeStaticSchedules(registry);
  if (schedules.length > 0) {
    logger.info('Scheduled endpoints:');
    for (const line of schedules) logger.info(`    ${line}`);
  }
  for (const callback of callbacks) callback.logRegisteredEndpoints?.();
}

/** Before launch only, once per process (as in DBOS). Stored, never called: durably has no Conductor. */
export function setAlertHandler(handler: AlertHandler, launched: boolean): void {
  if (typeof handler !== 'function') {
    throw new DBOSConfigurationError(`DBOS.setAlertHandler expects a function, got ${typeof handler}.`);
  }
  if (launched) throw new DBOSConflictingRegistrationError('DBOS.setAlertHandler() must be called before DBOS.launch().');
  if (alertHandler && alertHandler !== handler) {
    throw new DBOSConflictingRegistrationError('DBOS.setAlertHandler(): an alert handler is already set; only one is allowed.');
  }
  alertHandler = handler;
}
