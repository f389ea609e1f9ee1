/**
 * A queue's parameters as users write them (DBOS 5 names and the older
 * aliases) and as durably keeps them: one canonical form, validated with
 * DBOS's rules. Pure: no I/O.
 */
import { DBOSConfigurationError } from '../errors/errors.ts';

export interface QueueRateLimit {
  limitPerPeriod: number;
  periodSec: number;
}

export interface QueueParameters {
  /** Most workflows of the queue running at once, across all processes. */
  globalConcurrency?: number;
  /** @deprecated DBOS's older name of `globalConcurrency` (giving both is an error). */
  concurrency?: number;
  /** Most workflows of the queue running at once in one process. */
  workerConcurrency?: number;
  /** Most starts per period, across all processes. */
  rateLimit?: QueueRateLimit;
  /** @deprecated As in DBOS 5: accepted and stored, but every queue orders by priority (lower first), then enqueue time. */
  priorityEnabled?: boolean;
  /** Legacy partitioned queue: every workflow needs a partition key, and concurrency, workerConcurrency and rateLimit apply per key. */
  partitionQueue?: boolean;
  /** Most workflows of one partition running at once, across all processes (on top of the queue's limits). */
  partitionConcurrency?: number;
  /** Most workflows of one partition running at once in one process. */
  partitionWorkerConcurrency?: number;
  /** Most starts of one partition per period, across all processes. */
  partitionRateLimit?: QueueRateLimit;
  /** Slowest this queue is polled when idle, in ms (wake-ups make polls rare; default 1000). */
  minPollingIntervalMs?: number;
}

/** The parameters durably keeps: `globalConcurrency` is stored as `concurrency`, DBOS's column and field. */
export type CanonicalQueueParameters = Omit<QueueParameters, 'globalConcurrency'>;

export const queueParameterNames: readonly (keyof QueueParameters)[] = [
  'globalConcurrency',
  'concurrency',
  'workerConcurrency',
  'rateLimit',
  'priorityEnabled',
  'partitionQueue',
  'partitionConcurrency',
  'partitionWorkerConcurrency',
  'partitionRateLimit',
  'minPollingIntervalMs',
];

/** Levenshtein distance, case-insensitive: how far a typo is from a known option. */
function distance(a: string, b: string): number {
  const x = a.toLowerCase();
  const y = b.toLowerCase();
  let previous = Array.from({ length: y.length + 1 }, (_, j) => j);
  for (let i = 1; i <= x.length; i++) {
    const row = [i];
    for (let j = 1; j <= y.length; j++) {
      row[j] = Math.min(previous[j]! + 1, row[j - 1]! + 1, previous[j - 1]! + (x[i - 1] === y[j - 1] ? 0 : 1));
    }
    previous = row;
  }
  return previous[y.length]!;
}

/** The known option closest to `key`, if it is close enough to be a typo of it. */
export function closestName(key: string, known: readonly string[]): string | undefined {
  let best: string | undefined;
  let bestDistance = Number.POSITIVE_INFINITY;
  for (const candidate of known) {
    const d = distance(key, candidate);
    if (d < bestDistance) [best, bestDistance] = [candidate, d];
  }
  return bestDistance <= Math.max(2, Math.floor(key.length / 4)) ? best : undefined;
}

/** Refuse any option not in `known`, naming it (and the option it is probably a typo of). */
export function refuseUnknownOptions(context: string, options: object, known: readonly string[]): void {
  for (const key of Object.keys(options)) {
    if (known.includes(key)) continue;
    const close = closestName(key, known);
    throw new DBOSConfigurationError(
      `${context}: unknown option "${key}".` +
        (close ? ` Did you mean "${close}"?` : '') +
        ` Known options: ${known.join(', ')}.`,
    );
  }
}

/**
 * User-given parameters to the canonical form: an object of known options,
 * the aliases resolved (`globalConcurrency` or `concurrency`, not both),
 * validated. `context` names the call in errors.
 */
export function canonicalQueueParameters(context: string, name: string, params: unknown): CanonicalQueueParameters {
  if (params === undefined) params = {};
  if (params === null || typeof params !== 'object' || Array.isArray(params)) {
    throw new DBOSConfigurationError(`${context}: queue options must be an object, got ${JSON.stringify(params)}.`);
  }
  refuseUnknownOptions(context, params, queueParameterNames);
  const { globalConcurrency, ...rest } = params as QueueParameters;
  if (globalConcurrency !== undefined && rest.concurrency !== undefined) {
    throw new DBOSConfigurationError(
      `Queue "${name}": give globalConcurrency (${globalConcurrency}) or its old name concurrency (${rest.concurrency}), not both.`,
    );
  }
  if (globalConcurrency !== undefined && rest.partitionQueue) {
    throw new DBOSConfigurationError(
      `Queue "${name}": partitionQueue makes every limit apply per partition; it cannot be combined with globalConcurrency.`,
    );
  }
  const canonical: CanonicalQueueParameters = { ...rest, concurrency: globalConcurrency ?? rest.concurrency };
  validateQueueParameters(name, canonical);
  return canonical;
}

