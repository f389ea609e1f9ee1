/**
 * `durably dashboard` as a real process against a system database an
 * application wrote: it serves the dashboard and DBOS's admin routes without
 * the application, lists its workflows, and stops cleanly on SIGTERM.
 */
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { test } from 'node:test';
import { DBOS } from '../../src/index.ts';
import { forEachBackend } from '../helpers/backends.ts';
import { binPath, databaseArgs } from './run-cli-process.ts';

const greet = DBOS.registerWorkflow(async (name: string) => `hello ${name}`, { name: 'cli-dashboard.greet' });

forEachBackend('durably dashboard', (backend) => {
  test('serves the dashboard and the API for a database without its application; SIGTERM stops it', { timeout: 60_000 }, async () => {
    const config = backend.freshConfig();
    DBOS.setConfig(config);
    await DBOS.launch();
    const handle = await DBOS.startWorkflow(greet)('cli');
    await handle.getResult();
    await DBOS.shutdown();

    const env = { ...process.env };
    delete env.NODE_TEST_CONTEXT;
    const child = spawn(process.execPath, [binPath, 'dashboard', ...databaseArgs(config), '--port', '0', '--json'], {
      env,
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    const killer = setTimeout(() => child.kill('SIGKILL'), 50_000);
    try {
      let stdout = '';
      let stderr = '';
      child.stdout.setEncoding('utf8').on('data', (chunk: string) => (stdout += chunk));
      child.stderr.setEncoding('utf8').on('data', (chunk: string) => (stderr += chunk));
      const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
      while (!stdout.includes('\n')) {
        if (child.exitCode !== null) assert.fail(`the dashboard exited: ${stderr}${stdout}`);
        await new Promise((resolve) => setTimeout(resolve, 20));
      }
      const url = (JSON.parse(stdout) as { url: string }).url.replace(/\/$/, '');
      assert.match(url, /^http:\/\/127\.0\.0\.1:\d+/);
      assert.equal((await fetch(`${url}/dbos-healthz`)).status, 200);
      const page = await fetch(`${url}/`);
      assert.equal(page.status, 200);
      assert.match(await page.text(), /<html/i);
      const listed = (await (await fetch(`${url}/api/workflows`)).json()) as unknown;
      assert.ok(JSON.stringify(listed).includes(handle.workflowID), `the workflow is listed: ${JSON.stringify(listed).slice(0, 300)}`);
      const one = await fetch(`${url}/workflows/${handle.workflowID}`);
      assert.equal(one.status, 200);
      child.kill('SIGTERM');
      assert.equal(await exited, 0, stderr);
    } finally {
      clearTimeout(killer);
      child.kill('SIGKILL');
    }
  });
});
