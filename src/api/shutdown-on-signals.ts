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
}

const signals = ['SIGTERM', 'SIGINT'] as const;

/** Installs the handlers; returns a function that removes them. */
export function shutdownOnSignals(server: ClosableServer): () => void {
  let stopping = false;
  const onSignal = (signal: NodeJS.Signals): void => {
    if (stopping) process.exit(signal === 'SIGINT' ? 130 : 143);
    stopping = true;
    server.close(() => {
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
