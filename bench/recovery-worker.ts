/**
 * The worker processes of the recovery scenario (bench/recovery.ts), started
 * with the tsx loader on DURABLY_BENCH_CONFIG, DURABLY_BENCH_RECOVERY
 * (`start` or `recover`) and DURABLY_BENCH_COUNT:
 *   start    starts COUNT workflows, each blocked in its second step once its first is recorded, and
 *            prints READY once all are blocked (the bench then SIGKILLs it)
 *   recover  launches, then prints `RESULT <json>`: how long DBOS.launch() took, how long until every
 *            one of the COUNT workflows had finished (from before launch), and the peak RSS
 */
import { DBOS, type DBOSConfig } from '../src/index.ts';
import { currentRuntime } from '../src/runtime/runtime.ts';

const config = JSON.parse(process.env.DURABLY_BENCH_CONFIG ?? 'null') as DBOSConfig | null;
const mode = process.env.DURABLY_BENCH_RECOVERY;
const count = Number(process.env.DURABLY_BENCH_COUNT ?? '0');
if (!config || !mode || !(count > 0)) throw new Error('bench/recovery-worker.ts is started by bench/recovery.ts.');

const workflowID = (index: number) => `bench-recovery-${index}`;
let blocked = 0;

const first = DBOS.registerStep(async (index: number) => index, { name: 'bench.recovery.first' });
const second = DBOS.registerStep(async (index: number) => {
  if (mode === 'start') {
    if (++blocked === count) console.log('READY');
    await new Promise(() => setInterval(() => undefined, 60_000)); // until SIGKILL
  }
  return index;
}, { name: 'bench.recovery.second' });
const recovered = DBOS.registerWorkflow(async (index: number) => (await first(index)) + (await second(index)), {
  name: 'bench.recovery.workflow',
});

DBOS.setConfig(config);
if (mode === 'start') {
  await DBOS.launch();
  for (let start = 0; start < count; start += 200) {
    const batch = Array.from({ length: Math.min(200, count - start) }, (_, i) => start + i);
    await Promise.all(batch.map((i) => DBOS.startWorkflow(recovered, { workflowID: workflowID(i) })(i)));
  }
} else {
  const rssBeforeKb = process.resourceUsage().maxRSS;
  const started = performance.now();
  await DBOS.launch();
  const launchMs = performance.now() - started;
  const runtime = currentRuntime()!;
  const resumedAtLaunch = runtime.recovered.length;
  await runtime.recovery.finished;
  const recoveredMs = performance.now() - started;
  // The recovered workflows run here: the last one to settle ends the measure (no reads of ours meanwhile).
  await Promise.allSettled([...runtime.engine.running.values()]);
  const allFinishedMs = performance.now() - started;
  const succeeded = await DBOS.listWorkflows({ workflowName: 'bench.recovery.workflow', status: 'SUCCESS', loadInput: false, loadOutput: false });
  if (succeeded.length !== count) throw new Error(`Only ${succeeded.length} of ${count} recovered workflows succeeded.`);
  const result = {
    launchMs,
    allFinishedMs,
    recoveredMs,
    resumedAtLaunch,
    resumed: runtime.recovered.length,
    rssBeforeMb: rssBeforeKb / 1024,
    peakRssMb: process.resourceUsage().maxRSS / 1024,
  };
  console.log(`RESULT ${JSON.stringify(result)}`);
  await DBOS.shutdown();
  process.exit(0);
}
