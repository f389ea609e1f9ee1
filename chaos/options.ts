/**
 * The chaos command's arguments: `--backend postgres|sqlite`, the length of
 * the fault phase as `--minutes N` or `--seconds N`, and knobs with defaults
 * that suit a 2-core machine. Pure parsing, no I/O.
 */
export type ChaosBackend = 'postgres' | 'sqlite';

export interface ChaosOptions {
  backend: ChaosBackend;
  /** How long faults are injected while work is enqueued. */
  chaosMs: number;
  /** How long the drain phase (no faults, every worker up) may take before leftovers count as violations. */
  drainTimeoutMs: number;
  workers: number;
  /** Workflows enqueued but not finished, at most (the driver waits beyond it). */
  maxBacklog: number;
  /** Postgres: crash-restart the database (needs the private cluster harness). */
  restarts: boolean;
  /** Seed of the fault schedule, so a run can be repeated. */
  seed: number;
  /** Keep the database and ledger after a passing run. */
  keep: boolean;
}

export class ChaosUsageError extends Error {}

const usage =
  'usage: npm run chaos -- --backend postgres|sqlite (--minutes N | --seconds N) ' +
  '[--workers 3] [--backlog 40] [--drain-seconds 180] [--no-restarts] [--seed N] [--keep]';

export function parseChaosOptions(argv: readonly string[]): ChaosOptions {
  const options: ChaosOptions = {
    backend: 'sqlite',
    chaosMs: 60_000,
    drainTimeoutMs: 180_000,
    workers: 3,
    maxBacklog: 40,
    restarts: true,
    seed: Date.now() % 1_000_000,
    keep: false,
  };
  const number = (flag: string, value: string | undefined): number => {
    const parsed = Number(value);
    if (value === undefined || !Number.isFinite(parsed) || parsed <= 0) throw new ChaosUsageError(`${flag} needs a positive number, got ${value}\n${usage}`);
    return parsed;
  };
  for (let index = 0; index < argv.length; index++) {
    const flag = argv[index]!;
    const value = argv[index + 1];
    switch (flag) {
      case '--backend':
        if (value !== 'postgres' && value !== 'sqlite') throw new ChaosUsageError(`--backend must be postgres or sqlite, got ${value}\n${usage}`);
        options.backend = value;
        index++;
        break;
      case '--minutes':
        options.chaosMs = number(flag, value) * 60_000;
        index++;
        break;
      case '--seconds':
        options.chaosMs = number(flag, value) * 1000;
        index++;
        break;
      case '--workers':
        options.workers = Math.round(number(flag, value));
        index++;
        break;
      case '--backlog':
        options.maxBacklog = Math.round(number(flag, value));
        index++;
        break;
      case '--drain-seconds':
        options.drainTimeoutMs = number(flag, value) * 1000;
        index++;
        break;
      case '--seed':
        options.seed = Math.round(number(flag, value));
        index++;
        break;
      case '--no-restarts':
        options.restarts = false;
        break;
      case '--keep':
        options.keep = true;
        break;
      case '--help':
        throw new ChaosUsageError(usage);
      default:
        throw new ChaosUsageError(`unknown argument ${flag}\n${usage}`);
    }
  }
  return options;
}

/** A small seeded generator (mulberry32): the same seed gives the same fault schedule. */
export function seededRandom(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}
