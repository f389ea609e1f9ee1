/** Shared by the admin server tests: a free loopback port, JSON requests, and a workflow that waits at a gate. */
import { createServer } from 'node:net';
import { DBOS } from '../../src/index.ts';
import { currentRuntime } from '../../src/runtime/runtime.ts';

/** A port free on loopback right now (the config needs one; 0 is not a valid adminPort). */
export async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as { port: number };
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

/** The launched runtime's admin server URL; fails loudly when there is none. */
export function adminUrl(): string {
  const server = currentRuntime()?.adminServer;
  if (!server) throw new Error('No admin server is running: was the runtime launched with runAdminServer: true?');
  return server.url.replace(/\/$/, '');
}

export async function postJson(url: string, body: unknown, headers: Record<string, string> = {}): Promise<Response> {
  return fetch(url, { method: 'POST', headers: { 'Content-Type': 'application/json', ...headers }, body: JSON.stringify(body) });
}

const gates = new Map<string, () => void>();
const atGate = new Set<string>();

export const gateStep = DBOS.registerStep(async (label: string) => `step ${label}`, { name: 'admin.gateStep' });

/** Runs step 0, then waits until released, then runs step 2 (step 1 is the wait itself, a sleep of 0). */
export const gatedWorkflow = DBOS.registerWorkflow(
  async (label: string) => {
    await gateStep(`${label}-a`);
    const id = DBOS.workflowID!;
    await new Promise<void>((resolve) => {
      gates.set(id, resolve);
      atGate.add(id);
    });
    await gateStep(`${label}-b`);
    return `done ${label}`;
  },
  { name: 'admin.gated' },
);

export const quickWorkflow = DBOS.registerWorkflow(
  async (label: string) => {
    await gateStep(`${label}-1`);
    await gateStep(`${label}-2`);
    return { label, at: new Date(0) };
  },
  { name: 'admin.quick' },
);

export async function untilAtGate(workflowID: string): Promise<void> {
  const deadline = Date.now() + 10_000;
  while (!atGate.has(workflowID)) {
    if (Date.now() > deadline) throw new Error(`Workflow ${workflowID} never reached its gate.`);
    await new Promise((resolve) => setTimeout(resolve, 5));
  }
}

export function release(workflowID: string): void {
  gates.get(workflowID)?.();
}

/** Open every gate and forget them (tests on the second backend reuse the workflow IDs). */
export function releaseAll(): void {
  for (const open of gates.values()) open();
  gates.clear();
  atGate.clear();
}
