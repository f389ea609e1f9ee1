/**
 * Enqueue times that never repeat within a process, so workflows enqueued in
 * the same millisecond still dequeue first in, first out. Under a burst the
 * clock may run ahead of real time, but by at most one second.
 */
let last = 0;

export function monotonicNow(): number {
  const now = Date.now();
  last = last + 1 - now <= 1000 ? Math.max(now, last + 1) : now;
  return last;
}
