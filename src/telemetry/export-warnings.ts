/**
 * A failing collector costs a warning, not an error and not a stall: each
 * exporter is wrapped so that the first failed export of a streak logs one
 * warning (what was dropped, where it was going, why), later failures of the
 * same streak stay quiet, and a success ends the streak. The SDK's batch
 * processors already bound the queue and drop beyond it; nothing here throws.
 */

interface ExportResult {
  code: number;
  error?: Error;
}

interface Exporter<Items> {
  export(items: Items, done: (result: ExportResult) => void): void;
  shutdown(): Promise<void>;
}

/** Methods an exporter may have besides export and shutdown (metrics exporters choose temporality and aggregation). */
const forwarded = ['forceFlush', 'selectAggregationTemporality', 'selectAggregation'] as const;

export function warnOnFailure<Items, E extends Exporter<Items>>(inner: E, what: string, where: string, warn: (message: string) => void): E {
  let failing = false;
  const wrapper: Record<string, unknown> = {
    export(items: Items, done: (result: ExportResult) => void): void {
      inner.export(items, (result) => {
        if (result.code !== 0 && !failing) {
          failing = true;
          const reason = result.error?.message ?? 'unknown error';
          warn(`OTLP export of ${what} to ${where} failed (${reason}); they are dropped until the collector answers again.`);
        } else if (result.code === 0) {
          failing = false;
        }
        done(result);
      });
    },
    shutdown: () => inner.shutdown(),
  };
  for (const name of forwarded) {
    const method = (inner as unknown as Record<string, unknown>)[name];
    if (typeof method === 'function') wrapper[name] = method.bind(inner);
  }
  return wrapper as unknown as E;
}
