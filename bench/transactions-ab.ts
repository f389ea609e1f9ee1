/**
 * A quick before/after probe of the transaction path: the bench's (t1) sequential latency and (t2) in-flight
 * throughput of the one-transaction workflow (measureTransactions of transactions.ts), for one backend and one
 * placement of the application database, printed as one JSON line. Run it from two checkouts alternately and
 * compare ratios (the machine is noisy: interleave the rounds, flip their order):
 *   node --import tsx bench/transactions-ab.ts sqlite|postgres apart|same [raw]
 * With `raw`, the raw 16-connection commit rate of the same run is printed too, for the (t2) ratio.
 */
import { postgresHarness, postgresUrl, preparePostgres, sqliteHarness } from './harness.ts';

const backend = process.argv[2] === 'postgres' ? 'postgres' : 'sqlite';
const placement = process.argv[3] === 'same' ? 'same' : 'apart';
const withRaw = process.argv.includes('raw');

async function main(): Promise<void> {
  const url = postgresUrl();
  if (backend === 'postgres') {
    const { problem } = await preparePostgres(url);
    if (problem) throw new Error(`Postgres unreachable at ${url}: ${problem}`);
  }
  const harness = backend === 'postgres' ? postgresHarness(url) : sqliteHarness();
  try {
    const raw = withRaw ? await harness.raw('ab') : undefined;
    const result = await harness.transactions(placement);
    const workflowsPerSec = result.inFlight.workflowsPerSec;
    console.log(
      JSON.stringify({
        backend,
        placement,
        t1MedianMs: Number(result.sequential.medianMs.toFixed(3)),
        t2WorkflowsPerSec: Math.round(workflowsPerSec),
        t2ProcessCores: Number(result.inFlight.cpu.processCores.toFixed(2)),
        t2MachineBusy: Number(result.inFlight.cpu.machineBusy.toFixed(2)),
        t2ProcessMsPerWorkflow: Number(result.inFlight.cpu.processMsPerWorkflow.toFixed(3)),
        durableCommitsPerWorkflow: Number(result.counts.durableCommits.toFixed(2)),
        statementsPerWorkflow: Number(result.counts.statements.toFixed(2)),
        ...(raw && { raw16PerSec: Math.round(raw.parallelPerSec), t2OverRaw: Number((workflowsPerSec / raw.parallelPerSec).toFixed(2)) }),
      }),
    );
  } finally {
    await harness.cleanUp();
  }
}

main().then(
  () => process.exit(process.exitCode ?? 0), // a data source's pool or a notifier must not keep the probe alive
  (error: unknown) => {
    console.error(error);
    process.exit(1);
  },
);
