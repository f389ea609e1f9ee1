/**
 * `durably workflow ...`, `queue list`, `schedule ...` and `version ...` as
 * real processes against a system database a durably runtime in this test
 * process populates and keeps running (so what the CLI enqueues, resumes or
 * forks really runs): tables by default, JSON with --json, filters, and the
 * errors an operator meets (unknown workflow, bad filter values).
 */
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { DBOS, WorkflowQueue, type DBOSConfig } from '../../src/index.ts';
import { until } from '../client/client-worker-process.ts';
import { forEachBackend } from '../helpers/backends.ts';
import { cliJson, cliOk, databaseArgs, oneLineError, runCli } from './run-cli-process.ts';

const shout = DBOS.registerStep(async (name: string) => name.toUpperCase(), { name: 'cli.shout' });
const greet = DBOS.registerWorkflow(async (name: string) => `hello ${await shout(name)}`, { name: 'cli.greet' });
const fail = DBOS.registerWorkflow(
  async () => {
    throw new Error('boom');
  },
  { name: 'cli.fail' },
);
const wait = DBOS.registerWorkflow(async () => `released:${await DBOS.recv<string>('go', 60)}`, { name: 'cli.wait' });
const scheduledRuns: string[] = [];
const onSchedule = DBOS.registerWorkflow(
  async (_scheduled: Date, context: unknown) => {
    scheduledRuns.push(`${DBOS.workflowID}:${JSON.stringify(context)}`);
  },
  { name: 'cli.onSchedule' },
);
new WorkflowQueue('cli-queue');


