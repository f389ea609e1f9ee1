/**
 * Queues as an operator sees them (`durably queue list`): every queue that
 * is registered in the database or holds unfinished workflows, with how many
 * wait (ENQUEUED), wait for a time (DELAYED) and run (PENDING). Counted from
 * the same listing DBOS.listQueuedWorkflows reads, without inputs or outputs.
 */
import type { Engine } from '../engine/engine.ts';
import { listQueuedWorkflows } from './list-workflows.ts';

export interface QueueDepth {
  name: string;
  enqueued: number;
  delayed: number;
  pending: number;
  /** Registered in the database (DBOS.registerQueue); otherwise declared in workers' code. */
  registered: boolean;
  /** The registered limits, when registered. */
  concurrency?: number;
  workerConcurrency?: number;
  rateLimit?: { limitPerPeriod: number; periodSec: number };
}

export async function queueDepths(engine: Engine): Promise<QueueDepth[]> {
  const byName = new Map<string, QueueDepth>();
  const entry = (name: string) => {
    let depth = byName.get(name);
    if (!depth) byName.set(name, (depth = { name, enqueued: 0, delayed: 0, pending: 0, registered: false }));
    return depth;
  };
  for (const definition of await engine.systemDatabase.listQueueDefinitions()) {
    const depth = entry(definition.name);
    depth.registered = true;
    if (definition.concurrency !== null) depth.concurrency = definition.concurrency;
    if (definition.workerConcurrency !== null) depth.workerConcurrency = definition.workerConcurrency;
    if (definition.rateLimitMax !== null && definition.rateLimitPeriodSec !== null) {
      depth.rateLimit = { limitPerPeriod: definition.rateLimitMax, periodSec: definition.rateLimitPeriodSec };
    }
  }
  for (const workflow of await listQueuedWorkflows(engine, { loadInput: false, loadOutput: false })) {
    if (!workflow.queueName) continue;
    const depth = entry(workflow.queueName);
    if (workflow.status === 'ENQUEUED') depth.enqueued += 1;
    else if (workflow.status === 'DELAYED') depth.delayed += 1;
    else depth.pending += 1;
  }
  return [...byName.values()].sort((a, b) => a.name.localeCompare(b.name));
}
