/**
 * (h)'s direct measure of the middleware's own CPU time per request, in the server process (durably launched):
 * the code every framework adapter runs per request (prepareRequest, the response header, runInRequest around the
 * rest of the request) against the floor (a fresh ID, the header, AsyncLocalStorage.run), each called in a tight
 * loop on one request's facts, in interleaved rounds. Unlike the whole server's CPU per request, whose rounds
 * differ by ±15% for the very same route on this shared machine, this isolates the middleware: what it adds to a
 * request is this time (plus the AsyncLocalStorage frame the rest of the request runs in, which the floor has too).
 */
import { AsyncLocalStorage } from 'node:async_hooks';
import { randomUUID } from 'node:crypto';
import { clientAddress, prepareRequest, runInRequest } from '../src/adapters/http-context.ts';

export interface MiddlewareCpu {
  /** durably's per-request code, µs. */
  ownMicros: number;
  /** The floor's: a fresh ID, a header, AsyncLocalStorage.run; µs. */
  floorMicros: number;
}

const headers = {
  host: '127.0.0.1:3000',
  'content-type': 'application/json',
  'content-length': '2',
  connection: 'keep-alive',
  'user-agent': 'autocannon',
};
const request = { method: 'POST', url: '/noop', headers, socket: { remoteAddress: '127.0.0.1' } };
const readIP = (from: typeof request) => from.socket.remoteAddress;
const store = new AsyncLocalStorage<{ id: string }>();
let answered = 0;
const rest = () => void answered++;

function durablyPerRequest(response: Map<string, string>): void {
  const prepared = prepareRequest({ method: request.method, url: request.url, ip: clientAddress(request, readIP), headers: request.headers });
  response.set(prepared.responseHeader, prepared.requestID);
  if (prepared.ok) runInRequest(prepared, rest);
}

function floorPerRequest(response: Map<string, string>): void {
  const id = randomUUID();
  response.set('x-request-id', id);
  store.run({ id }, rest);
}

/** µs of CPU per call over `calls` calls. */
function cpuPerCall(perRequest: (response: Map<string, string>) => void, calls: number): number {
  const response = new Map<string, string>();
  const before = process.cpuUsage();
  for (let i = 0; i < calls; i++) perRequest(response);
  const { user, system } = process.cpuUsage(before);
  return (user + system) / calls;
}

const median = (values: number[]) => values.sort((a, b) => a - b)[Math.floor(values.length / 2)]!;

export function middlewareCpu(rounds = 9, calls = 100_000): MiddlewareCpu {
  cpuPerCall(durablyPerRequest, calls);
  cpuPerCall(floorPerRequest, calls);
  const own: number[] = [];
  const floor: number[] = [];
  for (let round = 0; round < rounds; round++) {
    own.push(cpuPerCall(durablyPerRequest, calls));
    floor.push(cpuPerCall(floorPerRequest, calls));
  }
  return { ownMicros: median(own), floorMicros: median(floor) };
}
