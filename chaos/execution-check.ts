/**
 * "No step ran again after its checkpoint", decided without comparing clocks.
 *
 * Each execution of a step (or transaction body) appends a ledger line with a
 * fresh nonce before returning, and returns that nonce, so the one checkpoint
 * row of (workflow, step) names the execution C whose checkpoint committed.
 * The ledger's line order is a total order across processes (ledger.ts), and
 * the driver writes a kill line only after the killed process is gone. For
 * any other execution E of the same step:
 *
 * - E after C in the ledger: E ran although C had already run and recorded
 *   its result (or was about to, in another live process): a violation.
 * - E before C, a step: sound only if E's process was killed after E and
 *   before C (a kill line for E's pid between them): it died between its
 *   ledger line and its checkpoint. (A worker that died by itself is
 *   treated alike here; its death is reported as a violation of its own.) Any other E before C means the step ran
 *   again in a process that did not die, e.g. because its checkpoint write
 *   failed on a dead connection and the workflow re-ran the step instead of
 *   retrying the write: a violation.
 * - E before C, a transaction: a rolled-back attempt (a cut during the
 *   commit is retried in the same process) is legitimate; whether the body
 *   committed more than once is decided by the app table, which must hold
 *   exactly one row per order, carrying C's nonce.
 *
 * A missing ledger line for a recorded checkpoint, or a step with no
 * checkpoint naming any of its executions, is a violation too.
 */
import type { StepInfo } from '../src/index.ts';
import type { LedgerEntry } from './ledger.ts';
import { childID, orderID, transactionName } from './workload.ts';

export interface ExecutionCounts {
  stepExecutions: number;
  /** Step executions lost to a kill between the step and its checkpoint, then run again (legitimate). */
  stepReruns: number;
  /** Transaction attempts rolled back and run again (legitimate). */
  transactionReruns: number;
  kills: number;
  cuts: number;
  locks: number;
  restarts: number;
}

type Indexed = LedgerEntry & { index: number };
type Execution = Extract<LedgerEntry, { kind: 'step' | 'transaction' }> & { index: number };

function recordedNonces(steps: readonly StepInfo[]): Set<string> {
  const nonces = new Set<string>();
  for (const step of steps) {
    const output = step.output as { nonce?: unknown } | null;
    if (output && typeof output === 'object' && typeof output.nonce === 'string') nonces.add(output.nonce);
  }
  return nonces;
}

export function checkExecutions(
  ledger: readonly Indexed[],
  stepsOf: ReadonlyMap<string, readonly StepInfo[]>,
  deliveries: readonly { workflow_id: string; nonce: string }[],
  enqueued: number,
  violation: (text: string) => void,
): ExecutionCounts {
  const counts: ExecutionCounts = { stepExecutions: 0, stepReruns: 0, transactionReruns: 0, kills: 0, cuts: 0, locks: 0, restarts: 0 };
  const executions = new Map<string, Execution[]>();
  const killsOf = new Map<number, number[]>();
  for (const entry of ledger) {
    if (entry.kind === 'step' || entry.kind === 'transaction') {
      counts.stepExecutions++;
      const key = `${entry.workflowID}/${entry.step}`;
      executions.set(key, [...(executions.get(key) ?? []), entry]);
    } else if (entry.kind === 'kill') {
      counts.kills++;
      killsOf.set(entry.pid, [...(killsOf.get(entry.pid) ?? []), entry.index]);
    } else if (entry.kind === 'death') {
      killsOf.set(entry.pid, [...(killsOf.get(entry.pid) ?? []), entry.index]);
    } else if (entry.kind === 'cut') counts.cuts++;
    else if (entry.kind === 'lock') counts.locks++;
    else if (entry.kind === 'restart') counts.restarts++;
  }
  const committedTransaction = new Map<string, string>();
  for (let n = 0; n < enqueued; n++) {
    const order = orderID(n);
    const expected: [string, string][] = [
      [order, 'a'],
      [order, transactionName],
      [order, 'b'],
      [childID(order), 'c'],
    ];
    for (const [workflowID, step] of expected) {
      const runs = executions.get(`${workflowID}/${step}`) ?? [];
      const nonces = recordedNonces(stepsOf.get(workflowID) ?? []);
      const committed = runs.filter((run) => nonces.has(run.nonce));
      if (committed.length !== 1) {
        violation(`${workflowID} step ${step}: ${runs.length} executions in the ledger, ${committed.length} of them recorded as its checkpoint (expected 1)`);
        continue;
      }
      const checkpointed = committed[0]!;
      if (step === transactionName) committedTransaction.set(workflowID, checkpointed.nonce);
      for (const run of runs) {
        if (run === checkpointed) continue;
        if (run.index > checkpointed.index) {
          violation(`${workflowID} step ${step} ran again (pid ${run.pid}, attempt ${run.attempt}) after the execution its checkpoint recorded (pid ${checkpointed.pid})`);
        } else if (run.kind === 'transaction') {
          counts.transactionReruns++;
        } else if ((killsOf.get(run.pid) ?? []).some((kill) => kill > run.index && kill < checkpointed.index)) {
          counts.stepReruns++;
        } else {
          violation(`${workflowID} step ${step} ran twice in processes that did not die in between (pid ${run.pid}, then pid ${checkpointed.pid})`);
        }
      }
    }
  }
  const rowsOf = new Map<string, string[]>();
  for (const row of deliveries) rowsOf.set(row.workflow_id, [...(rowsOf.get(row.workflow_id) ?? []), row.nonce]);
  for (let n = 0; n < enqueued; n++) {
    const order = orderID(n);
    const rows = rowsOf.get(order) ?? [];
    const committed = committedTransaction.get(order);
    if (rows.length !== 1) violation(`${order}: ${rows.length} rows written by its transaction, expected exactly 1`);
    else if (committed && rows[0] !== committed) violation(`${order}: the app row's nonce is not the one its transaction checkpoint recorded`);
  }
  return counts;
}
