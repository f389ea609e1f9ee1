/**
 * `durably migrate`, `reset` and the errors before any command runs, as real
 * processes: migrate creates the schema a worker and a client then use; reset
 * refuses without -y and drops with it; which database a command opens (--db,
 * DBOS_SYSTEM_DATABASE_URL, the app's SQLite default); usage errors exit 2,
 * failures exit 1, each as one line (or one JSON object with --json).
 */
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { existsSync, mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, test } from 'node:test';
import { DBOSClient } from '../../src/index.ts';
import { forEachBackend, testTempDir } from '../helpers/backends.ts';
import { cliJson, cliOk, databaseArgs, oneLineError, runCli } from './run-cli-process.ts';

forEachBackend('durably migrate and reset', (backend) => {
  test('list on an unmigrated database says to run `durably migrate`; migrate makes it usable; reset -y drops it', async () => {
    const config = backend.freshConfig();
    const db = databaseArgs(config);
    const before = await runCli(['workflow', 'list', ...db]);
    assert.equal(before.code, 1);
    assert.match(oneLineError(before), /^durably: .*run `durably migrate`/);
    if (backend.name === 'sqlite') assert.equal(existsSync(config.systemDatabaseUrl!), false, 'nothing is created by a listing');

    assert.match(await cliOk(['migrate', ...db]), /is at schema version \d+\.$/m);
    const again = await cliJson(['migrate', ...db]);
    assert.equal(typeof again.schemaVersion, 'number');
    assert.deepEqual(await cliJson(['workflow', 'list', ...db]), []);
    const client = await DBOSClient.create({ systemDatabaseUrl: config.systemDatabaseUrl!, systemDatabaseSchemaName: config.systemDatabaseSchemaName });
    await client.destroy();

    const refused = await runCli(['reset', ...db]);
    assert.equal(refused.code, 2);
    assert.match(oneLineError(refused), /pass -y to confirm/);
    assert.deepEqual(await cliJson(['workflow', 'list', ...db]), [], 'still there');
    assert.match(await cliOk(['reset', '-y', ...db]), /^Dropped the system database/);
    const gone = await runCli(['workflow', 'list', ...db]);
    assert.equal(gone.code, 1);
    assert.match(oneLineError(gone), /durably migrate/);
  });

  test("gc is scoped like DBOS's: --app-name's finished workflows and unowned ones, never another application's", async () => {
    const config = backend.freshConfig();
    const target = { systemDatabaseUrl: config.systemDatabaseUrl!, systemDatabaseSchemaName: config.systemDatabaseSchemaName };
    const db = ['--db', config.systemDatabaseUrl!, ...(config.systemDatabaseSchemaName ? ['--schema', config.systemDatabaseSchemaName] : [])];
    await cliOk(['migrate', ...db]);
    for (const applicationName of ['app-a', 'app-b', undefined]) {
      const client = await DBOSClient.create({ ...target, applicationName });
      try {
        const workflowID = `gc-${applicationName ?? 'unowned'}`;
        await client.enqueue({ queueName: 'nobody-dequeues', workflowName: 'some.workflow', workflowID });
        await client.cancelWorkflow(workflowID);
      } finally {
        await client.destroy();
      }
    }
    const cutoff = String(Date.now() + 1000);
    assert.deepEqual(await cliJson(['gc', '--cutoff', cutoff, '--app-name', 'app-a', ...db]), { deleted: 2 });
    const left = await cliJson<{ workflowID: string }[]>(['workflow', 'list', '--app-name', 'app-b', ...db]);
    assert.deepEqual(left.map((w) => w.workflowID), ['gc-app-b']);
    assert.deepEqual(await cliJson(['gc', '--rows-threshold', '0', '--app-name', 'app-a', ...db]), { deleted: 0 });
    assert.deepEqual(await cliJson(['gc', '--cutoff', cutoff, '--app-name', 'app-b', ...db]), { deleted: 1 });
  });

  test('DBOS_SYSTEM_DATABASE_URL names the database when --db does not', async () => {
    const config = backend.freshConfig();
    const env = { DBOS_SYSTEM_DATABASE_URL: config.systemDatabaseUrl! };
    const schema = config.systemDatabaseSchemaName ? ['--schema', config.systemDatabaseSchemaName] : [];
    await cliOk(['migrate', ...schema], { env });
    assert.deepEqual(await cliJson(['version', 'list', ...schema], { env }), []);
    await cliOk(['reset', '--yes', ...schema], { env });
  });
});

const appFolders: string[] = [];
after(() => {
  for (const folder of appFolders) rmSync(folder, { recursive: true, force: true });
});

