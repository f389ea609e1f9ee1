/**
 * DBOS's admin routes, with DBOS's paths, bodies and answers (the
 * reference's admin server section), so operators' scripts keep working.
 * Stricter than DBOS where DBOS was unsafe or silent: bodies must be JSON
 * with a JSON content type, unknown body fields and bad values are 400s, an
 * unknown workflow is a 404.
 */
import { listQueuedWorkflows, listWorkflows } from '../management/list-workflows.ts';
import { cancelWorkflows, forkWorkflow, garbageCollect, listWorkflowSteps, resumeWorkflows } from '../management/workflow-control.ts';
import { toPublicStatus } from '../engine/status-mapping.ts';
import { DBOSAdminRequestError } from '../errors/errors.ts';
import type { GetWorkflowsInput } from '../types/workflow-types.ts';
import type { AdminTarget } from './admin-target.ts';
import { stepOutput, workflowsOutput } from './dbos-shapes.ts';
import { badRequest, bodyObject, json, noContent } from './http-io.ts';
import type { Route } from './router.ts';

/** DBOS's snake_case body fields → GetWorkflowsInput keys. */
const listFields: Record<string, keyof GetWorkflowsInput> = {
  workflow_uuids: 'workflowIDs',
  workflow_name: 'workflowName',
  authenticated_user: 'authenticatedUser',
  start_time: 'startTime',
  end_time: 'endTime',
  completed_after: 'completedAfter',
  completed_before: 'completedBefore',
  dequeued_after: 'dequeuedAfter',
  dequeued_before: 'dequeuedBefore',
  status: 'status',
  application_version: 'applicationVersion',
  forked_from: 'forkedFrom',
  parent_workflow_id: 'parentWorkflowID',
  queue_name: 'queueName',
  limit: 'limit',
  offset: 'offset',
  sort_desc: 'sortDesc',
  workflow_id_prefix: 'workflow_id_prefix',
  load_input: 'loadInput',
  load_output: 'loadOutput',
  executor_id: 'executorId',
  queues_only: 'queuesOnly',
  was_forked_from: 'wasForkedFrom',
  has_parent: 'hasParent',
  attributes: 'attributes',
  schedule_name: 'scheduleName',
  application_name: 'applicationName',
};

/** A list body as GetWorkflowsInput; values are checked by the listing itself (DBOSConfigurationError → 400). */
function listInput(body: unknown): GetWorkflowsInput {
  const input: Record<string, unknown> = { loadInput: false, loadOutput: false };
  for (const [field, value] of Object.entries(bodyObject(body))) {
    const key = listFields[field];
    if (!key) throw badRequest(`Unknown field "${field}" in the list body; known fields: ${Object.keys(listFields).join(', ')}.`);
    if (value !== null && value !== undefined) input[key] = value;
  }
  return input as GetWorkflowsInput;
}

function optionalNumber(body: Record<string, unknown>, field: string): number | undefined {
  const value = body[field];
  if (value === undefined || value === null) return undefined;
  if (typeof value !== 'number' || !Number.isFinite(value)) throw badRequest(`"${field}" must be a number, got ${JSON.stringify(value)}.`);
  return value;
}

function optionalString(body: Record<string, unknown>, field: string): string | undefined {
  const value = body[field];
  if (value === undefined || value === null) return undefined;
  if (typeof value !== 'string' || value === '') throw badRequest(`"${field}" must be a non-empty string, got ${JSON.stringify(value)}.`);
  return value;
}

/** Cancel every unfinished workflow created at or before the cutoff (DBOS's global timeout), in batches. */
async function cancelCreatedBefore(target: AdminTarget, cutoffEpochMs: number): Promise<void> {
  const endTime = new Date(cutoffEpochMs).toISOString();
  for (;;) {
    const batch = await listWorkflows(target.engine, {
      status: ['PENDING', 'ENQUEUED', 'DELAYED'], endTime, limit: 500, loadInput: false, loadOutput: false,
    });
    if (batch.length === 0) return;
    await cancelWorkflows(target.engine, batch.map((workflow) => workflow.workflowID), { cancelChildren: false });
  }
}

/** 404 for an unknown workflow (cancelling one is otherwise a silent no-op). */
async function requireWorkflow(target: AdminTarget, workflowID: string): Promise<void> {
  if (!(await target.engine.systemDatabase.getWorkflowStatus(workflowID))) {
    throw new DBOSAdminRequestError(404, 'WORKFLOW_NOT_FOUND', `Workflow ${workflowID} not found`);
  }
}

