/**
 * Interop tests' view of Postgres: fresh schemas (dropped after the file),
 * the schema DBOS 5.3's own migrations build (from the published SDK's
 * migration statements), and a catalog snapshot to compare two schemas.
 * Interop runs on Postgres only (DBOS's TypeScript SDK has no SQLite): when
 * Postgres is unreachable every interop suite is skipped, loudly.
 */
import { randomUUID } from 'node:crypto';
import { createRequire } from 'node:module';
import { after } from 'node:test';
import pg from 'pg';
import { postgresAvailable } from '../../helpers/backends.ts';

export const postgresUrl = process.env.DBOS_TEST_POSTGRES_URL ?? 'postgresql://postgres@127.0.0.1:5432/durably_test';

export const interopSkip = postgresAvailable ? false : 'Postgres unreachable: the DBOS interop tests need it';
if (!postgresAvailable) console.warn(`\n!!! DBOS INTEROP TESTS SKIPPED: cannot reach ${postgresUrl}.\n`);

const created: string[] = [];

/** A new schema name, dropped (if it was created) after the test file. */
export function freshSchemaName(): string {
  const name = `interop_${randomUUID().replaceAll('-', '').slice(0, 16)}`;
  created.push(name);
  return name;
}

after(async () => {
  if (!postgresAvailable || created.length === 0) return;
  await withClient(async (client) => {
    for (const schema of created.splice(0)) await client.query(`DROP SCHEMA IF EXISTS "${schema}" CASCADE`);
  });
});

export async function withClient<T>(work: (client: pg.Client) => Promise<T>): Promise<T> {
  const client = new pg.Client({ connectionString: postgresUrl });
  await client.connect();
  try {
    return await work(client);
  } finally {
    await client.end();
  }
}

const require = createRequire(import.meta.url);
const dbosSchemaModule = require('@dbos-inc/dbos-sdk/internal/cli/schema') as {
  generateMigrationStatements(schemaName: string, startMigration?: number): string[];
};
const dbosRunner = require('@dbos-inc/dbos-sdk/internal/sysdb_migrations/migration_runner') as {
  runSysMigrationsPg(
    client: pg.Client,
    migrations: unknown[],
    schemaName: string,
    options?: { onWarn?: (message: string) => void },
  ): Promise<{ fromVersion: number; toVersion: number; appliedCount: number }>;
};
const dbosMigrations = require('@dbos-inc/dbos-sdk/internal/sysdb_migrations/internal/migrations') as {
  allMigrations(schemaName: string): unknown[];
};

/** Build `schema` as DBOS 5.3's own migrations do (statement by statement: some index builds are CONCURRENTLY). */
export async function createDbosSchema(schema: string): Promise<void> {
  await withClient(async (client) => {
    for (const statement of dbosSchemaModule.generateMigrationStatements(schema)) await client.query(statement);
  });
}

/** Run DBOS 5.3's own migration runner on `schema`: what a DBOS worker does at launch. */
export async function runDbosMigrations(schema: string): Promise<{ fromVersion: number; toVersion: number; appliedCount: number }> {
  return withClient((client) => dbosRunner.runSysMigrationsPg(client, dbosMigrations.allMigrations(schema), schema, { onWarn: () => {} }));
}

export interface CatalogSnapshot {
  /** `table.column` → `type, nullability, default`. */
  columns: Map<string, string>;
  /** index name → its definition, schema name blanked. */
  indexes: Map<string, string>;
  /** `table.constraint` → its definition. */
  constraints: Map<string, string>;
  /** `function(args)`. */
  functions: Set<string>;
  /** `table.trigger`. */
  triggers: Set<string>;
}

/** Defaults as Postgres prints them, with the spellings that mean the same value made equal. */
function normalizedDefault(text: string | null): string {
  // `now() * 1000.0` and `now() * 1000` (printed `(1000)::numeric`) are the same epoch milliseconds.
  return (text ?? '').replaceAll('1000.0', '1000').replaceAll('(1000)::numeric', '1000').replaceAll('::text', '').toLowerCase();
}

export async function catalogSnapshot(schema: string): Promise<CatalogSnapshot> {
  return withClient(async (client) => {
    const blank = (text: string) => text.replaceAll(`"${schema}".`, '').replaceAll(`${schema}.`, '');
    const columns = await client.query(
      `SELECT table_name, column_name, data_type, is_nullable, column_default FROM information_schema.columns
       WHERE table_schema = $1`,
      [schema],
    );
    const indexes = await client.query('SELECT indexname, indexdef FROM pg_indexes WHERE schemaname = $1', [schema]);
    const constraints = await client.query(
      `SELECT c.relname AS table_name, k.conname, pg_get_constraintdef(k.oid) AS definition
       FROM pg_constraint AS k JOIN pg_class AS c ON c.oid = k.conrelid JOIN pg_namespace AS n ON n.oid = c.relnamespace
       WHERE n.nspname = $1`,
      [schema],
    );
    const functions = await client.query(
      `SELECT p.proname || '(' || pg_get_function_identity_arguments(p.oid) || ')' AS signature
       FROM pg_proc AS p JOIN pg_namespace AS n ON n.oid = p.pronamespace WHERE n.nspname = $1`,
      [schema],
    );
    const triggers = await client.query(
      `SELECT c.relname || '.' || t.tgname AS name FROM pg_trigger AS t JOIN pg_class AS c ON c.oid = t.tgrelid
       JOIN pg_namespace AS n ON n.oid = c.relnamespace WHERE n.nspname = $1 AND NOT t.tgisinternal`,
      [schema],
    );
    return {
      columns: new Map(
        columns.rows.map((r) => [
          `${r.table_name}.${r.column_name}`,
          `${r.data_type}, ${r.is_nullable === 'YES' ? 'null' : 'not null'}, default ${normalizedDefault(r.column_default)}`,
        ]),
      ),
      indexes: new Map(indexes.rows.map((r) => [String(r.indexname), blank(String(r.indexdef))])),
      constraints: new Map(constraints.rows.map((r) => [`${r.table_name}.${r.conname}`, blank(String(r.definition))])),
      functions: new Set(functions.rows.map((r) => String(r.signature))),
      triggers: new Set(triggers.rows.map((r) => String(r.name))),
    };
  });
}

/** Everything DBOS's schema has that `durably`'s lacks or defines differently, one line each. */
export function missingFrom(durably: CatalogSnapshot, dbos: CatalogSnapshot): string[] {
  const problems: string[] = [];
  const compare = (kind: string, theirs: Map<string, string>, ours: Map<string, string>) => {
    for (const [name, definition] of theirs) {
      const mine = ours.get(name);
      if (mine === undefined) problems.push(`${kind} ${name} missing (DBOS: ${definition})`);
      else if (mine !== definition) problems.push(`${kind} ${name} differs: durably "${mine}", DBOS "${definition}"`);
    }
  };
  compare('column', dbos.columns, durably.columns);
  compare('index', dbos.indexes, durably.indexes);
  compare('constraint', dbos.constraints, durably.constraints);
  for (const f of dbos.functions) if (!durably.functions.has(f)) problems.push(`function ${f} missing`);
  for (const t of dbos.triggers) if (!durably.triggers.has(t)) problems.push(`trigger ${t} missing`);
  return problems;
}
