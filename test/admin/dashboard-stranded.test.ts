/**
 * Stranded workflows on the dashboard, on both backends: the API marks each
 * row (`stranded`) and filters them (`?stranded=1`); in a real headless
 * Chromium, a stranded row carries a badge, the "Stranded only" checkbox
 * leaves only those rows (and puts stranded=1 in the URL), and the
 * workflow's page shows the badge too, with no console error.
 */
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { after, afterEach, before, test } from 'node:test';
import type { Browser } from 'playwright-core';
import { DBOS } from '../../src/index.ts';
import { forEachBackend, testTempDir } from '../helpers/backends.ts';
import { adminUrl, freePort, gatedWorkflow, releaseAll, untilAtGate } from './admin-helpers.ts';
import { launchBrowser } from './browser.ts';

let browser: Browser;
before(async () => {
  browser = await launchBrowser();
});
after(async () => {
  await browser?.close();
});

interface PageRow {
  workflowID: string;
  stranded: boolean;
  applicationVersion: string;
}

forEachBackend('stranded workflows on the dashboard', (backend) => {
  afterEach(async () => {
    releaseAll();
    await DBOS.shutdown();
  });

  test('API: rows marked, ?stranded=1 filters; browser: badge, checkbox, workflow page', { timeout: 90_000 }, async () => {
    // v1 leaves order-stranded PENDING; v2 relaunches on the same executor, whose heartbeat now says v2.
    const config = backend.freshConfig();
    DBOS.setConfig({ ...config, applicationVersion: 'v1' });
    await DBOS.launch();
    await DBOS.startWorkflow(gatedWorkflow, { workflowID: 'order-stranded' })('old');
    await untilAtGate('order-stranded');
    await DBOS.shutdown();
    releaseAll();
    DBOS.setConfig({ ...config, applicationVersion: 'v2', runAdminServer: true, adminPort: await freePort() });
    await DBOS.launch();
    await DBOS.startWorkflow(gatedWorkflow, { workflowID: 'order-live' })('new');
    await untilAtGate('order-live');
    const base = adminUrl();

    const all = (await (await fetch(`${base}/api/workflows`)).json()) as { workflows: PageRow[] };
    assert.deepEqual(all.workflows.map((w) => [w.workflowID, w.stranded, w.applicationVersion]), [
      ['order-live', false, 'v2'],
      ['order-stranded', true, 'v1'],
    ]);
    const only = (await (await fetch(`${base}/api/workflows?stranded=1`)).json()) as { workflows: PageRow[] };
    assert.deepEqual(only.workflows.map((w) => w.workflowID), ['order-stranded']);

    const context = await browser.newContext({ viewport: { width: 1280, height: 760 } });
    const page = await context.newPage();
    const problems: string[] = [];
    page.on('console', (message) => {
      if (message.type() === 'error') problems.push(message.text());
    });
    page.on('pageerror', (error) => problems.push(error.message));
    await page.goto(`${base}/#/workflows`);
    const strandedRow = page.locator('[data-testid="workflow-row"][data-id="order-stranded"]');
    await strandedRow.getByTestId('stranded-badge').waitFor();
    assert.equal(await page.locator('[data-testid="workflow-row"][data-id="order-live"] [data-testid="stranded-badge"]').count(), 0);
    assert.match((await strandedRow.getByTestId('stranded-badge').getAttribute('title')) ?? '', /no live process runs version v1/);

    await page.getByTestId('stranded-filter').check();
    await page.getByRole('button', { name: 'Apply' }).click();
    await page.waitForURL((url) => url.hash.includes('stranded=1'));
    await page.locator('[data-testid="workflow-row"][data-id="order-live"]').waitFor({ state: 'detached' });
    assert.deepEqual(await page.getByTestId('workflow-row').evaluateAll((rows) => rows.map((row) => row.getAttribute('data-id'))), ['order-stranded']);
    assert.equal(await page.getByTestId('stranded-filter').isChecked(), true);
    await page.screenshot({ path: join(testTempDir, `dashboard-stranded-${backend.name}.png`) });

    await strandedRow.getByRole('link', { name: 'order-stranded' }).click();
    await page.getByTestId('workflow-page').waitFor();
    await page.locator('.page-head [data-testid="stranded-badge"]').waitFor();
    assert.deepEqual(problems, []);
    await context.close();
  });
});
