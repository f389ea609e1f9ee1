/**
 * DBOS.shutdown({ deregister: true }), for tests and development: after the
 * runtime has stopped, forget everything this process registered, so the
 * same names can be registered again (with other bodies) before the next
 * launch. Each process-wide registry clears itself; this is the one list of
 * them: workflows, steps and configured instances, queues declared in code,
 * static schedules, lifecycle callbacks (and the alert handler),
 * serialization recipes, data sources, poller queues and event receivers'
 * associated info.
 */
import { clearSerializationRecipes } from '../engine/serialization.ts';
import { declaredQueues } from '../queues/workflow-queue.ts';
import { clearScheduledWorkflows } from '../scheduler/scheduled-workflows.ts';
import { clearLifecycleCallbacks } from './lifecycle-callbacks.ts';
import { registry } from './process-registry.ts';
import { clearDataSources } from '../datasources/data-source-registry.ts';
import { clearPollerQueues } from '../queues/poller-queues.ts';
import { clearAssociatedInfo } from './external-info.ts';

export function forgetRegistrations(): void {
  registry.clear();
  declaredQueues.clear();
  clearScheduledWorkflows();
  clearLifecycleCallbacks();
  clearSerializationRecipes();
  clearDataSources();
  clearPollerQueues();
  clearAssociatedInfo();
}
