/**
 * Queue claims whose answer was lost. A claim marks its rows PENDING under this executor in one statement
 * (or one transaction). If the connection dies after the server committed it but before the answer arrived,
 * the rows are this executor's, yet nobody here knows them: the retry (connection-level, or the queue loop's
 * next round) claims *other* rows, and the lost ones would stay PENDING until this executor stopped
 * beating, i.e. forever while it lives. A getResult on one of them would never return.
 *
 * So every claim attempt stamps its rows with a claim time that no other attempt of this process used
 * (`started_at_epoch_ms`; strictly increasing, so it names one attempt). An attempt that did not return its
 * answer leaves its time here, and later claims of the same queue (and partition) also return the PENDING
 * rows of this executor carrying such a time: the rows that attempt claimed, if it committed. A time is
 * forgotten once its rows were found and handed to the caller (one statement claims all its rows at once,
 * so none can follow), or after `keepMs` (an attempt that never committed). Rows are told apart by executor
 * ID and claim time: two processes sharing an executor ID (which recovery already forbids) could, in the
 * same millisecond, pick up each other's rows.
 */

/** How long a lost attempt may still commit: its statement can reach the server late, after a partition heals. */
const keepMs = 10 * 60_000;
/** Per queue (and partition): the oldest times go first past this many (a long outage, many failed rounds). */
const maxTimesPerScope = 256;

interface LostAttempt {
  claimedAt: number;
  lostAt: number;
}

/** One call's attempts: each asks for a claim time, and the lost times to look up with it. */
export interface ClaimAttempt {
  /** The claim time of this attempt (taken when the claim really happens, e.g. after a queue lock). */
  claimTime(): number;
  /** Claim times of earlier attempts whose answer was lost: their rows, if any, are returned too. */
  readonly lostTimes: readonly number[];
}

export class LostClaims {
  private lastClaimTime = 0;
  private readonly lost = new Map<string, LostAttempt[]>();

  /**
   * One claim call. `perform` runs the claim, calling `nextAttempt()` at the start of each attempt (the
   * connection runs it again after a lost connection): an attempt superseded by another, or one the call
   * failed in, never had its answer read. `foundTimes` names the claim times of the rows the result holds.
   */
  async run<T>(
    scope: string,
    perform: (nextAttempt: () => ClaimAttempt) => Promise<T>,
    foundTimes: (result: T) => Iterable<number>,
  ): Promise<T> {
    let current: number | undefined;
    const markCurrentLost = () => {
      if (current !== undefined) this.add(scope, current);
      current = undefined;
    };
    const nextAttempt = (): ClaimAttempt => {
      markCurrentLost();
      return {
        claimTime: () => (current = this.nextClaimTime()),
        lostTimes: this.timesFor(scope),
      };
    };
    try {
      const result = await perform(nextAttempt);
      this.forget(scope, new Set(foundTimes(result)));
      return result;
    } catch (error) {
      markCurrentLost();
      throw error;
    }
  }

  /** Whether a claim of `queueName` (any partition) may have rows to hand over. */
  hasAny(queueName: string): boolean {
    for (const scope of this.lost.keys()) if (queueOfScope(scope) === queueName) return true;
    return false;
  }

  /** The partitions of `queueName` with lost claims to look up. */
  partitionsOf(queueName: string): string[] {
    const keys: string[] = [];
    for (const scope of this.lost.keys()) {
      const separator = scope.indexOf(scopeSeparator);
      if (separator >= 0 && scope.slice(0, separator) === queueName) keys.push(scope.slice(separator + 1));
    }
    return keys;
  }

  /** Strictly increasing: two attempts of this process never share a claim time. */
  private nextClaimTime(): number {
    this.lastClaimTime = Math.max(Date.now(), this.lastClaimTime + 1);
    return this.lastClaimTime;
  }

  private timesFor(scope: string): number[] {
    const attempts = this.lost.get(scope);
    if (!attempts) return [];
    const cutoff = Date.now() - keepMs;
    const kept = attempts.filter((attempt) => attempt.lostAt >= cutoff);
    if (kept.length === 0) this.lost.delete(scope);
    else if (kept.length !== attempts.length) this.lost.set(scope, kept);
    return kept.map((attempt) => attempt.claimedAt);
  }

  private add(scope: string, claimedAt: number): void {
    const attempts = this.lost.get(scope) ?? [];
    attempts.push({ claimedAt, lostAt: Date.now() });
    if (attempts.length > maxTimesPerScope) attempts.splice(0, attempts.length - maxTimesPerScope);
    this.lost.set(scope, attempts);
  }

  private forget(scope: string, found: ReadonlySet<number>): void {
    const attempts = this.lost.get(scope);
    if (!attempts || found.size === 0) return;
    const kept = attempts.filter((attempt) => !found.has(attempt.claimedAt));
    if (kept.length === 0) this.lost.delete(scope);
    else this.lost.set(scope, kept);
  }
}

const scopeSeparator = '\u0000';

/** Lost claims are looked up per queue and partition: a claim returns only rows of its own scope. */
export function claimScope(queueName: string, partitionKey: string | undefined): string {
  return partitionKey === undefined ? queueName : `${queueName}${scopeSeparator}${partitionKey}`;
}

function queueOfScope(scope: string): string {
  const separator = scope.indexOf(scopeSeparator);
  return separator < 0 ? scope : scope.slice(0, separator);
}
