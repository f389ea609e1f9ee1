/**
 * `durably workflow replay ID --app MODULE` and `durably verify --since 1d --app MODULE` as real processes:
 * this test process records histories (then shuts down), the CLI imports an application module
 * (fixtures/replay-app.mjs) that registers the same workflow names, the same code or with a step renamed,
 * and replays those histories against it, running nothing.
 */
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { DBOS, type DBOSConfig } from '../../src/index.ts';
import { forEachBackend } from '../helpers/backends.ts';
import { cliJson, databaseArgs, oneLineError, runCli } from './run-cli-process.ts';

const reserve = DBOS.registerStep(async (order: string) => `reserve:${order}`, { name: 'cliReplay.reserve' });
const charge = DBOS.registerStep(async (order: string) => `charge:${order}`, { name: 'cliReplay.charge' });
const checkout = DBOS.registerWorkflow(async (order: string) => [await reserve(order), await charge(order)], { name: 'cliReplay.checkout' });
const hold = DBOS.registerWorkflow(async (order: string) => reserve(order), { name: 'cliReplay.hold' });

const app = ['--app', join(import.meta.dirname, 'fixtures', 'replay-app.mjs')];
const renamedCode = { env: { REPLAY_APP_CODE: 'renamed' } };

forEachBackend('durably workflow replay / verify', (backend) => {
  let db: string[];
  let ids: { checkout: string; hold: string };

  before(async () => {
    const config: DBOSConfig = backend.freshConfig();
    DBOS.setConfig(config);
    await DBOS.launch();
    ids = { checkout: `checkout-${backend.name}`, hold: `hold-${backend.name}` };
    await DBOS.startWorkflow(checkout, { workflowID: ids.checkout })('o-1').then((h) => h.getResult());
    await DBOS.startWorkflow(hold, { workflowID: ids.hold })('o-2').then((h) => h.getResult());
    await DBOS.shutdown();
    db = databaseArgs(config);
  });
  after(() => DBOS.shutdown());

  test('workflow replay: the same code replays (exit 0), a renamed step is reported (exit 1)', async () => {
    const ok = await cliJson(['workflow', 'replay', ids.checkout, ...app, ...db]);
    assert.deepEqual([ok.ok, ok.replayedOperations], [true, 2]);
    const renamed = await runCli(['workflow', 'replay', ids.checkout, ...app, ...db], renamedCode);
    assert.equal(renamed.code, 1);
    assert.match(renamed.stdout, /Replays: +NO/);
    assert.match(renamed.stdout, /Operation #1: the code calls "cliReplay.chargeCard", the history recorded "cliReplay.charge"/);
    assert.match(renamed.stderr, /durably: 1 workflow\(s\) do not replay against this code \(first: checkout-/);
  });

  test('verify --since 1d: every workflow of the range, the diverging ones named', async () => {
    const all = await cliJson(['verify', '--since', '1d', ...app, ...db]);
    assert.deepEqual(all.map((r: { workflowID: string; ok: boolean }) => [r.workflowID, r.ok]).sort(), [[ids.checkout, true], [ids.hold, true]]);
    const run = await runCli(['verify', '--since', '1d', ...app, ...db, '--json'], renamedCode);
    assert.equal(run.code, 1);
    const reports = JSON.parse(run.stdout) as { workflowID: string; ok: boolean; divergence?: { kind: string } }[];
    assert.deepEqual(reports.filter((r) => !r.ok).map((r) => [r.workflowID, r.divergence?.kind]), [[ids.checkout, 'operation-differs']]);
    assert.match(JSON.parse(run.stderr).error.code, /REPLAY_DIVERGED/);
  });

  test('usage: --app is required; --since takes a duration, an ISO time or epoch ms', async () => {
    assert.match(oneLineError(await runCli(['workflow', 'replay', ids.checkout, ...db])), /--app MODULE is required/);
    const bad = await runCli(['verify', '--since', 'yesterday', ...app, ...db]);
    assert.equal(bad.code, 2);
    assert.match(bad.stderr, /--since must be a duration \(30m, 12h, 1d, 2w\)/);
  });
});
