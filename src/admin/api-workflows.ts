/**
 * The dashboard's workflow API: pages of workflows (keyset-paged, newest
 * first, filtered by status, name, queue, creation time, ID prefix and
 * strandedness, each row marked stranded or not), one
 * workflow with everything it recorded, and the actions on it.
 */
import type { Engine } from '../engine/engine.ts';
import { DBOSAdminRequestError } from '../errors/errors.ts';
import { toPublicStatus } from '../engine/status-mapping.ts';
import { listWorkflowSteps, cancelWorkflows, forkWorkflow, resumeWorkflows } from '../management/workflow-control.ts';
import type { WorkflowPageCursor, WorkflowPageFilter } from '../system-database/dashboard-reads.ts';
import type { WorkflowStatusRecord, WorkflowStatusString } from '../system-database/records.ts';
import { storedForDisplay, toDisplay } from './display-values.ts';
import { badRequest, bodyObject, json, type Reply } from './http-io.ts';
import type { Route } from './router.ts';
import { strandedOnly, strandedTest } from './stranded-marks.ts';

const statuses = new Set(['ENQUEUED', 'DELAYED', 'PENDING', 'SUCCESS', 'ERROR', 'CANCELLED', 'MAX_RECOVERY_ATTEMPTS_EXCEEDED']);
const defaultPageSize = 50;
const maxPageSize = 500;
/** Bounds on what one workflow page shows of its messages, streams and children. */
const detailLimit = 200;
const closedStreamTexts = new Set([JSON.stringify('__DBOS_STREAM_CLOSED__'), '__DBOS_STREAM_CLOSED__']);

async function requireWorkflow(engine: Engine, workflowID: string): Promise<void> {
  if (!(await engine.systemDatabase.getWorkflowStatus(workflowID))) {
    throw new DBOSAdminRequestError(404, 'WORKFLOW_NOT_FOUND', `Workflow ${workflowID} not found`);
  }
}

/** This application's rows and unowned ones; an app-less dashboard (empty name) sees every application's. */
export function ownerScope(engine: Engine): readonly string[] | undefined {
  return engine.identity.applicationName === '' ? undefined : [engine.identity.applicationName];
}

function listParam(url: URL, name: string): string[] | undefined {
  const values = url.searchParams.getAll(name).flatMap((value) => value.split(',')).map((value) => value.trim()).filter(Boolean);
  return values.length === 0 ? undefined : values;
}

function timeParam(url: URL, name: string): number | undefined {
  const value = url.searchParams.get(name);
  if (value === null || value === '') return undefined;
  const epochMs = /^\d+$/.test(value) ? Number(value) : Date.parse(value);
  if (Number.isNaN(epochMs)) throw badRequest(`"${name}" must be an ISO 8601 time or epoch milliseconds, got ${JSON.stringify(value)}.`);
  return epochMs;
}

export function encodeCursor(cursor: WorkflowPageCursor): string {
  return Buffer.from(JSON.stringify([cursor.createdAt, cursor.workflowID])).toString('base64url');
}

function decodeCursor(text: string | null): WorkflowPageCursor | undefined {
  if (text === null || text === '') return undefined;
  try {
    const [createdAt, workflowID] = JSON.parse(Buffer.from(text, 'base64url').toString('utf8')) as unknown[];
    if (typeof createdAt === 'number' && typeof workflowID === 'string') return { createdAt, workflowID };
  } catch {
    // Reported below.
  }
  throw badRequest(`"cursor" is not a cursor this API returned: ${JSON.stringify(text)}.`, 'ADMIN_BAD_CURSOR');
}

export function pageFilter(url: URL, engine: Engine): WorkflowPageFilter {
  const status = listParam(url, 'status');
  const unknown = status?.find((s) => !statuses.has(s));
  if (unknown) throw badRequest(`Unknown status "${unknown}"; statuses are ${[...statuses].join(', ')}.`);
  const limitText = url.searchParams.get('limit');
  const limit = limitText === null ? defaultPageSize : Number(limitText);
  if (!Number.isInteger(limit) || limit < 1 || limit > maxPageSize) throw badRequest(`"limit" must be an integer from 1 to ${maxPageSize}.`);
  const prefix = url.searchParams.get('prefix');
  return {
    statuses: status as WorkflowStatusString[] | undefined,
    workflowNames: listParam(url, 'name'),
    queueNames: listParam(url, 'queue'),
    createdFrom: timeParam(url, 'from'),
    createdTo: timeParam(url, 'to'),
    workflowIDPrefix: prefix ? prefix : undefined,
    ownedBy: ownerScope(engine),
    ...(strandedOnly(url) ? { strandedLiveSinceEpochMs: Date.now() - engine.executorTimeoutMs } : {}),
    after: decodeCursor(url.searchParams.get('cursor')),
    limit,
  };
}

/** A workflow as the tables show it: no inputs or outputs. */
export function workflowSummary(row: WorkflowStatusRecord) {
  const end = row.completedAt ?? null;
  const start = row.startedAtEpochMs ?? row.createdAt;
  return {
    workflowID: row.workflowID,
    status: row.status,
    name: row.workflowName,
    className: row.className,
    queueName: row.queueName,
    createdAt: row.createdAt,
    updatedAt: row.updatedAt,
    startedAt: row.startedAtEpochMs,
    completedAt: end,
    durationMs: end === null ? null : Math.max(0, end - start),
    executorID: row.executorID,
    applicationVersion: row.applicationVersion,
    applicationName: row.applicationName,
    parentWorkflowID: row.parentWorkflowID,
    forkedFrom: row.forkedFrom,
    recoveryAttempts: row.recoveryAttempts,
    priority: row.priority,
    deduplicationID: row.deduplicationID,
    queuePartitionKey: row.queuePartitionKey,
    delayUntil: row.delayUntilEpochMs,
    deadline: row.deadlineEpochMs,
    scheduleName: row.scheduleName,
  };
}

