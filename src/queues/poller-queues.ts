/**
 * Queues an event receiver feeds from its own poller (a Kafka consumer, say): dispatched by this process
 * even when `listenQueues` names only other queues, or the workflows the poller enqueues would wait
 * ENQUEUED forever. Process-wide, like declared queues; forgotten with them (deregister).
 */
import { DBOSConfigurationError } from '../errors/errors.ts';

const pollerQueues = new Set<string>();

export function registerPollerQueue(name: string): void {
  if (typeof name !== 'string' || name === '') {
    throw new DBOSConfigurationError(`registerPollerQueue: expected a queue name, got ${JSON.stringify(name)}.`);
  }
  pollerQueues.add(name);
}

export function isPollerQueue(name: string): boolean {
  return pollerQueues.has(name);
}

export function clearPollerQueues(): void {
  pollerQueues.clear();
}