test("without --db or the variable, the SQLite file of the app in the current folder (package.json's name)", async () => {
  const folder = join(testTempDir, `cli-app-${randomUUID()}`);
  appFolders.push(folder);
  mkdirSync(folder);
  writeFileSync(join(folder, 'package.json'), JSON.stringify({ name: '@acme/orders' }));
  const env = { DBOS_SYSTEM_DATABASE_URL: undefined };
  const migrated = await cliJson(['migrate'], { cwd: folder, env });
  assert.equal(migrated.database, `"${join(folder, 'orders.sqlite')}"`);
  assert.ok(existsSync(join(folder, 'orders.sqlite')));
  await cliJson(['migrate', '--app-name', 'billing'], { cwd: folder, env });
  assert.ok(existsSync(join(folder, 'billing.sqlite')), '--app-name names the default file as config name does');
});

test('usage errors exit 2 with one line; --help works on every verb and exits 0', async () => {
  const usage = async (args: string[], pattern: RegExp) => {
    const run = await runCli(args);
    assert.equal(run.code, 2, `durably ${args.join(' ')}: ${run.stderr}`);
    assert.match(oneLineError(run), pattern);
  };
  await usage([], /no command given/);
  await usage(['frobnicate'], /unknown command "frobnicate"/);
  await usage(['workflow'], /needs a verb: list, get, steps, cancel, resume, delete, fork/);
  await usage(['workflow', 'frob'], /unknown verb "workflow frob"/);
  await usage(['workflow', 'list', '--bogus'], /Unknown option '--bogus'/);
  await usage(['workflow', 'list', '--limit', 'ten'], /--limit must be an integer >= 1, got "ten"/);
  await usage(['workflow', 'list', '--limit', '0'], /--limit must be an integer >= 1/);
  await usage(['workflow', 'list', '--since', 'last tuesday'], /--since must be an ISO 8601 time/);
  await usage(['workflow', 'list', '--status', 'DONE'], /--status must be one of PENDING, SUCCESS/);
  await usage(['workflow', 'get'], /workflow get takes WORKFLOW_ID, got none/);
  await usage(['workflow', 'list', 'extra'], /takes no arguments, got "extra"/);
  await usage(['gc', '--db', 'x.sqlite'], /gc needs --cutoff TIME, --rows-threshold N, or both/);
  await usage(['gc', '--rows-threshold=-1'], /--rows-threshold must be an integer >= 0/);
  const json = await runCli(['workflow', 'list', '--limit', 'ten', '--json']);
  assert.equal(json.code, 2);
  assert.deepEqual(JSON.parse(oneLineError(json)), {
    error: { code: 'COMMAND_USAGE', message: '--limit must be an integer >= 1, got "ten".', exitCode: 2 },
  });

  const help = await cliOk(['--help']);
  assert.match(help, /^Usage: durably <command>/);
  assert.match(await cliOk(['workflow', '--help']), /^Usage: durably workflow <verb>/);
  const verbs = [
    ['workflow', 'list'], ['workflow', 'get'], ['workflow', 'steps'], ['workflow', 'cancel'], ['workflow', 'resume'],
    ['workflow', 'delete'], ['workflow', 'fork'], ['queue', 'list'], ['schedule', 'list'], ['schedule', 'pause'],
    ['schedule', 'resume'], ['schedule', 'trigger'], ['schedule', 'backfill'], ['version', 'list'], ['version', 'set-latest'],
    ['migrate'], ['reset'], ['gc'],
  ];
  for (const words of verbs) {
    assert.ok(help.includes(`  ${words.join(' ')}`), `the tool's help lists ${words.join(' ')}`);
    assert.match(await cliOk([...words, '--help']), new RegExp(`^Usage: durably ${words.join(' ')}`), words.join(' '));
  }
});

test('a bad URL and an unreachable database fail with exit 1 and one line', async () => {
  const bad = await runCli(['workflow', 'list', '--db', 'mysql://somewhere/db']);
  assert.equal(bad.code, 1);
  assert.match(oneLineError(bad), /^durably: .*names no known backend/);
  const unreachable = await runCli(['workflow', 'list', '--db', 'postgresql://postgres@127.0.0.1:1/nowhere']);
  assert.equal(unreachable.code, 1);
  assert.match(oneLineError(unreachable), /^durably: Cannot reach the Postgres system database at postgresql:\/\/postgres@127\.0\.0\.1:1\/nowhere/);
  const json = await runCli(['queue', 'list', '--json', '--db', 'postgresql://postgres:secret@127.0.0.1:1/nowhere']);
  assert.equal(json.code, 1);
  const error = JSON.parse(oneLineError(json)).error;
  assert.equal(error.code, 'DATABASE_UNREACHABLE');
  assert.doesNotMatch(error.message, /secret/, 'the password is redacted');
});
