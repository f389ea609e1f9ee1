/**
 * Statements and durable commits per sequential workflow, and the bare replay
 * of its writes (the bench's "SQL per workflow" and (a')), on one backend:
 * a noise-free before/after check of a schema change. One JSON line.
 *   node --import tsx bench/schema-count.ts sqlite|postgres
 */
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import { join } from 'node:path';
import { dropSchemas, postgresUrl, preparePostgres } from './harness.ts';
import { countPerWorkflow } from './statement-count.ts';

const backend = process.argv[2] === 'postgres' ? 'postgres' : 'sqlite';

async function main(): Promise<void> {
  const dir = mkdtempSync(join(os.tmpdir(), 'durably-count-'));
  const url = postgresUrl();
  const schema = `count_${Date.now()}${process.pid}`;
  if (backend === 'postgres') await preparePostgres(url);
  const config =
    backend === 'postgres'
      ? { name: 'count', systemDatabaseUrl: url, systemDatabaseSchemaName: schema, logLevel: 'warn' as const }
      : { name: 'count', systemDatabaseUrl: join(dir, 'count.sqlite'), logLevel: 'warn' as const };
  const target = backend === 'postgres' ? { backend, url } : { backend, path: config.systemDatabaseUrl };
  try {
    const counts = await countPerWorkflow(config, target as never, 100, 300);
    console.log(JSON.stringify({ backend, ...counts }));
  } finally {
    rmSync(dir, { recursive: true, force: true });
    if (backend === 'postgres') await dropSchemas(url, [schema]);
  }
}

main().catch((error: unknown) => {
  console.error(error);
  process.exitCode = 1;
});
