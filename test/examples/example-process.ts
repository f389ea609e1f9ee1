/**
 * An example app as a user runs it (examples/<name>/main.ts): a child process
 * under the project's Node and tsx, in a fresh empty directory (so it uses the
 * embedded SQLite default there), nothing imported from it. Resolves once it
 * prints `listening on <url>`.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { testTempDir } from '../helpers/backends.ts';

export interface RunningExample {
  url: string;
  directory: string;
  child: ChildProcess;
  /** SIGTERM, then its exit code. */
  stop(): Promise<number | null>;
}

const running = new Set<RunningExample>();

export function startExample(name: string, env: Record<string, string> = {}): Promise<RunningExample> {
  const directory = mkdtempSync(join(testTempDir, `${name}-`));
  const childEnv: NodeJS.ProcessEnv = { ...process.env, PORT: '0', ...env };
  delete childEnv.NODE_TEST_CONTEXT;
  delete childEnv.DBOS_SYSTEM_DATABASE_URL;
  const main = join(import.meta.dirname, '..', '..', 'examples', name, 'main.ts');
  // The loader by absolute URL: the example's working directory has no node_modules.
  const child = spawn(process.execPath, ['--import', import.meta.resolve('tsx'), main], { cwd: directory, env: childEnv, stdio: ['ignore', 'pipe', 'pipe'] });
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  let output = '';
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`${name} did not start within 20 s:\n${output}`)), 20_000);
    const read = (chunk: string) => {
      output += chunk;
      const match = output.match(/listening on (http:\/\/[^\s/]+)/);
      if (!match) return;
      clearTimeout(timer);
      const example: RunningExample = {
        url: match[1]!,
        directory,
        child,
        async stop() {
          child.kill('SIGTERM');
          const code = await exited;
          running.delete(example);
          return code;
        },
      };
      running.add(example);
      resolve(example);
    };
    child.stdout.setEncoding('utf8').on('data', read);
    child.stderr.setEncoding('utf8').on('data', read);
    void exited.then((code) => {
      clearTimeout(timer);
      reject(new Error(`${name} exited (${code}) before listening:\n${output}`));
    });
  });
}

/** For `after`/`afterEach`: kill what still runs and remove the directories. */
export function cleanUpExamples(): void {
  for (const example of running) {
    example.child.kill('SIGKILL');
    rmSync(example.directory, { recursive: true, force: true });
  }
  running.clear();
}

/** GET `url` until its JSON `status` is neither PENDING nor ENQUEUED (or 15 s passed). */
export async function untilFinished(url: string): Promise<Record<string, unknown>> {
  const deadline = Date.now() + 15_000;
  for (;;) {
    const body = (await (await fetch(url)).json()) as Record<string, unknown>;
    if ((body.status !== 'PENDING' && body.status !== 'ENQUEUED') || Date.now() > deadline) return body;
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}
