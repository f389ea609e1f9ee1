/**
 * (o) What tracing costs a workflow: the sequential (a) and in-flight (b)
 * figures of the 3-step workflow under each way tracing can be set up,
 * against tracing turned off.
 *
 *   off   `tracingEnabled: false` (the baseline)
 *   none  no tracer provider registered, default config (what most users run)
 *   noop  `tracingEnabled: true` with no provider: every span is the API's no-op span
 *   sdk   a real @opentelemetry/sdk-trace-base provider, BatchSpanProcessor (what
 *         production uses), an exporter that discards, and the async-hooks
 *         context manager: what an application that registers its own SDK
 *         pays, minus its exporter's wire format
 *   otlp  `enableOTLP: true`: durably's own OTLP setup (batched spans, metrics
 *         and logs over OTLP/HTTP JSON) to a collector in a child process that
 *         reads and discards every request
 *
 * The machine is shared and noisy, so the variants are interleaved: each
 * round runs every variant once (in an order rotated by one per round), and
 * each variant's cost is its ratio to `off` in the same round; the report
 * gives the median of those per-round ratios over the rounds.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { context, trace } from '@opentelemetry/api';
import { AsyncLocalStorageContextManager } from '@opentelemetry/context-async-hooks';
import { BasicTracerProvider, BatchSpanProcessor, type SpanExporter } from '@opentelemetry/sdk-trace-base';
import type { DBOSConfig } from '../src/index.ts';
import { inFlightThroughput, sequentialLatency, type InFlightResult, type SequentialResult } from './workflows.ts';

export const tracingVariants = ['off', 'none', 'noop', 'sdk', 'otlp'] as const;
export type TracingVariant = (typeof tracingVariants)[number];

/** Many short rounds rather than a few long ones: load from other work comes and goes within seconds here. */
export const tracingShape = {
  rounds: 12,
  sequential: { warmup: 50, runs: 200 },
  inFlight: { warmup: 200, total: 2000, concurrency: 200 },
};

export interface TracingRound {
  sequential: SequentialResult;
  inFlight: InFlightResult;
  /** otlp: the spans the collector received over the spans made (4 per workflow, warm-ups included). */
  exportedShare?: number;
}

/** A workflow's spans: the workflow and its 3 steps. */
const spansPerWorkflow = 4;

async function spansReceived(collectorUrl: string): Promise<number> {
  return Number(await (await fetch(`${collectorUrl}/spans`)).text());
}

export interface TracingResult {
  rounds: Record<TracingVariant, TracingRound[]>;
}

/** Spans are built, processed and handed to this exporter, which drops them. */
const discardingExporter: SpanExporter = {
  export: (_spans, done) => done({ code: 0 }),
  shutdown: async () => undefined,
};

/** A loopback OTLP/HTTP collector in a child process (its CPU is not the bench process's): reads each request, answers 200. */
async function startDiscardingCollector(): Promise<{ url: string; stop: () => Promise<void> }> {
  // It counts the spans it receives (GET /spans answers the count): the bounded export queue drops spans beyond it.
  const source = `
    let spans = 0;
    const server = require('node:http').createServer((request, response) => {
      const chunks = [];
      request.on('data', (chunk) => chunks.push(chunk));
      request.on('end', () => {
        if (request.url === '/spans') return response.end(String(spans));
        if (request.url.endsWith('/v1/traces')) {
          const body = JSON.parse(Buffer.concat(chunks).toString());
          for (const resource of body.resourceSpans ?? []) for (const scope of resource.scopeSpans ?? []) spans += (scope.spans ?? []).length;
        }
        response.writeHead(200, { 'content-type': 'application/json' });
        response.end('{}');
      });
    });
    server.listen(0, '127.0.0.1', () => console.log(server.address().port));`;
  const child: ChildProcess = spawn(process.execPath, ['-e', source], { stdio: ['ignore', 'pipe', 'inherit'] });
  const [chunk] = (await once(child.stdout!, 'data')) as [Buffer];
  const url = `http://127.0.0.1:${chunk.toString().trim()}`;
  return {
    url,
    stop: async () => {
      child.kill();
      await once(child, 'exit');
    },
  };
}

