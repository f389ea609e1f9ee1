/** The report of (o), tracing's cost: a table per backend, the verdicts, and its section of BENCHMARKS.md. */
import { fmt, ms } from './report-rows.ts';
import type { Backend } from './settings.ts';
import { tracingShape, tracingVariants, type TracingResult, type TracingRound, type TracingVariant } from './tracing.ts';

export interface BackendTracing {
  backend: Backend;
  tracing: TracingResult;
}

const describe: Record<TracingVariant, string> = {
  off: '`tracingEnabled: false` (the baseline)',
  none: 'no tracer provider registered (default config): the code of **off**, so its figures are the noise floor',
  noop: "`tracingEnabled: true`, no provider: the API's no-op spans",
  sdk: 'sdk-trace-base provider, BatchSpanProcessor, discarding exporter, async-hooks context manager',
  otlp: '`enableOTLP: true`: batched spans, metrics and logs over OTLP/HTTP to a loopback collector',
};

/**
 * The overhead target of each variant, as a fraction: the "no-op under 2%" and "full tracing under 15%"
 * (`none` has none: it runs the code of `off`).
 */
const targets: Partial<Record<TracingVariant, number>> = { noop: 0.02, sdk: 0.15, otlp: 0.15 };

/** The four measures of one round; for each, a larger value is a higher cost. */
const measures = {
  latency: (r: TracingRound) => r.sequential.medianMs,
  sequentialCpu: (r: TracingRound) => r.sequential.cpu.processMsPerWorkflow,
  /** Time per workflow in flight: the inverse of the throughput. */
  inFlightTime: (r: TracingRound) => 1 / r.inFlight.workflowsPerSec,
  inFlightCpu: (r: TracingRound) => r.inFlight.cpu.processMsPerWorkflow,
};
type Measure = keyof typeof measures;

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const middle = sorted.length >> 1;
  return sorted.length % 2 ? sorted[middle]! : (sorted[middle - 1]! + sorted[middle]!) / 2;
}

/** The median over the rounds of the variant's cost ÷ the baseline's in the same round, minus 1. */
export function overhead(result: TracingResult, variant: TracingVariant, measure: Measure): number {
  const of = measures[measure];
  const baseline = result.rounds.off;
  return median(result.rounds[variant].map((round, i) => of(round) / of(baseline[i]!) - 1));
}

const percent = (fraction: number) => `${fraction >= 0 ? '+' : ''}${fmt(100 * fraction, 1)}%`;

function cells(result: TracingResult, variant: TracingVariant): string[] {
  const rounds = result.rounds[variant];
  const with_ = (value: string, measure: Measure) => (variant === 'off' ? value : `${value} (${percent(overhead(result, variant, measure))})`);
  return [
    with_(ms(median(rounds.map((r) => r.sequential.medianMs))), 'latency'),
    with_(ms(median(rounds.map((r) => r.sequential.cpu.processMsPerWorkflow))), 'sequentialCpu'),
    with_(`${fmt(median(rounds.map((r) => r.inFlight.workflowsPerSec)))}/s`, 'inFlightTime'),
    with_(ms(median(rounds.map((r) => r.inFlight.cpu.processMsPerWorkflow))), 'inFlightCpu'),
  ];
}

export function tracingTable(results: BackendTracing[]): string {
  const header = ['backend', 'tracing', '(a) median latency', '(a) CPU per workflow', '(b) workflows/s', '(b) CPU per workflow', 'target'];
  const lines = [header, header.map(() => '---')];
  for (const { backend, tracing } of results) {
    for (const variant of tracingVariants) {
      const target = targets[variant];
      lines.push([backend, `**${variant}**: ${describe[variant]}`, ...cells(tracing, variant), target ? `< ${fmt(100 * target)}% on (a) and (b)` : '']);
    }
  }
  return lines.map((row) => `| ${row.join(' | ')} |`).join('\n');
}

