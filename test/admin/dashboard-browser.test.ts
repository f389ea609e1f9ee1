/**
 * The dashboard in a real headless Chromium, on both backends: a workflow
 * started by the test appears live in the table; its page shows its steps;
 * cancelling a running one shows CANCELLED; forking a finished one from
 * step 1 opens the new workflow. Every page is visited (light, dark, phone)
 * with no console error (a CSP violation would be one). Screenshots go to
 * the temp folder, and to docs/ with DURABLY_UPDATE_SCREENSHOTS=1.
 */
import assert from 'node:assert/strict';
import { mkdirSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { after, afterEach, before, test } from 'node:test';
import type { Browser, Page } from 'playwright-core';
import { DBOS, WorkflowQueue } from '../../src/index.ts';
import { forEachBackend, testTempDir } from '../helpers/backends.ts';
import { launch } from '../helpers/lifecycle.ts';
import { adminUrl, freePort, gatedWorkflow, quickWorkflow, releaseAll, untilAtGate } from './admin-helpers.ts';
import { launchBrowser } from './browser.ts';

const browserQueue = new WorkflowQueue('orders', { concurrency: 4, workerConcurrency: 2 });
const shots = join(testTempDir, 'dashboard-screenshots');
const docs = resolve(import.meta.dirname, '../../docs');
const updateDocs = process.env.DURABLY_UPDATE_SCREENSHOTS === '1';
mkdirSync(shots, { recursive: true });

const nightly = DBOS.registerWorkflow(async (_at: Date, _context: unknown) => undefined, { name: 'reports.nightly' });

let browser: Browser;
before(async () => {
  browser = await launchBrowser();
});
after(async () => {
  await browser?.close();
});

async function screenshot(page: Page, name: string, forDocs: boolean): Promise<void> {
  await page.screenshot({ path: join(shots, `${name}.png`), fullPage: false });
  if (forDocs && updateDocs) await page.screenshot({ path: join(docs, `dashboard-${name}.png`), fullPage: false });
}

async function openPage(base: string, colorScheme: 'light' | 'dark' = 'light', width = 1280): Promise<{ page: Page; problems: string[] }> {
  const context = await browser.newContext({ viewport: { width, height: width < 600 ? 800 : 760 }, colorScheme });
  const page = await context.newPage();
  const problems: string[] = [];
  page.on('console', (message) => {
    if (message.type() === 'error') problems.push(message.text());
  });
  page.on('pageerror', (error) => problems.push(error.message));
  await page.goto(`${base}/#/workflows`);
  return { page, problems };
}

forEachBackend('dashboard in a browser', (backend) => {
  afterEach(async () => {
    releaseAll();
    await DBOS.shutdown();
  });

  test('live table, a workflow page, cancel and fork from step 1', { timeout: 90_000 }, async () => {
    await launch(backend, { runAdminServer: true, adminPort: await freePort() });
    const base = adminUrl();
    const docsRun = backend.name === 'sqlite';
    for (let i = 1; i <= 3; i++) await (await DBOS.startWorkflow(quickWorkflow, { workflowID: `order-${1000 + i}` })(`order ${i}`)).getResult();
    const { page, problems } = await openPage(base);
    await page.getByTestId('workflow-row').first().waitFor();

    // Filters being edited (not applied yet) survive the live refreshes below.
    await page.locator('input[name="name"]').fill('half-typed');
    await page.getByTestId('stranded-filter').check();

    // Started after the page loaded: it appears without a reload.
    const running = await DBOS.startWorkflow(gatedWorkflow, { workflowID: 'order-live-1', queueName: browserQueue.name })('live');
    await untilAtGate(running.workflowID);
    const row = page.locator('[data-testid="workflow-row"][data-id="order-live-1"]');
    await row.waitFor({ timeout: 10_000 });
    assert.equal(await page.locator('input[name="name"]').inputValue(), 'half-typed');
    assert.equal(await page.getByTestId('stranded-filter').isChecked(), true);
    await page.locator('input[name="name"]').fill('');
    await page.getByTestId('stranded-filter').uncheck();
    await DBOS.startWorkflow(gatedWorkflow, { workflowID: 'order-waiting-2', queueName: browserQueue.name })('waiting');
    await page.locator('[data-testid="workflow-row"][data-id="order-waiting-2"]').waitFor({ timeout: 10_000 });
    await screenshot(page, 'workflows', docsRun);

    // Its page: steps, then cancel (confirmed) and see CANCELLED.
    await row.getByRole('link', { name: 'order-live-1' }).click();
    await page.getByTestId('workflow-page').waitFor();
    await page.getByTestId('step').first().waitFor();
    assert.match(await page.getByTestId('steps').innerText(), /admin\.gateStep/);
    assert.equal(await page.getByTestId('workflow-id').innerText(), 'order-live-1');
    await page.getByTestId('cancel').click();
    await page.getByTestId('confirm-yes').click();
    await page.locator('.page-head [data-testid="status"]', { hasText: 'CANCELLED' }).waitFor({ timeout: 10_000 });
    assert.equal((await running.getStatus())?.status, 'CANCELLED');

    // A finished workflow: fork it from step 1 and land on the new workflow.
    await page.goto(`${base}/#/workflow/order-1001`);
    await page.getByTestId('step').nth(1).waitFor();
    await screenshot(page, 'workflow', docsRun);
    await page.getByTestId('fork-step-1').click();
    await page.getByTestId('confirm-yes').click();
    await page.waitForURL((url) => url.hash.startsWith('#/workflow/') && !url.hash.includes('order-1001'), { timeout: 10_000 });
    const forkedID = decodeURIComponent(new URL(page.url()).hash.replace('#/workflow/', ''));
    await page.getByTestId('workflow-id').filter({ hasText: forkedID }).waitFor();
    await page.locator('.page-head [data-testid="status"]', { hasText: 'SUCCESS' }).waitFor({ timeout: 15_000 });
    assert.equal((await DBOS.getWorkflowStatus(forkedID))?.forkedFrom, 'order-1001');
    assert.match(await page.locator('.facts').innerText(), /Forked from\s*order-1001/i);

    // The other pages.
    await DBOS.createSchedule({ scheduleName: 'nightly-report', workflowFn: nightly, schedule: '0 3 * * *' });
    const expected: Record<string, RegExp> = { queues: /orders/, schedules: /nightly-report/, executors: /local/, versions: /this process/ };
    for (const [section, text] of Object.entries(expected)) {
      await page.getByTestId(`nav-${section}`).click();
      await page.getByTestId(section).filter({ hasText: text }).waitFor();
      await screenshot(page, section, docsRun);
    }
    await page.getByTestId('nav-queues').click();
    await page.locator('[data-testid="queue"][data-name="orders"]').waitFor();
    assert.match(await page.locator('[data-testid="queue"][data-name="orders"]').innerText(), /1\s*pending/);

    // Dark mode and a phone.
    const dark = await openPage(base, 'dark');
    await dark.page.getByTestId('workflow-row').first().waitFor();
    await screenshot(dark.page, 'workflows-dark', docsRun);
    const phone = await openPage(base, 'light', 390);
    await phone.page.goto(`${base}/#/workflow/order-1001`);
    await phone.page.getByTestId('step').first().waitFor();
    await screenshot(phone.page, 'workflow-phone', docsRun);

    assert.deepEqual([...problems, ...dark.problems, ...phone.problems], []);
  });
});
