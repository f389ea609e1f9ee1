/**
 * Every query of a dequeue round reads the partial dequeue index
 * (queue_name, status, priority, created_at), never the whole workflow
 * table, and the claim takes its candidates in index order (no sort). The
 * statements are captured from sql/queues.ts and explained on a migrated
 * database of each backend. SQLite uses a partial index only when a query
 * states the index's terms; on Postgres, sequential scans are switched off so
 * that the plan shows whether the index gives the claim's order.
 */
import assert from 'node:assert/strict';
import { DatabaseSync } from 'node:sqlite';
import { afterEach, test } from 'node:test';
import pg from 'pg';
import { DBOS } from '../../src/index.ts';
import type { QueryRunner, Row, SqlValue } from '../../src/system-database/connection.ts';
import type { Dialect } from '../../src/system-database/dialect.ts';
import { postgresDialect } from '../../src/system-database/postgres/postgres-dialect.ts';
import { claimQueuedWorkflows, peekQueue, selectWaitingPartitions } from '../../src/system-database/sql/queues.ts';
import { claimBatch } from '../../src/system-database/sql/claim-batch.ts';
import { sqliteDialect } from '../../src/system-database/sqlite/sqlite-dialect.ts';
import type { DBOSConfig } from '../../src/index.ts';
import { forEachBackend } from '../helpers/backends.ts';
import { launch } from '../helpers/lifecycle.ts';

interface Statement {
  sql: string;
  params: readonly SqlValue[];
}

/** Runs nothing: records each statement (answering with no rows) so it can be explained. */
function recorder(): QueryRunner & { statements: Statement[] } {
  const statements: Statement[] = [];
  return {
    statements,
    async query<R extends Row = Row>(sql: string, params: readonly SqlValue[] = []): Promise<R[]> {
      statements.push({ sql, params });
      return [];
    },
  };
}

/** The statements of one dequeue round with every limit, a partition, due delayed workflows and lost claims to look up. */
async function dequeueStatements(d: Dialect): Promise<Statement[]> {
  const runner = recorder();
  const limits = { concurrency: 5, rateLimit: { limitPerPeriod: 10, periodMs: 1000 } };
  await peekQueue(runner, d, 'plan-queue');
  await selectWaitingPartitions(runner, d, 'plan-queue');
  await claimQueuedWorkflows(runner, d, {
    queueName: 'plan-queue', partitionKey: 'p', maxTasks: 5, queueLimits: limits, partitionLimits: limits,
    executorID: 'plan-executor', applicationVersion: 'v1', applicationName: 'plan-app',
  }, true, { claimTime: () => Date.now(), lostTimes: [Date.now() - 2, Date.now() - 1] });
  // The batch claim (claim-batch.ts) of a queue limited by its concurrency alone, after a lost attempt.
  const batch = claimBatch(d, {
    queueName: 'plan-queue', maxTasks: 5, queueLimits: { concurrency: 5 }, partitionLimits: {},
    executorID: 'plan-executor', applicationVersion: 'v1', applicationName: 'plan-app',
  }, { claimTime: () => Date.now(), lostTimes: [Date.now() - 1] });
  return [...runner.statements, ...batch.statements].filter((s) => s.sql.includes('workflow_status'));
}

async function sqlitePlans(config: DBOSConfig, statements: Statement[]): Promise<string[][]> {
  const database = new DatabaseSync(config.systemDatabaseUrl!, { readOnly: true });
  try {
    return statements.map(({ sql, params }) => {
      const rows = database.prepare(`EXPLAIN QUERY PLAN ${sql.replace(/\$(\d+)/g, '?$1')}`).all(...(params as never[]));
      return rows.map((row) => String(row.detail));
    });
  } finally {
    database.close();
  }
}

async function postgresPlans(config: DBOSConfig, statements: Statement[]): Promise<string[][]> {
  const client = new pg.Client({ connectionString: config.systemDatabaseUrl });
  await client.connect();
  try {
    await client.query('SET enable_seqscan = off');
    const plans: string[][] = [];
    for (const { sql, params } of statements) {
      const rows = (await client.query(`EXPLAIN ${sql}`, params as unknown[])).rows as { 'QUERY PLAN': string }[];
      plans.push(rows.map((row) => row['QUERY PLAN']));
    }
    return plans;
  } finally {
    await client.end();
  }
}

forEachBackend('dequeue queries and the dequeue index', (backend) => {
  afterEach(() => DBOS.shutdown());

  test('no dequeue query scans the workflow table, and the claim reads candidates in index order', async () => {
    const config = await launch(backend);
    const schema = config.systemDatabaseSchemaName ?? 'dbos';
    const d = backend.name === 'sqlite' ? sqliteDialect : postgresDialect(schema);
    const statements = await dequeueStatements(d);
    assert.ok(statements.some((s) => s.sql.includes('started_at_epoch_ms IN')), 'the lost-claims lookup was captured');
    assert.ok(statements.length >= 9, `captured ${statements.length} statements`);
    const plans = backend.name === 'sqlite' ? await sqlitePlans(config, statements) : await postgresPlans(config, statements);
    for (const [index, plan] of plans.entries()) {
      const text = plan.join('\n');
      const where = `${statements[index]!.sql}\n--- plan:\n${text}`;
      assert.doesNotMatch(text, /SCAN (main\.)?"?workflow_status"?\b(?! USING)|Seq Scan on workflow_status/, `a whole-table scan:\n${where}`);
      if (statements[index]!.sql.includes('ORDER BY')) {
        assert.doesNotMatch(text, /TEMP B-TREE FOR ORDER BY|Sort/, `the claim sorts its candidates:\n${where}`);
        assert.match(text, /idx_workflow_status_(in_flight|partition_dequeue)/, where);
      }
      if (statements[index]!.sql.includes('WITH candidates')) {
        // The claimed rows are updated through their primary key, not by another walk of the dequeue index.
        assert.match(text, /workflow_status_pkey|sqlite_autoindex_workflow_status_1|USING PRIMARY KEY/, `the claim's update:\n${where}`);
      }
    }
  });
});
