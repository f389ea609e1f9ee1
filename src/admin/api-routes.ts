/**
 * The dashboard's JSON API under /api/: workflows (api-workflows.ts),
 * queues with their limits and depth, schedules, executors, application
 * versions, and the change stream. camelCase JSON; times in epoch ms.
 */
import type { Engine } from '../engine/engine.ts';
import { deserializeValue, defaultSerialization } from '../engine/serialization.ts';
import { listApplicationVersions, setLatestApplicationVersion } from '../management/application-versions.ts';
import { backfillSchedule, setScheduleStatus, triggerSchedule } from '../scheduler/dynamic-schedules.ts';
import { backfillScheduleByName, triggerScheduleByName } from '../scheduler/schedules-by-name.ts';
import type { ScheduleRecord } from '../system-database/records.ts';
import type { AdminTarget } from './admin-target.ts';
import { ownerScope, workflowApiRoutes } from './api-workflows.ts';
import type { ChangeFeed } from './change-feed.ts';
import { toDisplay } from './display-values.ts';
import { badRequest, bodyObject, json, type Reply } from './http-io.ts';
import type { Route } from './router.ts';

/** The window of the queues' throughput figure. */
const throughputWindowMs = 5 * 60_000;

async function queues(target: AdminTarget): Promise<Reply> {
  const reads = target.engine.systemDatabase.dashboard;
  const [known, depths, throughput] = await Promise.all([
    target.queues(),
    reads.queueDepths(),
    reads.queueThroughput(Date.now() - throughputWindowMs),
  ]);
  const names = new Set([...known.map((q) => q.name), ...depths.map((d) => d.queueName)]);
  const result = [];
  for (const name of [...names].sort()) {
    const queue = known.find((q) => q.name === name);
    const depth = { ENQUEUED: 0, DELAYED: 0, PENDING: 0 } as Record<string, number>;
    for (const row of depths) if (row.queueName === name) depth[row.status] = row.count;
    const waiting = depth.ENQUEUED! + depth.DELAYED! > 0 ? await reads.oldestWaiting(name) : undefined;
    result.push({
      name,
      known: queue !== undefined,
      databaseBacked: queue?.databaseBacked ?? null,
      limits: queue
        ? {
            concurrency: queue.concurrency ?? null,
            workerConcurrency: queue.workerConcurrency ?? null,
            rateLimit: queue.rateLimit ?? null,
            partitionConcurrency: queue.partitionConcurrency ?? null,
            partitionWorkerConcurrency: queue.partitionWorkerConcurrency ?? null,
            partitionRateLimit: queue.partitionRateLimit ?? null,
          }
        : null,
      depth,
      oldestWaiting: waiting ?? null,
      completedRecently: throughput.find((t) => t.queueName === name)?.completed ?? 0,
    });
  }
  return json({ queues: result, throughputWindowMs });
}

function scheduleView(record: ScheduleRecord) {
  let context: unknown;
  try {
    context = toDisplay(deserializeValue(record.context, defaultSerialization));
  } catch {
    context = record.context;
  }
  return {
    scheduleName: record.scheduleName,
    workflowName: record.workflowName,
    workflowClassName: record.workflowClassName,
    schedule: record.schedule,
    status: record.status,
    context,
    lastFiredAt: record.lastFiredAt,
    automaticBackfill: record.automaticBackfill,
    cronTimezone: record.cronTimezone,
    queueName: record.queueName,
    applicationName: record.applicationName,
  };
}

function dateField(fields: Record<string, unknown>, name: string): Date {
  const value = fields[name];
  const date = typeof value === 'string' || typeof value === 'number' ? new Date(value) : undefined;
  if (!date || Number.isNaN(date.getTime())) throw badRequest(`"${name}" must be an ISO 8601 time, got ${JSON.stringify(value)}.`);
  return date;
}

/** Trigger and backfill run here when this process runs the workflows; else they are enqueued by name (schedules-by-name.ts). */
function scheduleRuns(target: AdminTarget) {
  const { engine } = target;
  if (target.runsWorkflows) {
    return { trigger: (name: string) => triggerSchedule(engine, name), backfill: (name: string, start: Date, end: Date) => backfillSchedule(engine, name, start, end) };
  }
  return {
    trigger: (name: string) => triggerScheduleByName(engine, name, 'The dashboard\'s schedule trigger'),
    backfill: (name: string, start: Date, end: Date) => backfillScheduleByName(engine, name, start, end, 'The dashboard\'s schedule backfill'),
  };
}

function scheduleRoutes(target: AdminTarget): Route[] {
  const { engine } = target;
  const runs = scheduleRuns(target);
  const owner = ownerScope(engine)?.[0];
  const action = (path: string, run: (name: string, body: unknown) => Promise<unknown>): Route => ({
    method: 'POST',
    path: `/api/schedules/:name/${path}`,
    handler: async ({ params, body }) => json((await run(params.name!, body)) ?? { ok: true }),
  });
  return [
    {
      method: 'GET',
      path: '/api/schedules',
      handler: async () => json({ schedules: (await engine.systemDatabase.schedules.list({ ownedBy: owner })).map(scheduleView) }),
    },
    action('pause', (name) => setScheduleStatus(engine, name, 'PAUSED')),
    action('resume', (name) => setScheduleStatus(engine, name, 'ACTIVE')),
    action('trigger', async (name) => ({ workflowID: (await runs.trigger(name)).workflowID })),
    action('backfill', async (name, body) => {
      const fields = bodyObject(body);
      const handles = await runs.backfill(name, dateField(fields, 'start'), dateField(fields, 'end'));
      return { workflowIDs: handles.map((handle) => handle.workflowID) };
    }),
  ];
}

function versionRoutes(engine: Engine): Route[] {
  return [
    {
      method: 'GET',
      path: '/api/versions',
      handler: async () => json({ versions: await listApplicationVersions(engine), current: engine.identity.applicationVersion || null }),
    },
    {
      method: 'POST',
      path: '/api/versions/:name/latest',
      handler: async ({ params }) => {
        await setLatestApplicationVersion(engine, params.name!);
        return json({ ok: true });
      },
    },
  ];
}

export function apiRoutes(target: AdminTarget, changes: ChangeFeed): Route[] {
  const { engine } = target;
  return [
    {
      method: 'GET',
      path: '/api/info',
      handler: () =>
        json({
          applicationName: engine.identity.applicationName || null,
          executorID: engine.identity.executorID,
          applicationVersion: engine.identity.applicationVersion || null,
          backend: engine.systemDatabase.backend,
        }),
    },
    ...workflowApiRoutes(engine),
    { method: 'GET', path: '/api/queues', handler: () => queues(target) },
    ...scheduleRoutes(target),
    {
      method: 'GET',
      path: '/api/executors',
      handler: async () => json({ executors: await engine.systemDatabase.dashboard.listExecutors(), now: Date.now() }),
    },
    ...versionRoutes(engine),
    {
      method: 'GET',
      path: '/api/changes',
      handler: ({ url, response, replyHeaders }) => {
        const watched = new Set((url.searchParams.get('watch') ?? '').split(',').filter(Boolean).slice(0, 100));
        changes.add(response, watched, replyHeaders);
        return undefined;
      },
    },
  ];
}
