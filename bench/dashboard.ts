/**
 * (d) The dashboard at scale: 100,000 workflows in the system database, put
 * there by durably itself (200 in flight; 1% fail, 0.1% under a rare name),
 * and one workflow of 100 steps. Then the admin server's answer time, over
 * loopback HTTP, for: the first page of the workflow list, the 20th page
 * (keyset cursor), pages filtered by a rare status, a rare name and an ID
 * prefix, and the 100-step workflow's detail. Each is asked `runs` times
 * after `warmup`; the figure is the median (and the slowest).
 */
import { createServer } from 'node:net';
import { DBOS, type DBOSConfig } from '../src/index.ts';
import { currentRuntime } from '../src/runtime/runtime.ts';
import { withDurably } from './workflows.ts';

export const dashboardShape = { workflows: 100_000, concurrency: 200, failEvery: 100, rareEvery: 1000, steps: 100, warmup: 3, runs: 20 };

const noop = DBOS.registerStep(async function dashboardStep() {});

const common = DBOS.registerWorkflow(async (n: number) => {
  await noop();
  if (n % dashboardShape.failEvery === 0) throw new Error(`workflow ${n} fails on purpose`);
  return n;
}, { name: 'bench.dashboard.common' });

const rare = DBOS.registerWorkflow(async (n: number) => n, { name: 'bench.dashboard.rare' });

const hundredSteps = DBOS.registerWorkflow(async () => {
  for (let i = 0; i < dashboardShape.steps; i++) await noop();
  return 'done';
}, { name: 'bench.dashboard.hundredSteps' });

export interface AnswerTime {
  what: string;
  medianMs: number;
  maxMs: number;
  /** Rows in the answer: a page's workflows, or the workflow's steps. */
  rows: number;
}

export interface DashboardResult {
  workflows: number;
  /** How long putting them there took, and the rate. */
  fillSeconds: number;
  answers: AnswerTime[];
}

/** Every workflow of the fill, `concurrency` at a time; failures are part of the mix. */
async function fill(): Promise<void> {
  const { workflows, concurrency, rareEvery } = dashboardShape;
  let next = 0;
  const worker = async () => {
    while (next < workflows) {
      const n = next++;
      const workflowID = `dash-${String(n).padStart(6, '0')}`;
      const run = n % rareEvery === 0 ? () => rare(n) : () => common(n);
      await DBOS.withNextWorkflowID(workflowID, run).catch(() => undefined);
    }
  };
  await Promise.all(Array.from({ length: concurrency }, worker));
}

async function timeAnswer(what: string, url: string, count: (body: Record<string, unknown>) => number): Promise<AnswerTime> {
  const times: number[] = [];
  let rows = 0;
  for (let i = 0; i < dashboardShape.warmup + dashboardShape.runs; i++) {
    const started = performance.now();
    const response = await fetch(url);
    const body = (await response.json()) as Record<string, unknown>;
    const elapsed = performance.now() - started;
    if (response.status !== 200) throw new Error(`${url}: ${response.status} ${JSON.stringify(body)}`);
    rows = count(body);
    if (i >= dashboardShape.warmup) times.push(elapsed);
  }
  times.sort((a, b) => a - b);
  return { what, medianMs: times[Math.floor(times.length / 2)]!, maxMs: times.at(-1)!, rows };
}

const workflowRows = (body: Record<string, unknown>) => (body.workflows as unknown[]).length;

/** The 20th page's URL, found by following the cursor from the first. */
async function twentiethPage(base: string): Promise<string> {
  let url = `${base}/api/workflows`;
  for (let page = 1; page < 20; page++) {
    const body = (await (await fetch(url)).json()) as { nextCursor: string | null };
    if (!body.nextCursor) throw new Error(`no page ${page + 1}`);
    url = `${base}/api/workflows?cursor=${encodeURIComponent(body.nextCursor)}`;
  }
  return url;
}

/** A loopback port free right now (adminPort must name one). */
async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as { port: number };
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

export async function dashboardAtScale(config: DBOSConfig): Promise<DashboardResult> {
  return withDurably({ ...config, runAdminServer: true, adminPort: await freePort() }, async () => {
    const started = performance.now();
    await fill();
    await DBOS.withNextWorkflowID('dash-hundred-steps', () => hundredSteps());
    const fillSeconds = (performance.now() - started) / 1000;
    const base = currentRuntime()!.adminServer!.url.replace(/\/$/, '');
    const answers = [
      await timeAnswer('the first page of the workflow list (50 rows)', `${base}/api/workflows`, workflowRows),
      await timeAnswer('its 20th page (keyset cursor)', await twentiethPage(base), workflowRows),
      await timeAnswer('a page filtered by a rare status (ERROR: 1%)', `${base}/api/workflows?status=ERROR`, workflowRows),
      await timeAnswer('a page filtered by a rare name (0.1%)', `${base}/api/workflows?name=bench.dashboard.rare`, workflowRows),
      await timeAnswer('a page filtered by an ID prefix (10 rows)', `${base}/api/workflows?prefix=dash-01234`, workflowRows),
      await timeAnswer(
        `one workflow with ${dashboardShape.steps} steps (status, steps, events, messages, streams)`,
        `${base}/api/workflows/dash-hundred-steps`,
        (body) => (body.steps as unknown[]).length,
      ),
    ];
    return { workflows: dashboardShape.workflows, fillSeconds, answers };
  });
}
