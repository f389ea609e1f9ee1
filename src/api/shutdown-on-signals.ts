/**
 * shutdownOnSignals(server): on SIGTERM or SIGINT, stop accepting requests,
 * let the in-flight ones finish (server.close waits for them), then shut
 * durably down. Work left unfinished is recovered at the next launch. A second
 * signal exits at once, for an operator who does not want to wait.
 */
import { DBOS } from './dbos.ts';

/** Anything with Node's `server.close(callback)`: http.Server, https.Server, what app.listen returns. */
export interface ClosableServer {
  close(callback?: (error?: Error) => void): unknown;
  /** Node's http.Server has it: closes keep-alive connections that carry no request now. */
  closeIdleConnections?(): void;
}

/** How often a closing server's keep-alive connections are checked for idleness. */
const idleSweepMs = 50;

const signals = ['SIGTERM', 'SIGINT'] as const;

/** Installs the handlers; returns a function that removes them. */
export function shutdownOnSignals(server: ClosableServer): () => void {
  let stopping = false;
  const onSignal = (signal: NodeJS.Signals): void => {
    if (stopping) process.exit(signal === 'SIGINT' ? 130 : 143);
    stopping = true;
    // server.close() closes only the connections idle at that moment: one that finishes its request later would
    // stay open until its keep-alive timeout (5 s by default), delaying shutdown by as much.
    const sweep = server.closeIdleConnections && setInterval(() => server.closeIdleConnections?.(), idleSweepMs).unref();
    server.close(() => {
      if (sweep) clearInterval(sweep);
      DBOS.shutdown().then(
        () => remove(),
        (error: unknown) => {
          DBOS.logger.error(`shutdownOnSignals: DBOS.shutdown failed: ${String(error)}`);
          process.exitCode = 1;
          remove();
        },
      );
    });
  };
  const remove = (): void => {
    for (const signal of signals) process.off(signal, onSignal);
  };
  for (const signal of signals) process.on(signal, onSignal);
  return remove;
}
