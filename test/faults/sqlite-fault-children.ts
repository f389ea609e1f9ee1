/**
 * Child processes for the SQLite fault tests: one that holds the file's write lock (BEGIN IMMEDIATE) for a
 * while, as another program sharing the file might; one that launches durably as another OS user.
 */
import { spawn } from 'node:child_process';
import { join } from 'node:path';
import { childExecArgv } from '../processes/child-process.ts';

export interface LockHolder {
  /** Resolves once the lock is held. */
  locked: Promise<void>;
  /** Resolves when the child has exited (and so released the lock). */
  exited: Promise<void>;
  kill(): void;
}

/** Another process takes the write lock on `path` and keeps it for `holdMs`, then exits. */
export function holdWriteLock(path: string, holdMs: number): LockHolder {
  const script = `
    const { DatabaseSync } = require('node:sqlite');
    const db = new DatabaseSync(${JSON.stringify(path)});
    db.exec('PRAGMA busy_timeout = 5000');
    db.exec('BEGIN IMMEDIATE');
    console.log('LOCKED');
    setTimeout(() => { db.exec('ROLLBACK'); db.close(); process.exit(0); }, ${holdMs});
  `;
  const child = spawn(process.execPath, ['-e', script], { stdio: ['ignore', 'pipe', 'inherit'] });
  const locked = new Promise<void>((resolve, reject) => {
    child.stdout.setEncoding('utf8').on('data', (chunk: string) => {
      if (chunk.includes('LOCKED')) resolve();
    });
    child.on('exit', (code) => reject(new Error(`the lock holder exited (${code}) before taking the lock`)));
  });
  const exited = new Promise<void>((resolve) => child.on('exit', () => resolve()));
  return { locked, exited, kill: () => child.kill('SIGKILL') };
}

export interface LaunchReport {
  launched?: boolean;
  name?: string;
  code?: string;
  message?: string;
}

/** Launch durably on `path` in a child running as `uid` (undefined: this process's user); its report. */
export async function launchInChild(path: string, uid: number | undefined): Promise<LaunchReport> {
  const script = join(import.meta.dirname, 'fixtures', 'launch-and-report.ts');
  const env: NodeJS.ProcessEnv = { ...process.env };
  delete env.NODE_TEST_CONTEXT;
  const ids = uid === undefined ? {} : { uid, gid: uid };
  const child = spawn(process.execPath, [...childExecArgv(), script, path], { env, stdio: ['ignore', 'pipe', 'pipe'], ...ids });
  let out = '';
  let err = '';
  child.stdout.setEncoding('utf8').on('data', (chunk: string) => (out += chunk));
  child.stderr.setEncoding('utf8').on('data', (chunk: string) => (err += chunk));
  const timer = setTimeout(() => child.kill('SIGKILL'), 30_000);
  await new Promise<void>((resolve) => child.on('exit', () => resolve()));
  clearTimeout(timer);
  const line = out.split('\n').find((l) => l.startsWith('RESULT '));
  if (!line) throw new Error(`the launching child printed no result; stdout: ${out}; stderr: ${err}`);
  return JSON.parse(line.slice('RESULT '.length)) as LaunchReport;
}
