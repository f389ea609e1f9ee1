/**
 * DBOS.launch(options): DBOS's options only connect to its Conductor (remote
 * management over a websocket to DBOS's cloud service). durably has no
 * Conductor. Refusing the options would make code written for DBOS fail to
 * launch over a feature that changes nothing about how workflows run, so
 * launch goes on and says, loudly, that no Conductor is connected and what
 * to use instead. Options of the wrong type or unknown ones are still refused.
 */
import { DBOSConfigurationError } from '../errors/errors.ts';
import type { DBOSLaunchOptions } from '../types/config-types.ts';

const knownLaunchOptions = ['conductorURL', 'conductorKey', 'conductorExecutorMetadata'];

/** Checks the options; returns the warning to log once launched, if any. */
export function checkLaunchOptions(options: DBOSLaunchOptions | undefined): string | undefined {
  if (options === undefined) return undefined;
  if (typeof options !== 'object' || options === null) {
    throw new DBOSConfigurationError(`DBOS.launch() options must be an object, got ${options === null ? 'null' : typeof options}.`);
  }
  for (const [key, value] of Object.entries(options)) {
    if (!knownLaunchOptions.includes(key)) {
      throw new DBOSConfigurationError(`Unknown DBOS.launch() option "${key}". Known options: ${knownLaunchOptions.join(', ')}.`);
    }
    if (key !== 'conductorExecutorMetadata' && value !== undefined && (typeof value !== 'string' || value === '')) {
      throw new DBOSConfigurationError(`DBOS.launch() option "${key}" must be a non-empty string, got ${JSON.stringify(value)}.`);
    }
  }
  if (options.conductorKey === undefined && options.conductorURL === undefined) return undefined;
  return (
    'DBOS.launch() was given a Conductor key or URL, but durably has no Conductor: nothing connects to DBOS Conductor, ' +
    'and the executor ID stays as configured. Workflows run as usual; to manage them, use the DBOS management ' +
    'functions (DBOS.listWorkflows, cancelWorkflow, resumeWorkflow, forkWorkflow) or the admin server and its dashboard.'
  );
}
