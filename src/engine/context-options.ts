/**
 * DBOS.runWithContext: the generic form of withNextWorkflowID,
 * withWorkflowQueue, withAuthedContext and withWorkflowTimeout. The options
 * apply to the callback only: it runs in a new context built on the current
 * one, so nested calls see their own values and the caller's come back after.
 * Options durably cannot honour are refused rather than ignored.
 */
import { DBOSConfigurationError } from '../errors/errors.ts';
import type { DBOSContextOptions } from '../types/workflow-types.ts';
import type { ExecutionContext } from './workflow-context.ts';

const honoured = new Set<string>([
  'idAssignedForNextWorkflow',
  'queueAssignedForWorkflows',
  'authenticatedUser',
  'authenticatedRoles',
  'assumedRole',
  'workflowTimeoutMS',
  'logger',
]);

/** Why each DBOS option durably refuses is not honoured (DBOSContextOptions and DBOS's older fields). */
const refused: Record<string, string> = {
  serializationType: 'choose the serialization per workflow with WorkflowConfig.serialization',
  request: 'the request in the context is set by the HTTP adapters (durably/express), from the request being handled',
  operationType: 'durably does not record an operation type',
  operationCaller: 'durably does not record a caller name',
};

function checkKeys(options: DBOSContextOptions): void {
  for (const [key, value] of Object.entries(options)) {
    if (value === undefined || honoured.has(key)) continue;
    const why = refused[key];
    throw new DBOSConfigurationError(
      why
        ? `DBOS.runWithContext: the option "${key}" is not supported: ${why}.`
        : `DBOS.runWithContext: unknown option "${key}". Supported: ${[...honoured].join(', ')}.`,
    );
  }
}

function checkString(key: string, value: unknown): void {
  if (value !== undefined && typeof value !== 'string') {
    throw new DBOSConfigurationError(`DBOS.runWithContext: ${key} must be a string, got ${JSON.stringify(value)}.`);
  }
}

function checkValues(options: DBOSContextOptions): void {
  checkString('idAssignedForNextWorkflow', options.idAssignedForNextWorkflow);
  checkString('queueAssignedForWorkflows', options.queueAssignedForWorkflows);
  checkString('authenticatedUser', options.authenticatedUser);
  checkString('assumedRole', options.assumedRole);
  const roles = options.authenticatedRoles;
  if (roles !== undefined && !(Array.isArray(roles) && roles.every((role) => typeof role === 'string'))) {
    throw new DBOSConfigurationError(`DBOS.runWithContext: authenticatedRoles must be an array of strings, got ${JSON.stringify(roles)}.`);
  }
  const logger = options.logger as Partial<Record<string, unknown>> | undefined;
  if (logger !== undefined && !(logger && ['debug', 'info', 'warn', 'error'].every((m) => typeof logger[m] === 'function'))) {
    throw new DBOSConfigurationError('DBOS.runWithContext: logger must have debug, info, warn and error methods.');
  }
  const timeout = options.workflowTimeoutMS;
  if (timeout !== undefined && timeout !== null && !(typeof timeout === 'number' && timeout > 0 && Number.isFinite(timeout))) {
    throw new DBOSConfigurationError(
      `DBOS.runWithContext: workflowTimeoutMS must be a positive number of milliseconds or null, got ${JSON.stringify(timeout)}.`,
    );
  }
}

/** The context `options` make of `current`; only the options given change anything. */
export function contextWithOptions(current: ExecutionContext, options: DBOSContextOptions): ExecutionContext {
  if (options === null || typeof options !== 'object') {
    throw new DBOSConfigurationError(`DBOS.runWithContext: expected an object of options, got ${JSON.stringify(options)}.`);
  }
  checkKeys(options);
  checkValues(options);
  const next: { -readonly [K in keyof ExecutionContext]: ExecutionContext[K] } = { ...current };
  if (options.idAssignedForNextWorkflow !== undefined) {
    next.assignedWorkflowID = { id: options.idAssignedForNextWorkflow, used: false };
  }
  if (options.queueAssignedForWorkflows !== undefined) next.workflowQueueName = options.queueAssignedForWorkflows;
  if (options.authenticatedUser !== undefined) next.authenticatedUser = options.authenticatedUser;
  if (options.authenticatedRoles !== undefined) next.authenticatedRoles = [...options.authenticatedRoles];
  if (options.assumedRole !== undefined) next.assumedRole = options.assumedRole;
  if (options.workflowTimeoutMS !== undefined) next.workflowTimeoutMS = options.workflowTimeoutMS;
  if (options.logger !== undefined) next.callerLogger = options.logger;
  return next;
}
