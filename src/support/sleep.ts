/** Timers longer than this overflow Node's 32-bit timer and fire at once. */
const maxTimerMs = 2 ** 31 - 1;

/** Sleep for `ms`, in chunks Node's timers can hold, so long durable sleeps work. */
export async function sleepMs(ms: number): Promise<void> {
  let remaining = ms;
  while (remaining > 0) {
    const chunk = Math.min(remaining, maxTimerMs);
    await new Promise<void>((resolve) => setTimeout(resolve, chunk));
    remaining -= chunk;
  }
}

/** A random delay in [minMs, maxMs): spreads retries of processes that collided. */
export function jitterMs(minMs: number, maxMs: number): number {
  return minMs + Math.random() * (maxMs - minMs);
}
