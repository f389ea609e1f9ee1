/** Lifecycle integration types (DBOS's names). Declarations only. */

export interface DBOSLifecycleCallback {
  /** Called at launch, after recovery. An error here fails the launch. */
  initialize?(): Promise<void>;
  /** Called at shutdown, before anything stops; an error is logged and shutdown goes on. */
  destroy?(): Promise<void>;
  /** Called by `DBOS.logRegisteredEndpoints()`: list what this integration registered. */
  logRegisteredEndpoints?(): void;
}

/** DBOS calls it for alerts from its Conductor; durably has no Conductor and never calls it. */
export type AlertHandler = (name: string, message: string, metadata: Record<string, string>) => Promise<void>;
