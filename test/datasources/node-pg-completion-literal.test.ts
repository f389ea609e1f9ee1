/**
 * NodePostgresDataSource sends the completion row and COMMIT as one simple-query string, its values as
 * literals (postgres-transactions.ts, insertCompletionAndCommitPG), and on the system database itself the
 * single-commit checkpoint the same way (statementAndCommitPG): whatever the text (quotes, backslashes, SQL,
 * non-ASCII) and whatever the server's standard_conforming_strings, the row stored is the text itself.
 */
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { afterEach, beforeEach, describe, test } from 'node:test';
import { DBOS, type DBOSConfig } from '../../src/index.ts';
import { runTransaction } from '../../src/datasource.ts';
import { NodePostgresDataSource } from '../../src/datasources/node-pg.ts';
import { encodeValue } from '../../src/engine/stored-values.ts';
import { forEachBackend, postgresAvailable, postgresBackend, type TestBackend } from '../helpers/backends.ts';
import { stepOutcomes } from '../helpers/lifecycle.ts';
import type { AppDatabase, AppSpec } from './fixtures/app-database.ts';
import { appDatabase } from './fixtures/node-pg-app.ts';

if (!postgresAvailable) throw new Error('The node-pg data source tests need Postgres (DBOS_TEST_POSTGRES_URL or 127.0.0.1:5432).');

const tricky = [
  "it's", 'back\\slash', "\\'; DROP TABLE items; --", "'')", 'E\'\\x41\'', 'line\nbreak\ttab', 'ünïcødé ✓ 𝄞', '$1 $$ $tag$', '',
].join(' | ');

type Placement = 'own-database' | 'system-database';

function defineLiterals(backend: TestBackend, placement: Placement): void {
  let config: DBOSConfig;
  let spec: AppSpec;
  let app: AppDatabase;

  beforeEach(async () => {
    config = backend.freshConfig();
    spec = await appDatabase.create(placement === 'system-database' ? config : undefined);
    app = appDatabase.open(spec);
  });
  afterEach(async () => {
    await DBOS.shutdown({ deregister: true });
    await app.close();
    await appDatabase.drop(spec);
  });

  for (const conforming of ['on', 'off']) {
    test(`standard_conforming_strings = ${conforming}: outputs and errors are stored as they are`, async () => {
      const dsName = `literal-${randomUUID().slice(0, 8)}`;
      const options = `-c standard_conforming_strings=${conforming}`;
      new NodePostgresDataSource(dsName, { connectionString: spec.url, options }, spec.schema);
      const value = { text: tricky, list: [tricky, null] };
      const succeeding = DBOS.registerWorkflow(
        () => runTransaction(async () => value, 'literal.succeeds', { dsName }),
        { name: 'literal.succeedsWorkflow' },
      );
      const failing = DBOS.registerWorkflow(
        () => runTransaction(async () => Promise.reject(new RangeError(tricky)), 'literal.fails', { dsName }),
        { name: 'literal.failsWorkflow' },
      );
      DBOS.setConfig(config);
      await DBOS.launch();
      const succeededID = randomUUID();
      assert.deepEqual(await DBOS.withNextWorkflowID(succeededID, () => succeeding()), value);
      const failedID = randomUUID();
      await assert.rejects(DBOS.withNextWorkflowID(failedID, () => failing()), (error: unknown) => error instanceof RangeError && error.message === tricky);
      const expected = (await encodeValue(value, 'test value')).text;
      if (placement === 'system-database') {
        // Single commit: the checkpoint went with the COMMIT, as literals; the result above was read back from it.
        assert.deepEqual((await stepOutcomes(succeededID)).map((step) => step.output), [expected]);
        assert.deepEqual(await app.completionRows(), []);
        return;
      }
      const rows = await app.completionRows();
      const stored = rows.find((row) => row.workflow_id === succeededID);
      assert.equal(stored?.output, expected);
      const failed = rows.find((row) => row.workflow_id === failedID);
      assert.ok(failed?.error?.includes(JSON.stringify(tricky).slice(1, -1)), failed?.error ?? 'no error row');
    });
  }
}

forEachBackend('NodePostgresDataSource completion row sent with its COMMIT, as literals', (backend) => defineLiterals(backend, 'own-database'));
describe('NodePostgresDataSource single-commit checkpoint sent with its COMMIT, as literals [postgres]', () =>
  defineLiterals(postgresBackend, 'system-database'));
