/**
 * A real Next.js server for tests: `next dev` on an ephemeral loopback port, in
 * a child process with its own process group (Next serves from a grandchild),
 * ended as a group. Dev mode because `next build` takes over a minute on a
 * small machine, while dev compiles a route on its first request in seconds.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { createRequire } from 'node:module';

const nextBin = createRequire(import.meta.url).resolve('next/dist/bin/next');
const running: ChildProcess[] = [];

export interface NextDevServer {
  url: string;
}

/** Resolves once Next says it is ready, with the URL it printed; rejects (with its output) if it is not within 60 s. */
export function startNextDev(appDir: string, env: Record<string, string> = {}, cwd?: string): Promise<NextDevServer> {
  const childEnv: NodeJS.ProcessEnv = { ...process.env, ...env, NEXT_TELEMETRY_DISABLED: '1' };
  delete childEnv.NODE_TEST_CONTEXT;
  delete childEnv.NODE_OPTIONS;
  const child = spawn(process.execPath, [nextBin, 'dev', '-H', '127.0.0.1', '-p', '0', appDir], {
    env: childEnv,
    cwd,
    stdio: ['ignore', 'pipe', 'pipe'],
    detached: true,
  });
  running.push(child);
  let output = '';
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`next dev was not ready after 60 s:\n${output}`)), 60_000);
    const onData = (chunk: string) => {
      output += chunk;
      const url = /Local:\s+(http:\/\/127\.0\.0\.1:\d+)/.exec(output)?.[1];
      if (url && /Ready in/.test(output)) {
        clearTimeout(timer);
        resolve({ url });
      }
    };
    child.stdout!.setEncoding('utf8').on('data', onData);
    child.stderr!.setEncoding('utf8').on('data', onData);
    child.on('exit', (code, signal) => {
      clearTimeout(timer);
      reject(new Error(`next dev exited (${code ?? signal}) before it was ready:\n${output}`));
    });
  });
}

/** For `afterEach`: SIGTERM each server's process group, SIGKILL after 5 s; resolves once each has exited. */
export async function stopNextDevServers(): Promise<void> {
  await Promise.all(
    running.splice(0).map(
      (child) =>
        new Promise<void>((resolve) => {
          if (child.exitCode !== null || child.signalCode !== null) return resolve();
          child.on('exit', () => resolve());
          process.kill(-child.pid!, 'SIGTERM');
          setTimeout(() => {
            if (child.exitCode === null && child.signalCode === null) process.kill(-child.pid!, 'SIGKILL');
          }, 5_000).unref();
        }),
    ),
  );
}
