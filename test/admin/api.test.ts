/** The dashboard's JSON API under /api/ over real HTTP, on both backends; and the same API served without an app. */
import assert from 'node:assert/strict';
import { afterEach, test } from 'node:test';
import { DBOS, WorkflowQueue, serveDashboard, type DBOSConfig } from '../../src/index.ts';
import { forEachBackend } from '../helpers/backends.ts';
import { launch } from '../helpers/lifecycle.ts';
import { adminUrl, freePort, gatedWorkflow, postJson, quickWorkflow, releaseAll, untilAtGate } from './admin-helpers.ts';

const apiQueue = new WorkflowQueue('admin-api-queue', { concurrency: 1 });

const richWorkflow = DBOS.registerWorkflow(
  async (label: string) => {
    await DBOS.setEvent('progress', { done: 1, label });
    await DBOS.writeStream('log', 'first');
    await DBOS.writeStream('log', 'second');
    await DBOS.closeStream('log');
    const child = await DBOS.startWorkflow(quickWorkflow, { workflowID: `${DBOS.workflowID}-child` })('child');
    return child.getResult();
  },
  { name: 'admin.rich' },
);

const scheduled = DBOS.registerWorkflow(async (_at: Date, _context: unknown) => undefined, { name: 'admin.scheduled' });

async function getJson<T = any>(url: string): Promise<T> {
  const response = await fetch(url);
  assert.equal(response.status, 200, `${url}: ${response.status} ${await response.clone().text()}`);
  return (await response.json()) as T;
}

