/**
 * Runs the real `durably` CLI as a child process: the package's bin
 * (bin/durably.js, loading the build in dist/, which `npm test` makes first),
 * under the project's Node; and the system-database arguments that point it
 * at a test backend. A build older than src/ is refused, naming `npm run build`.
 */
import { execFile } from 'node:child_process';
import { existsSync, readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import type { DBOSConfig } from '../../src/index.ts';

const root = join(import.meta.dirname, '..', '..');
export const binPath = join(root, 'bin', 'durably.js');

function newestMtimeMs(directory: string): number {
  let newest = 0;
  for (const entry of readdirSync(directory, { withFileTypes: true, recursive: true })) {
    if (entry.isFile() && entry.name.endsWith('.ts')) newest = Math.max(newest, statSync(join(entry.parentPath, entry.name)).mtimeMs);
  }
  return newest;
}

/** Throws unless dist/ holds a build at least as new as every file of src/. */
export function requireFreshBuild(): void {
  const built = join(root, 'dist', 'cli', 'main.js');
  if (!existsSync(built)) throw new Error('The CLI tests run the built package: dist/ is missing. Run `npm run build` (npm test does).');
  if (statSync(built).mtimeMs < newestMtimeMs(join(root, 'src'))) {
    throw new Error('The CLI tests run the built package, and dist/ is older than src/: run `npm run build` (npm test does).');
  }
}
requireFreshBuild();

export interface CliRun {
  code: number | null;
  stdout: string;
  stderr: string;
}

export function runCli(args: readonly string[], options: { cwd?: string; env?: NodeJS.ProcessEnv } = {}): Promise<CliRun> {
  const env: NodeJS.ProcessEnv = { ...process.env, ...options.env };
  delete env.NODE_TEST_CONTEXT;
  if (options.env && 'DBOS_SYSTEM_DATABASE_URL' in options.env && options.env.DBOS_SYSTEM_DATABASE_URL === undefined) {
    delete env.DBOS_SYSTEM_DATABASE_URL;
  }
  return new Promise((resolve) => {
    execFile(
      process.execPath,
      [binPath, ...args],
      { cwd: options.cwd, env, timeout: 60_000, encoding: 'utf8' },
      (error, stdout, stderr) => {
        const code = error ? (typeof error.code === 'number' ? error.code : null) : 0;
        resolve({ code, stdout, stderr });
      },
    );
  });
}

/** --db (and --schema on Postgres) for a test config, and the app name its workers use. */
export function databaseArgs(config: DBOSConfig): string[] {
  const args = ['--db', config.systemDatabaseUrl!, '--app-name', config.name!];
  return config.systemDatabaseSchemaName ? [...args, '--schema', config.systemDatabaseSchemaName] : args;
}

/** Run and require success; returns stdout. */
export async function cliOk(args: readonly string[], options?: Parameters<typeof runCli>[1]): Promise<string> {
  const run = await runCli(args, options);
  if (run.code !== 0) throw new Error(`durably ${args.join(' ')} exited ${run.code}:\n${run.stderr}${run.stdout}`);
  return run.stdout;
}

export async function cliJson<T = any>(args: readonly string[], options?: Parameters<typeof runCli>[1]): Promise<T> {
  return JSON.parse(await cliOk([...args, '--json'], options)) as T;
}

/** A failure is one line on stderr and nothing on stdout. */
export function oneLineError(run: CliRun): string {
  const lines = run.stderr.trimEnd().split('\n');
  if (lines.length !== 1 || run.stdout !== '') throw new Error(`expected one stderr line and no stdout, got:\n${run.stderr}---\n${run.stdout}`);
  return lines[0]!;
}
