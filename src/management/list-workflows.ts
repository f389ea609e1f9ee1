/**
 * Listing workflows, for the DBOS facade (and later the client, admin API and
 * CLI): public GetWorkflowsInput in, validated and turned into one storage
 * filter, public WorkflowStatus out. From workflow code, a listing is a
 * recorded operation, so replay sees the same list.
 */
import { DBOSConfigurationError } from '../errors/errors.ts';
import type { GetWorkflowsInput, WorkflowStatus } from '../types/workflow-types.ts';
import { recordedOperation } from '../engine/checkpoint.ts';
import type { Engine } from '../engine/engine.ts';
import { toPublicStatus } from '../engine/status-mapping.ts';
import { workflowCodeState } from '../engine/workflow-context.ts';
import type { WorkflowListFilter, WorkflowStatusString } from '../system-database/records.ts';
import { count, flag, laterFilterKeys, strings, time, toLaterFilters } from './list-filters.ts';

const supportedKeys = new Set<string>([
  'workflowIDs', 'workflowName', 'status', 'startTime', 'endTime', 'applicationVersion', 'queueName', 'scheduleName',
  'queuesOnly', 'limit', 'offset', 'sortDesc', 'loadInput', 'loadOutput',
  ...laterFilterKeys,
]);

/** The statuses of workflows still on a queue: waiting (or delayed), or dequeued and running. */
const queuedStatuses: readonly WorkflowStatusString[] = ['ENQUEUED', 'DELAYED', 'PENDING'];

/** Validate a GetWorkflowsInput (`what` names the caller in errors) and translate it for storage. */
export function toListFilter(input: GetWorkflowsInput, what: string): WorkflowListFilter {
  if (input === null || typeof input !== 'object') {
    throw new DBOSConfigurationError(`${what}: expected an object of filters, got ${JSON.stringify(input)}.`);
  }
  for (const key of Object.keys(input)) {
    if (!supportedKeys.has(key)) {
      throw new DBOSConfigurationError(
        `${what}: the filter "${key}" is not supported. Supported filters: ${[...supportedKeys].join(', ')}.`,
      );
    }
  }
  return {
    workflowIDs: strings(what, 'workflowIDs', input.workflowIDs),
    workflowNames: strings(what, 'workflowName', input.workflowName),
    statuses: strings(what, 'status', input.status) as WorkflowStatusString[] | undefined,
    createdFrom: time(what, 'startTime', input.startTime),
    createdTo: time(what, 'endTime', input.endTime),
    applicationVersions: strings(what, 'applicationVersion', input.applicationVersion),
    queueNames: strings(what, 'queueName', input.queueName),
    scheduleNames: strings(what, 'scheduleName', input.scheduleName),
    queuesOnly: input.queuesOnly === true,
    limit: count(what, 'limit', input.limit),
    offset: count(what, 'offset', input.offset),
    sortDesc: input.sortDesc === true,
    loadInput: input.loadInput !== false,
    loadOutput: input.loadOutput !== false,
    ...toLaterFilters(input, what),
    ...strandedFilter(input, what),
  };
}

/**
 * `stranded`, judged when the listing runs (the live executors are those with a heartbeat within the
 * engine's executor timeout); the time is filled in by `list`, which knows the engine.
 */
function strandedFilter(input: GetWorkflowsInput, what: string): Pick<WorkflowListFilter, 'stranded'> {
  const only = flag(what, 'stranded', input.stranded);
  return only === undefined ? {} : { stranded: { only, liveSinceEpochMs: Number.NaN } };
}

/** A read that, from workflow code, is recorded under `operationName` (and replayed). */
function recordedRead<T>(operationName: string, read: () => Promise<T>): Promise<T> {
  const workflow = workflowCodeState();
  return workflow ? recordedOperation(workflow, operationName, read) : read();
}

/**
 * DBOS's default ownership scope: without `applicationName`, this
 * application's workflows and unowned ones (a system database may be shared
 * by several applications); a listing by workflow IDs reads any application's.
 */
function withDefaultOwner(engine: Engine, filter: WorkflowListFilter): WorkflowListFilter {
  if (filter.ownedBy !== undefined || filter.workflowIDs !== undefined) return filter;
  // A DBOSClient created without applicationName acts for no application, so it sees them all.
  if (engine.identity.applicationName === '') return filter;
  return { ...filter, ownedBy: [engine.identity.applicationName] };
}

async function list(engine: Engine, filter: WorkflowListFilter): Promise<WorkflowStatus[]> {
  const stranded = filter.stranded && { ...filter.stranded, liveSinceEpochMs: Date.now() - engine.executorTimeoutMs };
  const rows = await engine.systemDatabase.listWorkflows(withDefaultOwner(engine, { ...filter, stranded }));
  return Promise.all(rows.map(toPublicStatus));
}

/** Workflows matching `input`, oldest first unless `sortDesc`. */
export function listWorkflows(engine: Engine, input: GetWorkflowsInput = {}): Promise<WorkflowStatus[]> {
  const filter = toListFilter(input, 'DBOS.listWorkflows');
  return recordedRead('DBOS.listWorkflows', () => list(engine, filter));
}

/**
 * Workflows on a queue that have not finished: ENQUEUED, DELAYED or PENDING
 * (a `status` filter narrows these further). Outputs are not read unless
 * `loadOutput` asks for them.
 */
export function listQueuedWorkflows(engine: Engine, input: GetWorkflowsInput = {}): Promise<WorkflowStatus[]> {
  const filter = toListFilter({ ...input, loadOutput: input?.loadOutput ?? false }, 'DBOS.listQueuedWorkflows');
  const statuses = filter.statuses ? queuedStatuses.filter((s) => filter.statuses!.includes(s)) : queuedStatuses;
  return recordedRead('DBOS.listQueuedWorkflows', () => list(engine, { ...filter, statuses, queuesOnly: true }));
}