/** Reads server-sent events from /api/changes until one names `workflowID`. */
async function changeNaming(base: string, workflowID: string, trigger: () => Promise<unknown>): Promise<void> {
  const controller = new AbortController();
  const response = await fetch(`${base}/api/changes`, { signal: controller.signal });
  assert.match(response.headers.get('content-type') ?? '', /text\/event-stream/);
  const reader = response.body!.getReader();
  const decoder = new TextDecoder();
  await trigger();
  let text = '';
  const deadline = Date.now() + 10_000;
  try {
    while (!text.includes(workflowID)) {
      if (Date.now() > deadline) throw new Error(`No change event named ${workflowID}; got: ${text}`);
      const { value, done } = await reader.read();
      if (done) throw new Error('The change stream ended.');
      text += decoder.decode(value);
    }
    assert.match(text, /event: change\ndata: \{"workflowIDs":\[/);
  } finally {
    controller.abort();
  }
}

forEachBackend('admin server: dashboard API', (backend) => {
  let config: DBOSConfig;
  afterEach(async () => {
    releaseAll();
    await DBOS.shutdown();
  });

  async function start(): Promise<string> {
    config = await launch(backend, { runAdminServer: true, adminPort: await freePort() });
    return adminUrl();
  }

  test('workflow pages: keyset paging newest first, filters, bad parameters', async () => {
    const base = await start();
    for (let i = 0; i < 7; i++) {
      await (await DBOS.startWorkflow(quickWorkflow, { workflowID: `page-${i}` })(`p${i}`)).getResult();
      await new Promise((resolve) => setTimeout(resolve, 2));
    }
    const seen: string[] = [];
    let cursor: string | null = '';
    let pages = 0;
    while (cursor !== null) {
      const page: { workflows: { workflowID: string }[]; nextCursor: string | null } = await getJson(
        `${base}/api/workflows?limit=3&prefix=page-${cursor ? `&cursor=${cursor}` : ''}`,
      );
      seen.push(...page.workflows.map((w) => w.workflowID));
      cursor = page.nextCursor;
      pages++;
    }
    assert.equal(pages, 3);
    assert.deepEqual(seen, ['page-6', 'page-5', 'page-4', 'page-3', 'page-2', 'page-1', 'page-0']);

    const filtered = await getJson(`${base}/api/workflows?status=SUCCESS&name=admin.quick&prefix=page-1`);
    assert.deepEqual(filtered.workflows.map((w: { workflowID: string }) => w.workflowID), ['page-1']);
    const summary = filtered.workflows[0];
    assert.equal(summary.status, 'SUCCESS');
    assert.equal(summary.executorID, 'local');
    assert.equal(typeof summary.durationMs, 'number');
    assert.equal(summary.input, undefined, 'pages carry no inputs or outputs');
    const none = await getJson(`${base}/api/workflows?status=ERROR`);
    assert.deepEqual(none, { workflows: [], nextCursor: null });
    const future = await getJson(`${base}/api/workflows?from=${Date.now() + 60_000}`);
    assert.equal(future.workflows.length, 0);
    const past = await getJson(`${base}/api/workflows?to=${new Date(Date.now() + 60_000).toISOString()}&limit=500`);
    assert.equal(past.workflows.length, 7);

    for (const bad of ['status=FINE', 'limit=0', 'limit=501', 'cursor=abc', 'from=tomorrow']) {
      const response = await fetch(`${base}/api/workflows?${bad}`);
      assert.equal(response.status, 400, bad);
    }
  });

  test('one workflow: status, values, steps, child and parent, events, messages, streams; actions', async () => {
    const base = await start();
    await (await DBOS.startWorkflow(richWorkflow, { workflowID: 'rich-1' })('r')).getResult();
    await DBOS.send('rich-1', { hello: 'there' }, 'greetings');
    const detail = await getJson(`${base}/api/workflows/rich-1`);
    assert.equal(detail.workflow.status, 'SUCCESS');
    assert.deepEqual(detail.workflow.input, ['r']);
    assert.deepEqual(detail.workflow.output, { label: 'child', at: '1970-01-01T00:00:00.000Z' });
    assert.ok(detail.steps.length >= 5);
    assert.equal(detail.steps[0].name, 'DBOS.setEvent');
    const childStep = detail.steps.find((s: { childWorkflowID: string | null }) => s.childWorkflowID === 'rich-1-child');
    assert.ok(childStep, 'the child start is a step with its child ID');
    assert.deepEqual(detail.children.map((c: { workflowID: string }) => c.workflowID), ['rich-1-child']);
    assert.deepEqual(detail.events, [{ key: 'progress', value: { done: 1, label: 'r' } }]);
    assert.deepEqual(detail.streams, [{ key: 'log', values: ['first', 'second'], closed: true }]);
    assert.equal(detail.messages.length, 1);
    assert.deepEqual([detail.messages[0].topic, detail.messages[0].value, detail.messages[0].consumed], ['greetings', { hello: 'there' }, false]);

    const child = await getJson(`${base}/api/workflows/rich-1-child`);
    assert.equal(child.parent.workflowID, 'rich-1');
    assert.equal((await fetch(`${base}/api/workflows/nope`)).status, 404);

    const running = await DBOS.startWorkflow(gatedWorkflow, { workflowID: 'api-gated' })('g');
    await untilAtGate(running.workflowID);
    assert.deepEqual(await (await postJson(`${base}/api/workflows/api-gated/cancel`, {})).json(), { ok: true });
    assert.equal((await getJson(`${base}/api/workflows/api-gated`)).workflow.status, 'CANCELLED');
    const fork = (await (await postJson(`${base}/api/workflows/rich-1-child/fork`, { startStep: 1 })).json()) as { workflowID: string };
    assert.equal(typeof fork.workflowID, 'string');
    await DBOS.retrieveWorkflow(fork.workflowID).getResult();
    assert.equal((await getJson(`${base}/api/workflows/${fork.workflowID}`)).workflow.forkedFrom, 'rich-1-child');
    assert.equal((await postJson(`${base}/api/workflows/rich-1/fork`, { startStep: -1 })).status, 400);
  });

  test('queues, executors, versions and schedules', async () => {
    const base = await start();
    const first = await DBOS.startWorkflow(gatedWorkflow, { workflowID: 'q-api-1', queueName: apiQueue.name })('a');
    await DBOS.startWorkflow(gatedWorkflow, { workflowID: 'q-api-2', queueName: apiQueue.name })('b');
    await untilAtGate(first.workflowID);
    const { queues } = await getJson(`${base}/api/queues`);
    const mine = queues.find((q: { name: string }) => q.name === apiQueue.name);
    assert.deepEqual(mine.depth, { ENQUEUED: 1, DELAYED: 0, PENDING: 1 });
    assert.equal(mine.limits.concurrency, 1);
    assert.equal(mine.oldestWaiting.workflowID, 'q-api-2');
    assert.ok(queues.some((q: { name: string }) => q.name === '_dbos_internal_queue'));

    const { executors } = await getJson(`${base}/api/executors`);
    const local = executors.find((e: { executorID: string }) => e.executorID === 'local');
    assert.equal(local.pendingWorkflows, 1);

    const versions = await getJson(`${base}/api/versions`);
    assert.ok(versions.versions.some((v: { versionName: string }) => v.versionName === versions.current));
    assert.equal((await postJson(`${base}/api/versions/${encodeURIComponent(versions.current)}/latest`, {})).status, 200);
    assert.equal((await postJson(`${base}/api/versions/no-such-version/latest`, {})).status, 404);

    await DBOS.createSchedule({ scheduleName: 'api-sched', workflowFn: scheduled, schedule: '0 0 1 1 *', context: { n: 1 } });
    const listed = await getJson(`${base}/api/schedules`);
    assert.deepEqual(listed.schedules.map((s: { scheduleName: string; status: string }) => [s.scheduleName, s.status]), [['api-sched', 'ACTIVE']]);
    assert.equal((await postJson(`${base}/api/schedules/api-sched/pause`, {})).status, 200);
    assert.equal((await DBOS.getSchedule('api-sched'))?.status, 'PAUSED');
    assert.equal((await postJson(`${base}/api/schedules/api-sched/resume`, {})).status, 200);
    const triggered = (await (await postJson(`${base}/api/schedules/api-sched/trigger`, {})).json()) as { workflowID: string };
    assert.match(triggered.workflowID, /^sched-api-sched-trigger-/);
    const backfilled = (await (await postJson(`${base}/api/schedules/api-sched/backfill`, { start: '2030-01-01T00:00:00Z', end: '2032-01-01T00:00:01Z' })).json()) as { workflowIDs: string[] };
    assert.equal(backfilled.workflowIDs.length, 3); // Jan 1 of 2030, 2031 and 2032
    assert.equal((await postJson(`${base}/api/schedules/missing/pause`, {})).status, 404);
  });

  test('the change stream names workflows as they start and finish', async () => {
    const base = await start();
    await changeNaming(base, 'sse-1', () => DBOS.startWorkflow(quickWorkflow, { workflowID: 'sse-1' })('s'));
    const running = await DBOS.startWorkflow(gatedWorkflow, { workflowID: 'sse-2' })('s');
    await untilAtGate(running.workflowID);
    await changeNaming(base, 'sse-2', () => DBOS.cancelWorkflow('sse-2'));
  });

  test('serveDashboard: the same API over the system database, without an app', async () => {
    await start();
    await (await DBOS.startWorkflow(quickWorkflow, { workflowID: 'standalone-1' })('x')).getResult();
    const dashboard = await serveDashboard({
      systemDatabaseUrl: config.systemDatabaseUrl!,
      systemDatabaseSchemaName: config.systemDatabaseSchemaName,
      port: 0,
      logger: { debug() {}, info() {}, warn() {}, error: console.error },
    });
    try {
      const page = await getJson(`${dashboard.url}api/workflows?prefix=standalone-`);
      assert.deepEqual(page.workflows.map((w: { workflowID: string }) => w.workflowID), ['standalone-1']);
      const detail = await getJson(`${dashboard.url}api/workflows/standalone-1`);
      assert.equal(detail.steps.length, 2);
      const metadata = await getJson(`${dashboard.url}dbos-workflow-queues-metadata`);
      assert.ok(metadata.some((q: { name: string }) => q.name === '_dbos_internal_queue'));
      const index = await fetch(dashboard.url);
      assert.equal(index.status, 200);
      assert.match(index.headers.get('content-type') ?? '', /text\/html/);
      // Without the app, a schedule's runs are enqueued by name; the application's process (this one) runs them.
      await DBOS.createSchedule({ scheduleName: 'standalone-sched', workflowFn: scheduled, schedule: '0 0 1 1 *', context: { n: 2 } });
      const triggered = await postJson(`${dashboard.url}api/schedules/standalone-sched/trigger`, {});
      assert.equal(triggered.status, 200, await triggered.clone().text());
      const { workflowID } = (await triggered.json()) as { workflowID: string };
      assert.match(workflowID, /^sched-standalone-sched-trigger-/);
      await DBOS.retrieveWorkflow(workflowID).getResult();
      assert.equal((await DBOS.getWorkflowStatus(workflowID))?.scheduleName, 'standalone-sched');
      const backfilled = await postJson(`${dashboard.url}api/schedules/standalone-sched/backfill`, { start: '2030-01-01T00:00:00Z', end: '2031-01-01T00:00:01Z' });
      assert.equal(((await backfilled.json()) as { workflowIDs: string[] }).workflowIDs.length, 2);
    } finally {
      await dashboard.close();
    }
  });
});
