/**
 * What the admin server manages: an Engine (every management function takes
 * one) and the few things only a running application can do. The Runtime
 * supplies one at launch; serve-dashboard.ts builds one over a client's
 * engine, for a system database with no application attached.
 */
import type { Engine } from '../engine/engine.ts';
import { internalQueueName } from '../engine/recovery.ts';
import { queuesFromDefinitions } from '../queues/queue-definitions.ts';
import { WorkflowQueue } from '../queues/workflow-queue.ts';

export interface AdminTarget {
  readonly engine: Engine;
  /** The queues as this process knows them: declared in code, registered in the database, the internal one. */
  queues(): Promise<readonly WorkflowQueue[]>;
  /**
   * Put the PENDING workflows of these executors back on their queues to be
   * resumed (DBOS's recovery endpoint); returns their IDs.
   */
  recover(executorIDs: readonly string[]): Promise<string[]>;
  /** Stop starting new work from schedules and event receivers (queues keep running); false if there is no application. */
  deactivate(): Promise<boolean>;
  /**
   * Whether this process runs the application's workflows (a launched runtime). Without it (the dashboard over
   * a database), a schedule's runs are enqueued by workflow name, for the application's processes to run.
   */
  readonly runsWorkflows: boolean;
}

/** Recovery as any process can do it: the executors' PENDING workflows go back on their queues. */
export async function requeueExecutors(engine: Engine, executorIDs: readonly string[], applicationVersion?: string): Promise<string[]> {
  const ids: string[] = [];
  for (const executorID of executorIDs) {
    const requeued = await engine.systemDatabase.requeuePendingWorkflows({
      executorID,
      applicationVersion,
      queuedOnly: false,
      fallbackQueue: internalQueueName,
      now: Date.now(),
    });
    ids.push(...requeued.map((workflow) => workflow.workflowID));
  }
  return ids;
}

/** A target without an application: queues come from the database, nothing to deactivate. */
export function databaseAdminTarget(engine: Engine): AdminTarget {
  return {
    engine,
    async queues() {
      const definitions = await engine.systemDatabase.listQueueDefinitions();
      const registered = queuesFromDefinitions(
        definitions.filter((definition) => definition.name !== internalQueueName),
        engine.logger,
      );
      return [new WorkflowQueue(internalQueueName, {}, { databaseBacked: true }), ...registered];
    },
    recover: (executorIDs) => requeueExecutors(engine, executorIDs),
    deactivate: async () => false,
    runsWorkflows: false,
  };
}
