/** Lifecycle integration types (DBOS's names). Declarations only. */
import type { StepConfig, WorkflowConfig } from './workflow-types.ts';

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

/** What an event receiver sees of a function it configured (DBOS's MethodRegistrationBase). */
export interface MethodRegistrationBase {
  readonly name: string;
  readonly className: string;
  /** Set when the function is a registered workflow. */
  readonly workflowConfig?: WorkflowConfig;
  /** Set when the function is a registered step. */
  readonly stepConfig?: StepConfig;
  /** An instance method (of a ConfiguredInstance): invoke it with the instance as `pthis`. */
  readonly isInstance: boolean;
  /** Each receiver's info object for this function, by receiver. */
  readonly externalRegInfo: Map<unknown, unknown>;
  /** The function to call: the registered workflow or step (or the plain function, if it was never registered). */
  readonly registeredFunction: Function | undefined;
  readonly wrappedFunction: Function | undefined;
  readonly origFunction: Function;
  /** Call the registered function with `pthis` as `this`: a workflow runs durably, in the caller's context. */
  invoke(pthis: unknown, args: unknown[]): unknown;
}

/** One function an event receiver configured, with its class's info (DBOS.getAssociatedInfo). */
export interface ExternalRegistration {
  classConfig?: unknown;
  methodConfig?: unknown;
  methodReg: MethodRegistrationBase;
}

/** Versioned state an event receiver keeps in the system database (table event_dispatch_kv). */
export interface DBOSExternalState {
  /** The receiver service. */
  service: string;
  /** The fully qualified function the state is kept for. */
  workflowFnName: string;
  key: string;
  value?: string;
  /** Versions: an update older than the stored one (by time, then sequence) leaves the value as it was. */
  updateTime?: number;
  updateSeq?: bigint;
}