/** Install what `variant` needs around one launch; returns its config and the uninstall. */
function installVariant(variant: TracingVariant, collectorUrl: string): { config: DBOSConfig; uninstall: () => Promise<void> } {
  const nothing = async () => undefined;
  switch (variant) {
    case 'off':
      return { config: { tracingEnabled: false }, uninstall: nothing };
    case 'none':
      return { config: {}, uninstall: nothing };
    case 'noop':
      return { config: { tracingEnabled: true }, uninstall: nothing };
    case 'sdk': {
      const provider = new BasicTracerProvider({ spanProcessors: [new BatchSpanProcessor(discardingExporter)] });
      trace.setGlobalTracerProvider(provider);
      context.setGlobalContextManager(new AsyncLocalStorageContextManager().enable());
      return {
        config: {},
        uninstall: async () => {
          await provider.shutdown();
          trace.disable();
          context.disable();
        },
      };
    }
    case 'otlp': {
      process.env.OTEL_EXPORTER_OTLP_METRICS_ENDPOINT = `${collectorUrl}/v1/metrics`;
      const config: DBOSConfig = {
        enableOTLP: true,
        otlpTracesEndpoints: [`${collectorUrl}/v1/traces`],
        otlpLogsEndpoints: [`${collectorUrl}/v1/logs`],
      };
      // durably's shutdown flushes and unregisters what it installed.
      return { config, uninstall: async () => void delete process.env.OTEL_EXPORTER_OTLP_METRICS_ENDPOINT };
    }
  }
}

/**
 * Every variant, `rounds` times, interleaved. `config(scenario)` gives a
 * fresh system database per name; each variant keeps its own database
 * across rounds, so every variant runs on tables of the same size.
 */
export async function measureTracing(
  config: (scenario: string) => DBOSConfig,
  say: (what: string) => void,
  shape = tracingShape,
): Promise<TracingResult> {
  const databases = Object.fromEntries(tracingVariants.map((v) => [v, config(`tracing_${v}`)])) as Record<TracingVariant, DBOSConfig>;
  const rounds = Object.fromEntries(tracingVariants.map((v) => [v, []])) as unknown as Record<TracingVariant, TracingRound[]>;
  const collector = await startDiscardingCollector();
  try {
    for (let round = 0; round < shape.rounds; round++) {
      const order = tracingVariants.map((_, i) => tracingVariants[(i + round) % tracingVariants.length]!);
      say(`(o) round ${round + 1} of ${shape.rounds}: ${order.join(', ')}`);
      for (const variant of order) rounds[variant].push(await measureVariant(variant, databases[variant], collector.url, shape));
    }
  } finally {
    await collector.stop();
  }
  return { rounds };
}

async function measureVariant(variant: TracingVariant, database: DBOSConfig, collectorUrl: string, shape: typeof tracingShape): Promise<TracingRound> {
  const { config, uninstall } = installVariant(variant, collectorUrl);
  try {
    const launch = { ...database, ...config };
    const { sequential: s, inFlight: f } = shape;
    const received = variant === 'otlp' ? await spansReceived(collectorUrl) : 0;
    const sequential = await sequentialLatency(launch, s.warmup, s.runs);
    const inFlight = await inFlightThroughput(launch, f.warmup, f.total, f.concurrency);
    if (variant !== 'otlp') return { sequential, inFlight };
    // Each shutdown flushed what its launch had buffered.
    const made = spansPerWorkflow * (s.warmup + s.runs + f.warmup + f.total);
    return { sequential, inFlight, exportedShare: ((await spansReceived(collectorUrl)) - received) / made };
  } finally {
    await uninstall();
  }
}