/** `none` runs the very code of `off` (tracing is off when no provider is registered): its "overhead" is the noise. */
function noiseFloor(backend: Backend, tracing: TracingResult): string {
  const of = (measure: Measure) => percent(overhead(tracing, 'none', measure));
  return (
    `- ${backend} noise floor of this run: **none** runs the same code as **off**, yet differs by ${of('latency')} on (a) latency, ` +
    `${of('inFlightTime')} on (b) time per workflow, and ${of('sequentialCpu')} / ${of('inFlightCpu')} on CPU per workflow: ` +
    'differences of that size below are noise.'
  );
}

export function tracingVerdicts(results: BackendTracing[]): string[] {
  return results.flatMap(({ backend, tracing }) => [
    noiseFloor(backend, tracing),
    ...tracingVariants.flatMap((variant) => {
      const target = targets[variant];
      if (target === undefined) return [];
      const latency = overhead(tracing, variant, 'latency');
      const inFlight = overhead(tracing, variant, 'inFlightTime');
      const met = latency < target && inFlight < target;
      const shares = tracing.rounds[variant].flatMap((round) => (round.exportedShare === undefined ? [] : [round.exportedShare]));
      const share = shares.length ? median(shares) : undefined;
      const exported =
        share === undefined
          ? ''
          : ` The collector received ${fmt(100 * share)}% of the spans made (median over the rounds)` +
            (share < 0.995 ? '; the rest overflowed the bounded export queue (2,048 spans) and were dropped.' : ': none was dropped.');
      const floor = Math.max(Math.abs(overhead(tracing, 'none', 'latency')), Math.abs(overhead(tracing, 'none', 'inFlightTime')));
      const withinNoise = !met && latency < target + floor && inFlight < target + floor ? ' (within the noise floor of the target)' : '';
      return [
        `- ${backend} tracing ${variant}: (a) latency ${percent(latency)}, (b) time per workflow ${percent(inFlight)} ` +
          `(CPU per workflow ${percent(overhead(tracing, variant, 'sequentialCpu'))} / ${percent(overhead(tracing, variant, 'inFlightCpu'))}); ` +
          `target < ${fmt(100 * target)}%: ${met ? 'met' : 'NOT met'}${withinNoise}.${exported}`,
      ];
    }),
  ]);
}

export const tracingSectionStart = '<!-- tracing:start -->';
export const tracingSectionEnd = '<!-- tracing:end -->';

/** BENCHMARKS.md's section for (o), between markers so `--only tracing` can replace it alone. */
export function tracingSection(results: BackendTracing[]): string {
  const { rounds, sequential: s, inFlight: f } = tracingShape;
  return `${tracingSectionStart}
## (o) Tracing overhead

Measured on ${new Date().toISOString()} (\`npm run bench -- --only tracing\`, or as part of \`npm run bench\`). Each cell is
the median over ${rounds} rounds; the percentage after it is the median over the rounds of that variant's figure ÷ the
baseline's figure in the same round, minus 1 (for (b), of the time per workflow: the inverse of workflows/s).

${tracingTable(results)}

${tracingVerdicts(results).join('\n')}

- **(a)**: ${s.runs} sequential 3-step workflows after ${s.warmup} warm-up; **(b)**: ${f.total} with ${f.concurrency} in flight after ${f.warmup} warm-up.
  One launch each, on a system database of the variant's own (so every variant's tables grow alike).
- A workflow makes 4 spans (the workflow and its 3 steps). The machine is shared: each round runs every variant once,
  in an order rotated by one each round, and the overheads are per-round ratios, so load that comes and goes between
  rounds cancels out; what is left of the noise shows in **none**, which runs the code of **off**.
- CPU per workflow is this process's (user + kernel) CPU time over the workflows: the least noisy figure here.
${tracingSectionEnd}`;
}

/** `report` with its (o) section replaced by `section` (or `section` appended, if it has none). */
export function withTracingSection(report: string, section: string): string {
  const start = report.indexOf(tracingSectionStart);
  const end = report.indexOf(tracingSectionEnd);
  if (start === -1 || end === -1) return `${report.trimEnd()}\n\n${section}\n`;
  return report.slice(0, start) + section + report.slice(end + tracingSectionEnd.length);
}
