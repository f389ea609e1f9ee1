/** (s) on every backend's harness, and its section of BENCHMARKS.md (`npm run bench -- --only scale`). */
import { readFileSync, writeFileSync } from 'node:fs';
import type { Harness } from './harness.ts';
import { idleTable, gcTable, plansTable, scaleSection, scaleTable, scaleVerdicts, withScaleSection, type BackendScale } from './report-scale.ts';
import { idleLoad } from './scale-idle.ts';
import { measureScale } from './scale.ts';
import { processesSection, processesTable, withProcessesSection } from './report-scale-processes.ts';
import { processesCurve } from './scale-processes.ts';

const benchmarksFile = new URL('../BENCHMARKS.md', import.meta.url);

/** Measure (s) alone and replace its section of BENCHMARKS.md, keeping the rest. */
export async function onlyScale(harnesses: Harness[]): Promise<void> {
  const results: BackendScale[] = [];
  try {
    for (const h of harnesses) {
      const say = (what: string) => console.log(`[${h.backend}] ${what}...`);
      // Idle load first: the scale phases declare queues that every later launch in this process would start.
      const idle = await idleLoad(h.config, say);
      const scale = await measureScale(h.config('scale'), say);
      results.push({ backend: h.backend, scale, idle });
    }
    console.log(`\n${scaleTable(results)}\n\n${plansTable(results)}\n\n${gcTable(results)}\n\n${idleTable(results)}\n\n${scaleVerdicts(results).join('\n')}\n`);
    const current = readFileSync(benchmarksFile, 'utf8');
    writeFileSync(benchmarksFile, withScaleSection(current, scaleSection(results)));
  } finally {
    for (const h of harnesses) await h.cleanUp();
  }
  await onlyScaleProcesses(harnesses);
}

/** The many-processes curve (Postgres only) and its section of BENCHMARKS.md (`npm run bench -- --only scale-processes`). */
export async function onlyScaleProcesses(harnesses: Harness[]): Promise<void> {
  const postgres = harnesses.find((h) => h.backend === 'postgres');
  try {
    const result = postgres ? await processesCurve(postgres, (what) => console.log(`[postgres] ${what}...`)) : undefined;
    if (result) console.log(`\n${processesTable(result)}\n`);
    const current = readFileSync(benchmarksFile, 'utf8');
    writeFileSync(benchmarksFile, withProcessesSection(current, processesSection(result)));
  } finally {
    for (const h of harnesses) await h.cleanUp();
  }
}