async function listPage(url: URL, engine: Engine): Promise<Reply> {
  const filter = pageFilter(url, engine);
  // One more row than asked tells whether there is a next page, without a count.
  const [rows, stranded] = await Promise.all([
    engine.systemDatabase.dashboard.listWorkflowPage({ ...filter, limit: filter.limit + 1 }),
    strandedTest(engine),
  ]);
  const page = rows.slice(0, filter.limit);
  const last = page[page.length - 1];
  const nextCursor = rows.length > filter.limit && last ? encodeCursor({ createdAt: last.createdAt, workflowID: last.workflowID }) : null;
  return json({ workflows: page.map((row) => ({ ...workflowSummary(row), stranded: stranded(row) })), nextCursor });
}

async function streamsOf(engine: Engine, workflowID: string) {
  const entries = await engine.systemDatabase.dashboard.listStreamEntries(workflowID, detailLimit);
  const byKey = new Map<string, { key: string; values: unknown[]; closed: boolean }>();
  for (const entry of entries) {
    const stream = byKey.get(entry.key) ?? { key: entry.key, values: [], closed: false };
    if (closedStreamTexts.has(entry.value)) stream.closed = true;
    else stream.values.push(await storedForDisplay(entry.value, entry.serialization));
    byKey.set(entry.key, stream);
  }
  return [...byKey.values()];
}

async function workflowDetail(engine: Engine, workflowID: string): Promise<Reply> {
  const { systemDatabase } = engine;
  const row = await systemDatabase.getWorkflowStatus(workflowID);
  if (!row) return json({ error: `Workflow ${workflowID} not found`, code: 'WORKFLOW_NOT_FOUND' }, 404);
  const status = await toPublicStatus(row);
  const [steps, children, parent, events, messages, streams, stranded] = await Promise.all([
    listWorkflowSteps(engine, workflowID),
    systemDatabase.listWorkflows({ parentWorkflowIDs: [workflowID], limit: detailLimit, loadInput: false, loadOutput: false }),
    row.parentWorkflowID ? systemDatabase.getWorkflowStatus(row.parentWorkflowID) : undefined,
    systemDatabase.dashboard.listEvents(workflowID),
    systemDatabase.dashboard.listMessages(workflowID, detailLimit),
    streamsOf(engine, workflowID),
    strandedTest(engine),
  ]);
  return json({
    workflow: {
      ...workflowSummary(row),
      stranded: stranded(row),
      input: toDisplay(status.input),
      output: toDisplay(status.output),
      error: status.error === undefined ? null : toDisplay(status.error),
      authenticatedUser: status.authenticatedUser ?? null,
      authenticatedRoles: status.authenticatedRoles ?? [],
      timeoutMs: row.timeoutMs,
      attributes: status.attributes ?? null,
    },
    steps: (steps ?? []).map((step) => ({
      functionID: step.functionID,
      name: step.name,
      output: toDisplay(step.output),
      error: step.error === null ? null : toDisplay(step.error),
      childWorkflowID: step.childWorkflowID,
      startedAt: step.startedAtEpochMs ?? null,
      completedAt: step.completedAtEpochMs ?? null,
      durationMs: step.startedAtEpochMs !== undefined && step.completedAtEpochMs !== undefined ? step.completedAtEpochMs - step.startedAtEpochMs : null,
    })),
    children: children.map(workflowSummary),
    parent: parent ? workflowSummary(parent) : null,
    events: await Promise.all(events.map(async (e) => ({ key: e.key, value: await storedForDisplay(e.value, e.serialization) }))),
    messages: await Promise.all(
      messages.map(async (m) => ({
        topic: m.topic === '__null__topic__' ? null : m.topic,
        value: await storedForDisplay(m.value, m.serialization),
        createdAt: m.createdAtEpochMs,
        consumed: m.consumed,
      })),
    ),
    streams,
  });
}

export function workflowApiRoutes(engine: Engine): Route[] {
  return [
    { method: 'GET', path: '/api/workflows', handler: ({ url }) => listPage(url, engine) },
    { method: 'GET', path: '/api/workflows/:id', handler: ({ params }) => workflowDetail(engine, params.id!) },
    {
      method: 'POST',
      path: '/api/workflows/:id/cancel',
      handler: async ({ params }) => {
        await requireWorkflow(engine, params.id!);
        await cancelWorkflows(engine, [params.id!]);
        return json({ ok: true });
      },
    },
    {
      method: 'POST',
      path: '/api/workflows/:id/resume',
      handler: async ({ params }) => {
        await resumeWorkflows(engine, [params.id!]);
        return json({ ok: true });
      },
    },
    {
      method: 'POST',
      path: '/api/workflows/:id/fork',
      handler: async ({ params, body }) => {
        const fields = bodyObject(body);
        const startStep = fields.startStep;
        if (typeof startStep !== 'number') throw badRequest(`"startStep" must be an integer >= 0, got ${JSON.stringify(startStep)}.`);
        const newWorkflowID = fields.newWorkflowID;
        if (newWorkflowID !== undefined && (typeof newWorkflowID !== 'string' || newWorkflowID === '')) {
          throw badRequest(`"newWorkflowID" must be a non-empty string, got ${JSON.stringify(newWorkflowID)}.`);
        }
        const handle = await forkWorkflow(engine, params.id!, startStep, { newWorkflowID: newWorkflowID as string | undefined });
        return json({ workflowID: handle.workflowID });
      },
    },
  ];
}
