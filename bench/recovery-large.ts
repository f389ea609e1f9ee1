/**
 * (r) at a size `npm run bench` does not reach: N workflows (default 100,000) SIGKILLed in a step, recovered by
 * a new process, on each backend, to show that recovery reads the pending workflows in bounded batches rather
 * than all at once: the recovering process's peak RSS against its RSS before launch, and the same at 1,000 for
 * scale, with how long DBOS.launch() took (target < 100 ms however many wait). Prints one JSON line
 * per backend and size. Not part of `npm run bench` (the 100,000 start and recover take about a minute each):
 *
 *   node --import tsx bench/recovery-large.ts [N] [sqlite|postgres]
 */
import { postgresHarness, postgresUrl, preparePostgres, sqliteHarness, type Harness } from './harness.ts';
import { recoveryAfterKill } from './recovery.ts';

const large = Number(process.argv[2] ?? 100_000);
const only = process.argv[3];

async function main(): Promise<void> {
  const harnesses: Harness[] = [];
  if (only !== 'postgres') harnesses.push(sqliteHarness());
  if (only !== 'sqlite') {
    const url = postgresUrl();
    const { problem } = await preparePostgres(url);
    if (problem) throw new Error(`Postgres unreachable at ${url}: ${problem}`);
    harnesses.push(postgresHarness(url));
  }
  for (const harness of harnesses) {
    try {
      for (const workflows of [1_000, large]) {
        const result = await recoveryAfterKill(harness.config(`recovery_${workflows}`), workflows, 900_000);
        console.log(JSON.stringify({ backend: harness.backend, ...result }));
      }
    } finally {
      await harness.cleanUp();
    }
  }
}

await main();