export function dbosRoutes(target: AdminTarget): Route[] {
  const { engine } = target;
  return [
    { method: 'GET', path: '/dbos-healthz', handler: () => ({ status: 200, text: 'healthy' }) },
    {
      method: 'POST',
      path: '/dbos-workflow-recovery',
      handler: async ({ body }) => {
        if (!Array.isArray(body) || !body.every((id) => typeof id === 'string' && id !== '')) {
          throw badRequest(`The body must be a JSON array of executor IDs, got ${JSON.stringify(body)}.`);
        }
        return json(await target.recover(body as string[]));
      },
    },
    {
      method: 'GET',
      path: '/dbos-workflow-queues-metadata',
      handler: async () =>
        json(
          (await target.queues()).map((queue) => ({
            name: queue.name,
            concurrency: queue.concurrency,
            workerConcurrency: queue.workerConcurrency,
            rateLimit: queue.rateLimit,
            partitionConcurrency: queue.partitionConcurrency,
            partitionWorkerConcurrency: queue.partitionWorkerConcurrency,
            partitionRateLimit: queue.partitionRateLimit,
          })),
        ),
    },
    {
      method: 'GET',
      path: '/deactivate',
      handler: async () => {
        await target.deactivate();
        return { status: 200, text: 'Deactivated' };
      },
    },
    {
      method: 'POST',
      path: '/workflows',
      handler: async ({ body }) => json((await listWorkflows(engine, listInput(body))).map(workflowsOutput)),
    },
    {
      method: 'POST',
      path: '/queues',
      handler: async ({ body }) => json((await listQueuedWorkflows(engine, listInput(body))).map(workflowsOutput)),
    },
    {
      method: 'GET',
      path: '/workflows/:id',
      handler: async ({ params }) => {
        const row = await engine.systemDatabase.getWorkflowStatus(params.id!);
        if (!row) return json({ error: `Workflow ${params.id} not found`, code: 'WORKFLOW_NOT_FOUND' }, 404);
        return json(workflowsOutput(await toPublicStatus(row)));
      },
    },
    {
      method: 'GET',
      path: '/workflows/:id/steps',
      handler: async ({ params }) => {
        const steps = await listWorkflowSteps(engine, params.id!);
        if (!steps) return json({ error: `Workflow ${params.id} not found`, code: 'WORKFLOW_NOT_FOUND' }, 404);
        return json(steps.map(stepOutput));
      },
    },
    {
      method: 'POST',
      path: '/workflows/:id/cancel',
      handler: async ({ params }) => {
        await requireWorkflow(target, params.id!);
        await cancelWorkflows(engine, [params.id!]);
        return noContent;
      },
    },
    {
      method: 'POST',
      path: '/workflows/:id/resume',
      handler: async ({ params }) => {
        await resumeWorkflows(engine, [params.id!]);
        return noContent;
      },
    },
    {
      method: 'POST',
      path: '/workflows/:id/restart',
      handler: async ({ params }) => json({ workflow_id: (await forkWorkflow(engine, params.id!, 0)).workflowID }),
    },
    {
      method: 'POST',
      path: '/workflows/:id/fork',
      handler: async ({ params, body }) => {
        const fields = bodyObject(body);
        const startStep = fields.start_step;
        if (startStep === undefined || startStep === null) throw badRequest('Missing start_step in request body');
        if (typeof startStep !== 'number') throw badRequest(`"start_step" must be an integer >= 0, got ${JSON.stringify(startStep)}.`);
        const handle = await forkWorkflow(engine, params.id!, startStep, {
          newWorkflowID: optionalString(fields, 'new_workflow_id'),
          applicationVersion: optionalString(fields, 'application_version'),
          timeoutMS: optionalNumber(fields, 'timeout_ms'),
          queueName: optionalString(fields, 'queue_name'),
          queuePartitionKey: optionalString(fields, 'queue_partition_key'),
        });
        return json({ workflow_id: handle.workflowID });
      },
    },
    {
      method: 'POST',
      path: '/dbos-garbage-collect',
      handler: async ({ body }) => {
        const fields = bodyObject(body);
        await garbageCollect(engine, {
          cutoffEpochTimestampMs: optionalNumber(fields, 'cutoff_epoch_timestamp_ms'),
          rowsThreshold: optionalNumber(fields, 'rows_threshold'),
        });
        return noContent;
      },
    },
    {
      method: 'POST',
      path: '/dbos-global-timeout',
      handler: async ({ body }) => {
        const cutoff = optionalNumber(bodyObject(body), 'cutoff_epoch_timestamp_ms');
        if (cutoff === undefined) throw badRequest('Missing cutoff_epoch_timestamp_ms in request body');
        await cancelCreatedBefore(target, cutoff);
        return noContent;
      },
    },
  ];
}
