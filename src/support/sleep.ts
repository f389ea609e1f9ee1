/** Timers longer than this overflow Node's 32-bit timer and fire at once. */
const maxTimerMs = 2 ** 31 - 1;

/**
 * Sleep for `ms`, in chunks Node's timers can hold, so long durable sleeps work.
 * When `signal` aborts, the timer is cleared (so it keeps nothing alive) and
 * the sleep rejects with the signal's reason.
 */
export async function sleepMs(ms: number, signal?: AbortSignal): Promise<void> {
  let remaining = ms;
  while (remaining > 0) {
    const chunk = Math.min(remaining, maxTimerMs);
    await (signal ? abortableTimer(chunk, signal) : new Promise<void>((resolve) => setTimeout(resolve, chunk)));
    remaining -= chunk;
  }
}

function abortableTimer(ms: number, signal: AbortSignal): Promise<void> {
  signal.throwIfAborted();
  return new Promise<void>((resolve, reject) => {
    const onAbort = (): void => {
      clearTimeout(timer);
      reject(signal.reason);
    };
    const timer = setTimeout(() => {
      signal.removeEventListener('abort', onAbort);
      resolve();
    }, ms);
    signal.addEventListener('abort', onAbort, { once: true });
  });
}

/** A random delay in [minMs, maxMs): spreads retries of processes that collided. */
export function jitterMs(minMs: number, maxMs: number): number {
  return minMs + Math.random() * (maxMs - minMs);
}
