/**
 * Every queue this process knows: declared in code, registered in the
 * database, and the internal queue. Enqueue validates against it; the runner
 * dequeues from all of it.
 */
import { WorkflowQueue, declaredQueues, internalQueueName } from './workflow-queue.ts';

export class QueueCatalog {
  readonly internal = new WorkflowQueue(internalQueueName, {}, { databaseBacked: true });
  private databaseQueues = new Map<string, WorkflowQueue>();
  private listeners = new Set<() => void>();

  find(name: string): WorkflowQueue | undefined {
    if (name === internalQueueName) return this.internal;
    return declaredQueues.get(name) ?? this.databaseQueues.get(name);
  }

  all(): WorkflowQueue[] {
    const declared = declaredQueues.all();
    const names = new Set(declared.map((q) => q.name));
    return [this.internal, ...declared, ...[...this.databaseQueues.values()].filter((q) => !names.has(q.name))];
  }

  /** Replace the database-registered queues (a queue declared in code wins over a row of the same name). */
  setDatabaseQueues(queues: readonly WorkflowQueue[]): void {
    this.databaseQueues = new Map(queues.map((q) => [q.name, q]));
    for (const listener of this.listeners) listener();
  }

  putDatabaseQueue(queue: WorkflowQueue): void {
    this.databaseQueues.set(queue.name, queue);
    for (const listener of this.listeners) listener();
  }

  removeDatabaseQueue(name: string): void {
    this.databaseQueues.delete(name);
    for (const listener of this.listeners) listener();
  }

  /** Called whenever the set of queues may have changed (a queue declared in code after launch included). */
  onChange(listener: () => void): () => void {
    this.listeners.add(listener);
    const stopDeclared = declaredQueues.onAdd(listener);
    return () => {
      this.listeners.delete(listener);
      stopDeclared();
    };
  }
}