forEachBackend('durably CLI on a running application', (backend) => {
  let config: DBOSConfig;
  let db: string[];

  before(async () => {
    scheduledRuns.length = 0;
    config = backend.freshConfig({ applicationVersion: 'v-cli-1' });
    DBOS.setConfig(config);
    await DBOS.launch();
    db = databaseArgs(config);
    assert.equal(await greet('ann'), 'hello ANN');
    await DBOS.startWorkflow(greet, { workflowID: `greet-${backend.name}` })('bob').then((h) => h.getResult());
    await DBOS.startWorkflow(fail, { workflowID: `fail-${backend.name}` })().then((h) => h.getResult()).catch(() => undefined);
    await DBOS.startWorkflow(greet, { workflowID: `delayed-${backend.name}`, queueName: 'cli-queue', enqueueOptions: { delaySeconds: 3600 } })('later');
    await DBOS.registerQueue('cli-registered', { workerConcurrency: 2, concurrency: 5 });
    await DBOS.createSchedule({ scheduleName: 'cli-nightly', workflowFn: onSchedule, schedule: '0 3 * * *', context: { from: 'cli' } });
  });
  after(async () => {
    await DBOS.shutdown();
  });

  test('workflow list: a table by default, JSON with --json, and each filter', async () => {
    const table = await cliOk(['workflow', 'list', ...db]);
    assert.match(table.split('\n')[0]!, /^WORKFLOW ID\s+STATUS\s+NAME\s+QUEUE\s+CREATED\s+APP VERSION$/);
    assert.match(table, new RegExp(`greet-${backend.name}\\s+SUCCESS\\s+cli\\.greet`));
    assert.match(table, new RegExp(`fail-${backend.name}\\s+ERROR\\s+cli\\.fail`));

    const all = await cliJson<{ workflowID: string; status: string; queueName?: string }[]>(['workflow', 'list', '--limit', '100', ...db]);
    assert.equal(all.length, 4);
    assert.equal(all[0]!.workflowID, `delayed-${backend.name}`, 'newest first');
    const ids = async (...filters: string[]) =>
      (await cliJson<{ workflowID: string }[]>(['workflow', 'list', ...filters, ...db])).map((w) => w.workflowID).sort();
    assert.deepEqual(await ids('--status', 'error'), [`fail-${backend.name}`]);
    assert.deepEqual(await ids('--status', 'ERROR,DELAYED'), [`delayed-${backend.name}`, `fail-${backend.name}`]);
    assert.deepEqual(await ids('--queue', 'cli-queue'), [`delayed-${backend.name}`]);
    assert.equal((await ids('--name', 'cli.greet')).length, 3);
    assert.equal((await ids('--limit', '1')).length, 1);
    assert.deepEqual(await ids('--since', new Date(Date.now() + 60_000).toISOString()), []);
    assert.equal((await ids('--until', String(Date.now() + 60_000))).length, 4);
    assert.equal((await ids('--app-version', 'v-cli-1', '--status', 'SUCCESS')).length, 2);
    assert.deepEqual(await ids('--app-version', 'no-such-version'), []);
    const others = await cliJson<{ workflowID: string; applicationName?: string }[]>(['workflow', 'list', ...db, '--app-name', 'another-app']);
    assert.deepEqual(others, [], 'scoped to the application (and unowned rows)');
  });

  test('workflow get and steps: the status with inputs and outcome, the recorded steps', async () => {
    const id = `greet-${backend.name}`;
    const status = await cliJson(['workflow', 'get', id, ...db]);
    assert.equal(status.status, 'SUCCESS');
    assert.deepEqual(status.input, ['bob']);
    assert.equal(status.output, 'hello BOB');
    const text = await cliOk(['workflow', 'get', id, ...db]);
    assert.match(text, /^Workflow ID: +greet-/m);
    assert.match(text, /^Output: +hello BOB$/m);
    const failed = await cliJson(['workflow', 'get', `fail-${backend.name}`, ...db]);
    assert.equal(failed.error.message, 'boom');

    const steps = await cliJson<{ functionID: number; name: string; output: unknown }[]>(['workflow', 'steps', id, ...db]);
    assert.deepEqual(steps.map((s) => [s.functionID, s.name, s.output]), [[0, 'cli.shout', 'BOB']]);
    const stepTable = await cliOk(['workflow', 'steps', id, ...db]);
    assert.match(stepTable, /^STEP\s+NAME\s+STARTED\s+MS\s+CHILD\s+OUTPUT OR ERROR$/m);
    assert.match(stepTable, /^0\s+cli\.shout\s+\S+\s+\d+\s+BOB$/m);

    for (const verb of ['get', 'steps', 'cancel', 'resume', 'delete']) {
      const run = await runCli(['workflow', verb, 'no-such-workflow', ...db]);
      assert.equal(run.code, 1, `workflow ${verb}`);
      assert.match(oneLineError(run), /^durably: There is no workflow "no-such-workflow"\.$/);
    }
    const json = await runCli(['workflow', 'get', 'no-such-workflow', '--json', ...db]);
    assert.equal(json.code, 1);
    assert.deepEqual(JSON.parse(oneLineError(json)).error.code, 'WORKFLOW_NOT_FOUND');
  });

  test('workflow cancel, resume, fork and delete steer a live workflow', async () => {
    const id = `wait-${backend.name}`;
    await DBOS.startWorkflow(wait, { workflowID: id })();
    await until(() => DBOS.getWorkflowStatus(id), (s) => s?.status === 'PENDING', 'it runs');
    assert.match(await cliOk(['workflow', 'cancel', id, ...db]), new RegExp(`^Workflow ${id}: PENDING -> CANCELLED\\.$`, 'm'));
    assert.equal((await DBOS.getWorkflowStatus(id))?.status, 'CANCELLED');
    assert.match(await cliOk(['workflow', 'cancel', id, ...db]), /is CANCELLED \(unchanged\)/);

    const resumed = await cliJson(['workflow', 'resume', id, ...db]);
    assert.deepEqual([resumed.before, resumed.after], ['CANCELLED', 'ENQUEUED']);
    await until(() => DBOS.getWorkflowStatus(id), (s) => s?.status === 'PENDING', 'the resumed run starts');
    await DBOS.send(id, 'go', 'go');
    assert.equal(await DBOS.retrieveWorkflow(id).getResult(), 'released:go');

    const forked = await cliJson(['workflow', 'fork', `greet-${backend.name}`, '--step', '1', '--new-id', `fork-${backend.name}`, ...db]);
    assert.deepEqual(forked, { workflowID: `fork-${backend.name}`, forkedFrom: `greet-${backend.name}`, startStep: 1 });
    assert.equal(await DBOS.retrieveWorkflow(`fork-${backend.name}`).getResult(), 'hello BOB');
    const text = await cliOk(['workflow', 'fork', `greet-${backend.name}`, '--step', '0', '--app-version', 'v-cli-1', ...db]);
    const newID = /new workflow (\S+)\.$/m.exec(text)?.[1];
    assert.ok(newID, text);
    assert.equal(await DBOS.retrieveWorkflow(newID).getResult(), 'hello BOB');

    assert.match(await cliOk(['workflow', 'delete', `fork-${backend.name}`, ...db]), /SUCCESS -> DELETED/);
    assert.equal(await DBOS.getWorkflowStatus(`fork-${backend.name}`), null);

    const noStep = await runCli(['workflow', 'fork', id, ...db]);
    assert.equal(noStep.code, 2);
    assert.match(oneLineError(noStep), /--step/);
  });

  test('queue list: queues with their depth by status, registered ones with their limits', async () => {
    const queues = await cliJson<{ name: string; enqueued: number; delayed: number; pending: number; registered: boolean }[]>(['queue', 'list', ...db]);
    const byName = new Map(queues.map((q) => [q.name, q]));
    assert.deepEqual(byName.get('cli-queue'), { name: 'cli-queue', enqueued: 0, delayed: 1, pending: 0, registered: false });
    assert.equal(byName.get('cli-registered')?.registered, true);
    const table = await cliOk(['queue', 'list', ...db]);
    assert.match(table, /^QUEUE\s+ENQUEUED\s+DELAYED\s+PENDING\s+REGISTERED/);
    assert.match(table, /^cli-queue\s+0\s+1\s+0\s+no$/m);
    assert.match(table, /^cli-registered\s+0\s+0\s+0\s+yes\s+5\s+2$/m);
  });

  test('schedule list, pause, resume, trigger and backfill (runs enqueued by name, run by the application)', async () => {
    const [listed] = await cliJson<{ scheduleName: string; status: string; context: unknown }[]>(['schedule', 'list', ...db]);
    assert.equal(listed?.scheduleName, 'cli-nightly');
    assert.deepEqual(listed?.context, { from: 'cli' });
    assert.match(await cliOk(['schedule', 'list', ...db]), /^cli-nightly\s+cli\.onSchedule\s+0 3 \* \* \*\s+ACTIVE/m);
    await cliOk(['schedule', 'pause', 'cli-nightly', ...db]);
    assert.equal((await DBOS.getSchedule('cli-nightly'))?.status, 'PAUSED');
    assert.deepEqual(await cliJson(['schedule', 'list', '--status', 'active', ...db]), []);
    await cliOk(['schedule', 'resume', 'cli-nightly', ...db]);
    assert.equal((await DBOS.getSchedule('cli-nightly'))?.status, 'ACTIVE');

    const triggered = await cliJson<{ workflowID: string }>(['schedule', 'trigger', 'cli-nightly', ...db]);
    assert.match(triggered.workflowID, /^sched-cli-nightly-trigger-/);
    await DBOS.retrieveWorkflow(triggered.workflowID).getResult();
    assert.equal((await DBOS.getWorkflowStatus(triggered.workflowID))?.scheduleName, 'cli-nightly');

    const range = ['--start', '2026-01-01T00:00:00Z', '--end', '2026-01-03T00:00:00Z'];
    const backfilled = await cliJson<{ workflowIDs: string[] }>(['schedule', 'backfill', 'cli-nightly', ...range, ...db]);
    assert.equal(backfilled.workflowIDs.length, 2);
    for (const workflowID of backfilled.workflowIDs) await DBOS.retrieveWorkflow(workflowID).getResult();
    for (const workflowID of backfilled.workflowIDs) assert.ok(scheduledRuns.includes(`${workflowID}:{"from":"cli"}`), workflowID);
    const again = await cliJson<{ workflowIDs: string[] }>(['schedule', 'backfill', 'cli-nightly', ...range, ...db]);
    assert.deepEqual(again.workflowIDs, backfilled.workflowIDs, 'the same slot IDs: each slot runs once');
    assert.equal(scheduledRuns.filter((r) => backfilled.workflowIDs.some((id) => r.startsWith(`${id}:`))).length, 2);

    const missing = await runCli(['schedule', 'pause', 'no-such-schedule', ...db]);
    assert.equal(missing.code, 1);
    assert.match(oneLineError(missing), /no-such-schedule/);
    const badRange = await runCli(['schedule', 'backfill', 'cli-nightly', '--start', 'yesterday', '--end', '2026-01-01', ...db]);
    assert.equal(badRange.code, 2);
  });

  test('version list and set-latest', async () => {
    const versions = await cliJson<{ versionName: string }[]>(['version', 'list', ...db]);
    assert.deepEqual(versions.map((v) => v.versionName), ['v-cli-1']);
    assert.match(await cliOk(['version', 'list', ...db]), /^v-cli-1\s+yes\s/m);
    assert.match(await cliOk(['version', 'set-latest', 'v-cli-1', ...db]), /v-cli-1 is now the latest/);
    const unknown = await runCli(['version', 'set-latest', 'v-none', ...db]);
    assert.equal(unknown.code, 1);
    assert.match(oneLineError(unknown), /v-none/);
  });

  test('workflow list --attributes JSON filters by containment; --application-name by owner (DBOS 5.3)', async () => {
    await DBOS.startWorkflow(greet, { workflowID: `attr-acme-${backend.name}`, workflowAttributes: { tenant: 'acme', tier: 2 } })('a').then((h) => h.getResult());
    await DBOS.startWorkflow(greet, { workflowID: `attr-other-${backend.name}`, workflowAttributes: { tenant: 'other' } })('o').then((h) => h.getResult());
    const ids = async (...filters: string[]) =>
      (await cliJson<{ workflowID: string }[]>(['workflow', 'list', '--limit', '100', ...filters, ...db])).map((w) => w.workflowID).sort();
    assert.deepEqual(await ids('--attributes', '{"tenant":"acme"}'), [`attr-acme-${backend.name}`]);
    assert.deepEqual(await ids('--attributes', '{"tenant":"nobody"}'), []);
    const bad = await runCli(['workflow', 'list', '--attributes', '[1]', ...db]);
    assert.equal(bad.code, 2);
    assert.match(oneLineError(bad), /--attributes must be a JSON object/);
    assert.ok((await ids('--application-name', config.name!)).includes(`attr-acme-${backend.name}`));
    assert.deepEqual(await ids('--application-name', 'another-app'), []);
  });

  test('gc deletes finished workflows beyond --rows-threshold and before --cutoff, never unfinished ones', async () => {
    const before = await cliJson<{ workflowID: string; status: string }[]>(['workflow', 'list', '--limit', '100', ...db]);
    const result = await cliJson<{ deleted: number }>(['gc', '--rows-threshold', '1', ...db]);
    assert.ok(result.deleted > 0);
    const afterRows = await cliJson<{ workflowID: string; status: string }[]>(['workflow', 'list', '--limit', '100', ...db]);
    assert.equal(afterRows.length, before.length - result.deleted);
    assert.ok(afterRows.some((w) => w.workflowID === `delayed-${backend.name}`), 'a DELAYED workflow is kept');
    assert.match(await cliOk(['gc', '--cutoff', String(Date.now() + 1000), ...db]), /^Deleted \d+ finished workflow\(s\)\.$/m);
    const remaining = await cliJson<{ status: string }[]>(['workflow', 'list', '--limit', '100', ...db]);
    assert.ok(remaining.every((w) => ['ENQUEUED', 'DELAYED', 'PENDING'].includes(w.status)), JSON.stringify(remaining));
  });
});