function positiveInteger(queue: string, option: string, value: unknown): void {
  if (value === undefined) return;
  if (typeof value !== 'number' || !Number.isInteger(value) || value < 1) {
    throw new DBOSConfigurationError(`Queue "${queue}": ${option} must be an integer >= 1, got ${JSON.stringify(value)}.`);
  }
}

/** A rate limit of 0 per period is DBOS's way to hold a queue: nothing starts until the limit is raised. */
function nonNegativeInteger(queue: string, option: string, value: unknown): void {
  if (value === undefined) return;
  if (typeof value !== 'number' || !Number.isInteger(value) || value < 0) {
    throw new DBOSConfigurationError(`Queue "${queue}": ${option} must be an integer >= 0, got ${JSON.stringify(value)}.`);
  }
}

function rateLimit(queue: string, option: string, rate: QueueRateLimit | undefined): void {
  if (rate === undefined) return;
  if (rate === null || typeof rate !== 'object') {
    throw new DBOSConfigurationError(`Queue "${queue}": ${option} must be { limitPerPeriod, periodSec }, got ${JSON.stringify(rate)}.`);
  }
  nonNegativeInteger(queue, `${option}.limitPerPeriod`, rate.limitPerPeriod);
  if (rate.limitPerPeriod === undefined) {
    throw new DBOSConfigurationError(`Queue "${queue}": ${option} needs both limitPerPeriod and periodSec.`);
  }
  if (typeof rate.periodSec !== 'number' || !(rate.periodSec > 0) || !Number.isFinite(rate.periodSec)) {
    throw new DBOSConfigurationError(`Queue "${queue}": ${option}.periodSec must be a positive number, got ${rate.periodSec}.`);
  }
}

/** `lower` (named `lowerName`) must not exceed `upper`, when both are set. */
function atMost(queue: string, lowerName: string, lower: number | undefined, upperName: string, upper: number | undefined): void {
  if (lower !== undefined && upper !== undefined && lower > upper) {
    throw new DBOSConfigurationError(`Queue "${queue}": ${lowerName} (${lower}) cannot exceed ${upperName} (${upper}).`);
  }
}

/** DBOS's rules for one queue's canonical parameters. */
export function validateQueueParameters(name: string, params: CanonicalQueueParameters): void {
  if (typeof name !== 'string' || name.length === 0) {
    throw new DBOSConfigurationError(`A queue name must be a non-empty string, got ${JSON.stringify(name)}.`);
  }
  const { concurrency, workerConcurrency, partitionConcurrency, partitionWorkerConcurrency } = params;
  positiveInteger(name, 'concurrency', concurrency);
  positiveInteger(name, 'workerConcurrency', workerConcurrency);
  positiveInteger(name, 'partitionConcurrency', partitionConcurrency);
  positiveInteger(name, 'partitionWorkerConcurrency', partitionWorkerConcurrency);
  rateLimit(name, 'rateLimit', params.rateLimit);
  rateLimit(name, 'partitionRateLimit', params.partitionRateLimit);
  const partitionLimits = [partitionConcurrency, partitionWorkerConcurrency, params.partitionRateLimit];
  if (params.partitionQueue && partitionLimits.some((limit) => limit !== undefined)) {
    throw new DBOSConfigurationError(
      `Queue "${name}": use either partitionQueue (limits apply per partition) or the partition limits ` +
        '(partitionConcurrency, partitionWorkerConcurrency, partitionRateLimit), not both.',
    );
  }
  atMost(name, 'workerConcurrency', workerConcurrency, 'concurrency', concurrency);
  atMost(name, 'partitionConcurrency', partitionConcurrency, 'concurrency', concurrency);
  atMost(name, 'partitionWorkerConcurrency', partitionWorkerConcurrency, 'partitionConcurrency', partitionConcurrency);
  atMost(name, 'partitionWorkerConcurrency', partitionWorkerConcurrency, 'workerConcurrency', workerConcurrency);
  atMost(name, 'partitionWorkerConcurrency', partitionWorkerConcurrency, 'concurrency', concurrency);
  const polling = params.minPollingIntervalMs;
  if (polling !== undefined && (typeof polling !== 'number' || !(polling > 0) || !Number.isFinite(polling))) {
    throw new DBOSConfigurationError(`Queue "${name}": minPollingIntervalMs must be a positive number, got ${polling}.`);
  }
}
