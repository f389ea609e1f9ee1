/**
 * SQL for listing workflows: one filtered, ordered, paged read of status
 * rows, the base of every listing (queued workflows, management, the admin
 * API). Filters combine with AND; unread value columns come back NULL.
 */
import type { QueryRunner } from '../connection.ts';
import type { Dialect } from '../dialect.ts';
import type { WorkflowListFilter, WorkflowStatusRecord } from '../records.ts';
import { Conditions } from './conditions.ts';
import { strandedCondition } from './stranded-versions.ts';
import { statusColumns, toWorkflowStatusRecord } from './workflows.ts';

/**
 * SQLite accepts OFFSET only after a LIMIT; this one means "no limit" on both
 * backends (Postgres LIMIT takes a bigint).
 */
const noLimit = Number.MAX_SAFE_INTEGER;

/** The filters of DBOS's GetWorkflowsInput beyond name, status, creation time, version, queue and schedule. */
function addLaterFilters(where: Conditions, d: Dialect, filter: WorkflowListFilter): void {
  where.compare('completed_at', '>=', filter.completedFrom);
  where.compare('completed_at', '<=', filter.completedTo);
  where.compare('started_at_epoch_ms', '>=', filter.dequeuedFrom);
  where.compare('started_at_epoch_ms', '<=', filter.dequeuedTo);
  where.anyOf('authenticated_user', filter.authenticatedUsers);
  where.anyOf('executor_id', filter.executorIDs);
  where.anyPrefix('workflow_uuid', filter.workflowIDPrefixes, d.codePointTextOrder);
  where.anyOf('forked_from', filter.forkedFrom);
  if (filter.wasForkedFrom !== undefined) where.add(`was_forked_from = ${where.param(filter.wasForkedFrom)}`);
  if (filter.isFork !== undefined) where.add(`forked_from IS ${filter.isFork ? 'NOT NULL' : 'NULL'}`);
  where.anyOf('parent_workflow_id', filter.parentWorkflowIDs);
  if (filter.hasParent !== undefined) where.add(`parent_workflow_id IS ${filter.hasParent ? 'NOT NULL' : 'NULL'}`);
  if (filter.attributesContain !== undefined) {
    where.add(`attributes IS NOT NULL AND ${d.jsonContains('attributes', where.param(filter.attributesContain))}`);
  }
  where.anyOf('application_name', filter.applicationNames);
  where.ownedByAnyOf('application_name', filter.ownedBy);
  where.anyOf('deduplication_id', filter.deduplicationIDs);
  if (filter.stranded) {
    const condition = strandedCondition(d, where.param(filter.stranded.liveSinceEpochMs));
    where.add(filter.stranded.only ? condition : `NOT ${condition}`);
  }
}

export async function selectWorkflows(
  runner: QueryRunner,
  d: Dialect,
  filter: WorkflowListFilter,
): Promise<WorkflowStatusRecord[]> {
  const where = new Conditions();
  where.anyOf('workflow_uuid', filter.workflowIDs);
  where.anyOf('name', filter.workflowNames);
  where.anyOf('status', filter.statuses);
  where.compare('created_at', '>=', filter.createdFrom);
  where.compare('created_at', '<=', filter.createdTo);
  where.anyOf('application_version', filter.applicationVersions);
  where.anyOf('queue_name', filter.queueNames);
  where.anyOf('schedule_name', filter.scheduleNames);
  if (filter.queuesOnly) where.add('queue_name IS NOT NULL');
  addLaterFilters(where, d, filter);
  const direction = filter.sortDesc ? 'DESC' : 'ASC';
  let paging = '';
  if (filter.limit !== undefined || filter.offset !== undefined) {
    paging = `LIMIT ${where.param(filter.limit ?? noLimit)}`;
    if (filter.offset !== undefined) paging += ` OFFSET ${where.param(filter.offset)}`;
  }
  // The workflow ID breaks ties, so pages of equal timestamps neither overlap nor skip.
  const rows = await runner.query(
    `SELECT ${statusColumns(d, { inputs: filter.loadInput !== false, outputs: filter.loadOutput !== false })} FROM ${d.table('workflow_status')} ${where.where}
     ORDER BY created_at ${direction}, workflow_uuid ${direction} ${paging}`,
    where.params,
  );
  return rows.map(toWorkflowStatusRecord);
}
