/** (o) on every backend's harness, and its section of BENCHMARKS.md (replaced alone by `--only tracing`). */
import { readFileSync, writeFileSync } from 'node:fs';
import type { Harness } from './harness.ts';
import { tracingTable, tracingVerdicts, withTracingSection, tracingSection, type BackendTracing } from './report-tracing.ts';
import { measureTracing, tracingShape } from './tracing.ts';

const benchmarksFile = new URL('../BENCHMARKS.md', import.meta.url);

export async function measureTracingOn(harnesses: Harness[]): Promise<BackendTracing[]> {
  const results: BackendTracing[] = [];
  for (const h of harnesses) {
    const { rounds, sequential: s, inFlight: f } = tracingShape;
    console.log(`[${h.backend}] (o) tracing: ${rounds} rounds of ${s.runs} sequential and ${f.total} in flight per variant...`);
    results.push({ backend: h.backend, tracing: await measureTracing(h.config, (what) => console.log(`[${h.backend}] ${what}...`)) });
  }
  return results;
}

export function printTracing(results: BackendTracing[]): void {
  console.log(`\n${tracingTable(results)}\n\n${tracingVerdicts(results).join('\n')}\n`);
}

/** `npm run bench -- --only tracing`: measure (o) alone and replace its section of BENCHMARKS.md, keeping the rest. */
export async function onlyTracing(harnesses: Harness[]): Promise<void> {
  try {
    const results = await measureTracingOn(harnesses);
    printTracing(results);
    const current = readFileSync(benchmarksFile, 'utf8');
    writeFileSync(benchmarksFile, withTracingSection(current, tracingSection(results)));
  } finally {
    for (const h of harnesses) await h.cleanUp();
  }
}
