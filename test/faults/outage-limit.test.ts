/**
 * An outage longer than databaseOutageTimeoutMs: operations fail with the
 * typed, retriable DBOSDatabaseUnavailableError within a bounded time instead
 * of hanging, a workflow whose checkpoint write gave up records nothing (it
 * stays PENDING, its step outcome unwritten), and this process resumes it by
 * itself once the database is back (engine/outage-resume.ts): no relaunch.
 *
 * Postgres-only: the outage is a proxy refusing TCP connections; SQLite has
 * no connection to lose.
 */
import assert from 'node:assert/strict';
import { afterEach, describe, it } from 'node:test';
import pg from 'pg';
import { DBOS, DBOSDatabaseUnavailableError, type DBOSConfig } from '../../src/index.ts';
import { postgresBackend } from '../helpers/backends.ts';
import { proxiedPostgresSkip, useProxiedPostgres } from './support/proxied-postgres.ts';

const outageTimeoutMs = 1500;
const runs: string[] = [];
let stepStarted: () => void = () => undefined;
let releaseStep: () => void = () => undefined;

const gatedStep = DBOS.registerStep(
  async (label: string) => {
    runs.push(label);
    if (label === 'gated' && runs.filter((run) => run === 'gated').length === 1) {
      stepStarted();
      await new Promise<void>((resolve) => {
        releaseStep = resolve;
      });
    }
    return label;
  },
  { name: 'outageGatedStep' },
);

const threeSteps = DBOS.registerWorkflow(
  async () => {
    await gatedStep('first');
    await gatedStep('gated');
    await gatedStep('third');
    return 'done';
  },
  { name: 'outageThreeSteps' },
);

async function rejectionOf(promise: Promise<unknown>): Promise<{ error: unknown; ms: number }> {
  const started = Date.now();
  try {
    await promise;
  } catch (error) {
    return { error, ms: Date.now() - started };
  }
  assert.fail('expected the operation to fail during the outage');
}

/** The workflow's rows, read around the proxy (which refuses everything now). */
async function storedRows(config: DBOSConfig, workflowID: string) {
  const client = new pg.Client({ connectionString: postgresBackend.freshConfig().systemDatabaseUrl });
  await client.connect();
  try {
    const schema = `"${config.systemDatabaseSchemaName}"`;
    const status = await client.query(`SELECT status FROM ${schema}.workflow_status WHERE workflow_uuid = $1`, [workflowID]);
    const steps = await client.query(`SELECT function_name FROM ${schema}.operation_outputs WHERE workflow_uuid = $1`, [workflowID]);
    return { status: status.rows[0]?.status as string | undefined, steps: steps.rows.length };
  } finally {
    await client.end();
  }
}

describe('an outage longer than databaseOutageTimeoutMs [postgres]', { skip: proxiedPostgresSkip }, () => {
  const database = useProxiedPostgres();
  afterEach(() => DBOS.shutdown());

  it('fails operations with DBOSDatabaseUnavailableError, writes nothing half, and resumes the workflow when back', async () => {
    const proxy = database.proxy();
    const config = database.config({ databaseOutageTimeoutMs: outageTimeoutMs });
    DBOS.setConfig(config);
    await DBOS.launch();
    runs.length = 0;
    const started = new Promise<void>((resolve) => {
      stepStarted = resolve;
    });
    const handle = await DBOS.startWorkflow(threeSteps, { workflowID: 'outage-wf' })();
    await started;

    proxy.cutAll();
    proxy.refuse();
    releaseStep(); // its checkpoint write now meets the outage
    const [workflow, read] = await Promise.all([
      rejectionOf(handle.getResult()),
      rejectionOf(DBOS.getWorkflowStatus('outage-wf')),
    ]);
    for (const { error, ms } of [workflow, read]) {
      assert.ok(error instanceof DBOSDatabaseUnavailableError, `a typed error, got ${String(error)}`);
      assert.equal(error.code, 'DATABASE_UNAVAILABLE');
      assert.equal(error.retriable, true);
      assert.ok(ms < outageTimeoutMs + 2500, `gave up in ${ms} ms, bounded by the outage timeout`);
    }

    // Nothing half-written: still PENDING, no ERROR recorded, the gated step's outcome not recorded.
    assert.deepEqual(await storedRows(config, 'outage-wf'), { status: 'PENDING', steps: 1 });

    // Back: this process resumes the workflow from its last recorded step, with no relaunch.
    proxy.resume();
    const back = Date.now();
    assert.equal(await DBOS.retrieveWorkflow('outage-wf').getResult(), 'done');
    const resumedMs = Date.now() - back;
    assert.deepEqual(runs, ['first', 'gated', 'gated', 'third'], 'the recorded step did not run again');
    console.log(
      `# outage past the ${outageTimeoutMs} ms limit: workflow failed after ${workflow.ms} ms, a read after ${read.ms} ms; ` +
        `back → resumed and done in ${resumedMs} ms`,
    );
  });
});
