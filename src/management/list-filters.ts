/**
 * Validating listing filters: each GetWorkflowsInput value is checked for its
 * type (a clear error naming the filter and the value, never a silent
 * "match everything"), then translated to its storage filter. The filters
 * here are those DBOS added beyond the first ones (see list-workflows.ts).
 */
import { DBOSConfigurationError } from '../errors/errors.ts';
import type { GetWorkflowsInput } from '../types/workflow-types.ts';
import type { WorkflowListFilter } from '../system-database/records.ts';
import { attributesText } from '../engine/workflow-attributes.ts';

export const laterFilterKeys = [
  'completedAfter', 'completedBefore', 'dequeuedAfter', 'dequeuedBefore', 'authenticatedUser', 'executorId',
  'workflow_id_prefix', 'workflowIdPrefix', 'forkedFrom', 'wasForkedFrom', 'isFork', 'parentWorkflowID', 'hasParent',
  'attributes', 'applicationName', 'stranded',
] as const;

export function strings(what: string, key: string, value: unknown): string[] | undefined {
  if (value === undefined) return undefined;
  const list = Array.isArray(value) ? value : [value];
  if (!list.every((item) => typeof item === 'string')) {
    throw new DBOSConfigurationError(`${what}: ${key} must be a string or an array of strings, got ${JSON.stringify(value)}.`);
  }
  return list as string[];
}

export function time(what: string, key: string, value: unknown): number | undefined {
  if (value === undefined) return undefined;
  const epochMs = typeof value === 'string' ? Date.parse(value) : Number.NaN;
  if (Number.isNaN(epochMs)) {
    throw new DBOSConfigurationError(`${what}: ${key} must be an ISO 8601 timestamp such as "2026-01-31T12:00:00Z", got ${JSON.stringify(value)}.`);
  }
  return epochMs;
}

export function count(what: string, key: string, value: unknown): number | undefined {
  if (value === undefined) return undefined;
  if (typeof value !== 'number' || !Number.isInteger(value) || value < 0) {
    throw new DBOSConfigurationError(`${what}: ${key} must be an integer >= 0, got ${JSON.stringify(value)}.`);
  }
  return value;
}

export function flag(what: string, key: string, value: unknown): boolean | undefined {
  if (value === undefined) return undefined;
  if (typeof value !== 'boolean') {
    throw new DBOSConfigurationError(`${what}: ${key} must be true or false, got ${JSON.stringify(value)}.`);
  }
  return value;
}

/** workflow_id_prefix is DBOS's name; workflowIdPrefix is accepted too, but not both at once. */
function prefixes(what: string, input: GetWorkflowsInput): string[] | undefined {
  if (input.workflow_id_prefix !== undefined && input.workflowIdPrefix !== undefined) {
    throw new DBOSConfigurationError(`${what}: give workflow_id_prefix or workflowIdPrefix, not both.`);
  }
  const key = input.workflowIdPrefix !== undefined ? 'workflowIdPrefix' : 'workflow_id_prefix';
  return strings(what, key, input.workflowIdPrefix ?? input.workflow_id_prefix);
}

export function toLaterFilters(input: GetWorkflowsInput, what: string): Partial<WorkflowListFilter> {
  return {
    completedFrom: time(what, 'completedAfter', input.completedAfter),
    completedTo: time(what, 'completedBefore', input.completedBefore),
    dequeuedFrom: time(what, 'dequeuedAfter', input.dequeuedAfter),
    dequeuedTo: time(what, 'dequeuedBefore', input.dequeuedBefore),
    authenticatedUsers: strings(what, 'authenticatedUser', input.authenticatedUser),
    executorIDs: strings(what, 'executorId', input.executorId),
    workflowIDPrefixes: prefixes(what, input),
    forkedFrom: strings(what, 'forkedFrom', input.forkedFrom),
    wasForkedFrom: flag(what, 'wasForkedFrom', input.wasForkedFrom),
    isFork: flag(what, 'isFork', input.isFork),
    parentWorkflowIDs: strings(what, 'parentWorkflowID', input.parentWorkflowID),
    hasParent: flag(what, 'hasParent', input.hasParent),
    attributesContain: input.attributes === undefined ? undefined : attributesText(`${what}: attributes`, input.attributes),
    // As DBOS: the named applications' workflows and the unowned ones (see list-workflows.ts for the default).
    ownedBy: strings(what, 'applicationName', input.applicationName),
  };
}
