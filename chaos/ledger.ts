/**
 * The append-only ledger: one JSON line per step or transaction execution
 * (written by the step BEFORE it returns, so before its checkpoint can
 * commit), and one per fault the driver caused (written AFTER the fault
 * happened: a kill once the process is gone, a restart once the database
 * answers again). Every writer opens the file with O_APPEND and writes each
 * line with one write(2), so lines never interleave and the file's line
 * order is one total order of all events across processes: the verifier
 * reasons with "this line came before that one" instead of comparing clocks.
 * A SIGKILL cannot lose a line already written (the kernel has it).
 */
import { closeSync, existsSync, openSync, readFileSync, writeSync } from 'node:fs';

export type LedgerEntry =
  | { kind: 'step'; workflowID: string; step: string; nonce: string; pid: number; attempt: number; t: number }
  | { kind: 'transaction'; workflowID: string; step: string; nonce: string; pid: number; attempt: number; t: number }
  | { kind: 'kill'; pid: number; worker: string; t: number }
  /** A worker that ended by itself (a finding of its own); like a kill, it explains re-runs of its steps. */
  | { kind: 'death'; pid: number; worker: string; exit: string; t: number }
  | { kind: 'cut'; backends: number; t: number }
  | { kind: 'lock'; ms: number; t: number }
  | { kind: 'restart'; downAt: number; backAt: number; t: number };

export class Ledger {
  private readonly fd: number;

  constructor(readonly path: string) {
    this.fd = openSync(path, 'a');
  }

  append(entry: LedgerEntry): void {
    writeSync(this.fd, `${JSON.stringify(entry)}\n`);
  }

  close(): void {
    closeSync(this.fd);
  }
}

/** Every line, in file order (the `index` is the position in the total order). */
export function readLedger(path: string): (LedgerEntry & { index: number })[] {
  if (!existsSync(path)) return [];
  return readFileSync(path, 'utf8')
    .split('\n')
    .filter((line) => line.length > 0)
    .map((line, index) => ({ ...(JSON.parse(line) as LedgerEntry), index }));
}
