/**
 * A throwaway Postgres cluster the fault tests own: created with initdb,
 * started, crash-restarted and stopped with pg_ctl, then deleted. The shared
 * test server cannot be restarted under other tests' feet; this one can.
 *
 * Postgres refuses to run as root, so as root the binaries run as the
 * `postgres` OS user (runuser), in a data directory that user owns. Trust
 * auth, TCP on 127.0.0.1 at a free port, the unix socket inside the data
 * directory. `findPostgresBinaries()` says why a cluster cannot be made
 * (for a loud skip). Reusable by the chaos driver (no test-runner imports).
 */
import { execFile, execFileSync } from 'node:child_process';
import { chownSync, existsSync, mkdtempSync, rmSync } from 'node:fs';
import net from 'node:net';
import { tmpdir } from 'node:os';
import { delimiter, join } from 'node:path';
import { promisify } from 'node:util';
import pg from 'pg';

const run = promisify(execFile);

export type RestartMode = 'immediate' | 'fast' | 'smart';

export interface PostgresBinaries {
  initdb: string;
  pgCtl: string;
  /** Set when running as root: the OS user the server runs as. */
  runAs?: { user: string; uid: number; gid: number };
}

const searchDirs = [
  ...(process.env.PATH ?? '').split(delimiter),
  '/usr/local/bin',
  '/usr/local/pgsql/bin',
  ...['17', '16', '15', '14'].map((version) => `/usr/lib/postgresql/${version}/bin`),
];

function findBinary(name: string): string | undefined {
  for (const dir of searchDirs) {
    if (dir && existsSync(join(dir, name))) return join(dir, name);
  }
  return undefined;
}

async function osUser(name: string): Promise<{ uid: number; gid: number } | undefined> {
  try {
    const [uid, gid] = await Promise.all([run('id', ['-u', name]), run('id', ['-g', name])]);
    return { uid: Number(uid.stdout.trim()), gid: Number(gid.stdout.trim()) };
  } catch {
    return undefined;
  }
}

/** The binaries, or the reason there are none (the caller skips loudly with it). */
export async function findPostgresBinaries(): Promise<PostgresBinaries | string> {
  const initdb = findBinary('initdb');
  const pgCtl = findBinary('pg_ctl');
  if (!initdb || !pgCtl) return `initdb/pg_ctl not found on PATH or in ${searchDirs.slice(-6).join(', ')}`;
  if (process.getuid?.() !== 0) return { initdb, pgCtl };
  const user = process.env.DURABLY_TEST_POSTGRES_OS_USER ?? 'postgres';
  const ids = await osUser(user);
  if (!ids) return `running as root and there is no "${user}" OS user to run Postgres as`;
  if (!findBinary('runuser')) return 'running as root and runuser is not installed';
  return { initdb, pgCtl, runAs: { user, ...ids } };
}

async function freePort(): Promise<number> {
  const server = net.createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as net.AddressInfo).port;
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

/** Clusters not destroyed yet: stopped at process exit, so a failed or interrupted run leaves no server behind. */
const live = new Set<PrivateCluster>();
process.on('exit', () => {
  for (const cluster of live) cluster.stopNow();
});

export class PrivateCluster {
  private constructor(
    private readonly binaries: PostgresBinaries,
    readonly dataDir: string,
    readonly port: number,
  ) {}

  /** initdb + start. The caller must `destroy()` it (an `after` hook). */
  static async create(binaries: PostgresBinaries): Promise<PrivateCluster> {
    const root = mkdtempSync(join(tmpdir(), 'durably-pg-cluster-'));
    if (binaries.runAs) chownSync(root, binaries.runAs.uid, binaries.runAs.gid);
    const cluster = new PrivateCluster(binaries, join(root, 'data'), await freePort());
    live.add(cluster);
    await cluster.exec(binaries.initdb, ['-D', cluster.dataDir, '-U', 'postgres', '--auth=trust', '--no-sync', '-E', 'UTF8']);
    await cluster.start();
    return cluster;
  }

  /** A URL for `database` on this cluster (created by `createDatabase`). */
  url(database = 'postgres'): string {
    return `postgresql://postgres@127.0.0.1:${this.port}/${database}`;
  }

  async createDatabase(name: string): Promise<string> {
    const client = new pg.Client({ connectionString: this.url() });
    await client.connect();
    try {
      await client.query(`CREATE DATABASE "${name}"`);
    } finally {
      await client.end();
    }
    return this.url(name);
  }

  async start(): Promise<void> {
    await this.pgCtl(['start', '-w', '-t', '30', '-l', `${this.dataDir}/server.log`, '-o', this.serverOptions()]);
  }

  /** `immediate` is a crash restart: no checkpoint, every backend killed, crash recovery at start. */
  async stop(mode: RestartMode = 'fast'): Promise<void> {
    await this.pgCtl(['stop', '-w', '-t', '30', '-m', mode]);
  }

  async restart({ mode = 'immediate' }: { mode?: RestartMode } = {}): Promise<void> {
    await this.pgCtl(['restart', '-w', '-t', '30', '-m', mode, '-l', `${this.dataDir}/server.log`, '-o', this.serverOptions()]);
  }

  async isRunning(): Promise<boolean> {
    try {
      await this.pgCtl(['status']);
      return true;
    } catch {
      return false;
    }
  }

  /** Stop (immediately) and delete the data directory. Safe to call twice. */
  async destroy(): Promise<void> {
    live.delete(this);
    if (!existsSync(this.dataDir)) return;
    if (await this.isRunning()) await this.stop('immediate').catch(() => undefined);
    rmSync(join(this.dataDir, '..'), { recursive: true, force: true });
  }

  /** Synchronous immediate stop and delete, for process exit (no event loop left). */
  stopNow(): void {
    const [command, args] = this.command(this.binaries.pgCtl, ['-D', this.dataDir, 'stop', '-m', 'immediate']);
    try {
      execFileSync(command, args, { cwd: tmpdir(), stdio: 'ignore', timeout: 10_000 });
    } catch {
      // Not running.
    }
    rmSync(join(this.dataDir, '..'), { recursive: true, force: true });
  }

  private serverOptions(): string {
    // fsync off: a crash restart of the server process still loses nothing (every commit's WAL is
    // written to the OS, which keeps it); only a host crash would. synchronous_commit must stay on:
    // off, a commit acknowledged before its WAL left shared memory is lost by an immediate restart.
    return [
      `-p ${this.port}`,
      `-k ${this.dataDir}`,
      "-c listen_addresses=127.0.0.1",
      '-c fsync=off',
      '-c full_page_writes=off',
      '-c max_connections=200',
    ].join(' ');
  }

  private pgCtl(args: string[]): Promise<void> {
    return this.exec(this.binaries.pgCtl, ['-D', this.dataDir, ...args]);
  }

  private command(binary: string, args: string[]): [string, string[]] {
    return this.binaries.runAs ? ['runuser', ['-u', this.binaries.runAs.user, '--', binary, ...args]] : [binary, args];
  }

  private async exec(binary: string, args: string[]): Promise<void> {
    const [command, fullArgs] = this.command(binary, args);
    try {
      // cwd: the postgres user may not be able to read the test's working directory.
      await run(command, fullArgs, { cwd: tmpdir(), timeout: 60_000 });
    } catch (error) {
      const { stdout = '', stderr = '' } = error as { stdout?: string; stderr?: string };
      throw new Error(`${binary} ${args.join(' ')} failed: ${(error as Error).message}\n${stdout}${stderr}`, { cause: error });
    }
  }
}
