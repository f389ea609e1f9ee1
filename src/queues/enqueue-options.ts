/**
 * DBOS's EnqueueWorkflowOptions (enqueue by name), and their validation:
 * each bad value is refused naming the option and the value, before anything
 * is written; an unknown option (a typo) is refused too.
 */
import { attributesText } from '../engine/workflow-attributes.ts';
import { DBOSConfigurationError, DBOSInvalidQueuePriorityError } from '../errors/errors.ts';
import type { WorkflowSerializationFormat } from '../types/workflow-types.ts';

export type WorkflowIDReusePolicy = 'return-existing' | 'reject';

export interface EnqueueWorkflowOptions {
  /** The queue to enqueue on. */
  queueName: string;
  /** The registered name of the workflow to run. */
  workflowName: string;
  workflowClassName?: string;
  /** The ConfiguredInstance whose method runs, if any. */
  workflowConfigName?: string;
  /** For idempotency; a new UUID if unset. */
  workflowID?: string;
  /** On a workflow ID already in use: return its handle (default) or throw. */
  workflowIDReusePolicy?: WorkflowIDReusePolicy;
  /** Only executors of this application version run it; any if unset. */
  appVersion?: string;
  /** Timeout in milliseconds, measured from the dequeue. */
  workflowTimeoutMS?: number;
  deduplicationID?: string;
  serializationType?: WorkflowSerializationFormat;
  /** 0 (default, first) to 2^31-1. */
  priority?: number;
  queuePartitionKey?: string;
  delaySeconds?: number;
  /** A plain JSON object stored with the workflow (as StartWorkflowParams.workflowAttributes). */
  attributes?: Record<string, unknown>;
  /** Default: the caller's authenticated user. */
  authenticatedUser?: string;
  authenticatedRoles?: string[];
  /** The application owning the workflow; default: this one. */
  applicationName?: string;
}

export const enqueueOptionKeys: readonly (keyof EnqueueWorkflowOptions)[] = [
  'queueName', 'workflowName', 'workflowClassName', 'workflowConfigName', 'workflowID', 'workflowIDReusePolicy',
  'appVersion', 'workflowTimeoutMS', 'deduplicationID', 'serializationType', 'priority', 'queuePartitionKey',
  'delaySeconds', 'attributes', 'authenticatedUser', 'authenticatedRoles', 'applicationName',
];

const maxPriority = 2 ** 31 - 1;

/** Names the attributes in errors, checked before anything is written. */
export const attributesOption = 'EnqueueWorkflowOptions.attributes';

function refuse(option: string, value: unknown, expected: string): never {
  throw new DBOSConfigurationError(`EnqueueWorkflowOptions.${option} must be ${expected}, got ${JSON.stringify(value)}.`);
}

function checkStrings(options: EnqueueWorkflowOptions): void {
  for (const key of ['queueName', 'workflowName'] as const) {
    if (typeof options[key] !== 'string' || options[key] === '') refuse(key, options[key], 'a non-empty string');
  }
  const optionalStrings = ['workflowClassName', 'workflowConfigName', 'workflowID', 'appVersion', 'deduplicationID',
    'queuePartitionKey', 'authenticatedUser', 'applicationName'] as const;
  for (const key of optionalStrings) {
    const value = options[key];
    if (value !== undefined && (typeof value !== 'string' || (value === '' && key !== 'workflowClassName'))) {
      refuse(key, value, 'a non-empty string');
    }
  }
  const roles = options.authenticatedRoles;
  if (roles !== undefined && (!Array.isArray(roles) || roles.some((r) => typeof r !== 'string'))) {
    refuse('authenticatedRoles', roles, 'an array of strings');
  }
}

function checkNumbers(options: EnqueueWorkflowOptions): void {
  const { priority, delaySeconds, workflowTimeoutMS } = options;
  if (priority !== undefined && (typeof priority !== 'number' || !Number.isInteger(priority) || priority < 0 || priority > maxPriority)) {
    throw new DBOSInvalidQueuePriorityError(priority as number, 0, maxPriority, {
      reason: `a priority is an integer from 0 to ${maxPriority}`,
    });
  }
  if (delaySeconds !== undefined && (typeof delaySeconds !== 'number' || !Number.isFinite(delaySeconds) || delaySeconds < 0)) {
    refuse('delaySeconds', delaySeconds, 'a finite number >= 0');
  }
  if (workflowTimeoutMS !== undefined && (typeof workflowTimeoutMS !== 'number' || !Number.isFinite(workflowTimeoutMS) || workflowTimeoutMS <= 0)) {
    refuse('workflowTimeoutMS', workflowTimeoutMS, 'a positive number of milliseconds');
  }
}

export function validateEnqueueOptions(options: EnqueueWorkflowOptions): void {
  if (typeof options !== 'object' || options === null) refuse('(options)', options, 'an object');
  const unknown = Object.keys(options).filter((key) => !(enqueueOptionKeys as readonly string[]).includes(key));
  if (unknown.length > 0) {
    throw new DBOSConfigurationError(`Unknown EnqueueWorkflowOptions ${unknown.map((k) => `"${k}"`).join(', ')}; known: ${enqueueOptionKeys.join(', ')}.`);
  }
  checkStrings(options);
  checkNumbers(options);
  if (options.workflowIDReusePolicy !== undefined && !['return-existing', 'reject'].includes(options.workflowIDReusePolicy)) {
    refuse('workflowIDReusePolicy', options.workflowIDReusePolicy, '"return-existing" or "reject"');
  }
  if (![undefined, 'native', 'portable'].includes(options.serializationType)) {
    refuse('serializationType', options.serializationType, '"native" or "portable"');
  }
  if (options.attributes != null) attributesText(attributesOption, options.attributes);
  if (options.deduplicationID !== undefined && options.queuePartitionKey !== undefined) {
    throw new DBOSConfigurationError('EnqueueWorkflowOptions: deduplicationID and queuePartitionKey cannot be used together.');
  }
}
