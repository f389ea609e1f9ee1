/**
 * The DBOS static facade: the public API, with the names and semantics of the
 * DBOS TypeScript SDK. Each member delegates to the launched Runtime, the
 * engine or the registry; no logic and no state live here beyond the pending
 * configuration.
 */
import type { DBOSConfig, DBOSLaunchOptions } from '../types/config-types.ts';
import { DBOSEventReceivers } from './dbos-event-receivers.ts';
import {
  DBOSConfigurationError,
  DBOSConflictingRegistrationError,
} from '../errors/errors.ts';
import type {
  FunctionName,
  GetResultOptions,
  StartWorkflowParams,
  StepConfig,
  WorkflowConfig,
  WorkflowHandle,
  WorkflowStatus,
} from '../types/workflow-types.ts';
import { recordedOperation } from '../engine/checkpoint.ts';
import { deprecatePatch, patch } from '../engine/patching.ts';
import { startWorkflow } from '../engine/start-workflow.ts';
import { toPublicStatus } from '../engine/status-mapping.ts';
import { awaitWorkflowResult, DurableWorkflowHandle } from '../engine/workflow-handle.ts';
import { callerLogger, workflowCodeState } from '../engine/workflow-context.ts';
import { stepDecorator, workflowDecorator } from '../runtime/decorators.ts';
import { enqueueWorkflowByName, type EnqueueWorkflowOptions } from '../queues/enqueue-by-name.ts';
import {
  hasStaticRegistrations,
  registeredWorkflowOf,
  registerStep,
  registerWorkflow,
  registry,
  runInlineStep,
} from '../runtime/registration.ts';
import { classNameDecorator } from '../runtime/class-name-decorator.ts';
import { instanceStarter } from '../runtime/instance-start.ts';
import { resolveConfig } from '../runtime/resolve-config.ts';
import { currentRuntime, engineFor, Runtime, shutdownRuntime } from '../runtime/runtime.ts';
import { dropSystemDatabase } from '../system-database/open-system-database.ts';
import type { DLogger } from '../telemetry/logger.ts';
import { loggerBeforeLaunch } from '../runtime/runtime-telemetry.ts';
import { checkLaunchOptions } from '../runtime/launch-options.ts';
import {
  logRegisteredEndpoints,
  registerLifecycleCallback,
  setAlertHandler,
} from '../runtime/lifecycle-callbacks.ts';
import { waitOptions } from '../support/wait-timeouts.ts';
import type { AlertHandler, DBOSLifecycleCallback } from '../types/lifecycle-types.ts';

let pendingConfig: DBOSConfig | undefined;

type AnyAsync = (...args: any[]) => Promise<unknown>;
type StartFunctionsOf<T> = {
  [K in keyof T]: T[K] extends (...args: infer A) => Promise<infer R> ? (...args: A) => Promise<WorkflowHandle<R>> : never;
};

/** The workflow to start for `target`: a registered workflow, or a registered step's one-step workflow. */
export class DBOS extends DBOSEventReceivers {
  // ---- lifecycle ----

  /** Store the configuration for the next launch. */
  static setConfig(config: DBOSConfig): void {
    if (currentRuntime()) {
      throw new DBOSConflictingRegistrationError('DBOS.setConfig() was called after DBOS.launch(): call it before, or shut down first.');
    }
    resolveConfig(config);
    pendingConfig = config;
  }

  /** Open (create, migrate) the system database and resume this executor's pending workflows. */
  static async launch(options?: DBOSLaunchOptions): Promise<void> {
    const conductorWarning = checkLaunchOptions(options);
    await Runtime.launch(pendingConfig, registry);
    if (conductorWarning) DBOS.logger.warn(conductorWarning);
  }

  /** Close everything; a later launch starts afresh (tests launch many times). */
  static async shutdown(options?: { deregister?: boolean; workflowCompletionTimeoutMS?: number }): Promise<void> {
    await shutdownRuntime(options);
  }

  /** Call `callback.initialize()` at each launch (after recovery), `destroy()` at shutdown. */
  static registerLifecycleCallback(callback: DBOSLifecycleCallback): void {
    registerLifecycleCallback(callback);
  }

  /** Log the static schedules, then ask every lifecycle callback to log what it registered (after launch). */
  static logRegisteredEndpoints(): void {
    logRegisteredEndpoints(currentRuntime()?.engine);
  }

  /** Before launch only. Kept for compatibility: durably has no Conductor, so the handler is never called. */
  static setAlertHandler(handler: AlertHandler): void {
    setAlertHandler(handler, currentRuntime() !== undefined);
  }

  static isInitialized(): boolean {
    return currentRuntime()?.stopping === false;
  }

  /** Delete the configured system database (tests and development); call it while not launched. */
  static async resetSystemDatabase(): Promise<void> {
    if (currentRuntime()) {
      throw new DBOSConfigurationError('DBOS.resetSystemDatabase() needs a stopped runtime: call DBOS.shutdown() first.');
    }
    await dropSystemDatabase(resolveConfig(pendingConfig).target);
  }

  /** runWithContext's logger outside workflows; before launch, as in DBOS, the configured logger (or the console at logLevel). */
  static get logger(): DLogger {
    return callerLogger() ?? currentRuntime()?.config.logger ?? loggerBeforeLaunch(pendingConfig);
  }

  /** Before launch, as in DBOS: the environment's DBOS__APPVERSION, else ''. */
  static get applicationVersion(): string {
    return currentRuntime()?.engine.identity.applicationVersion ?? (process.env.DBOS__APPVERSION || '');
  }

  /** Before launch, as in DBOS: the environment's DBOS__VMID, else 'local'. */
  static get executorID(): string {
    return currentRuntime()?.engine.identity.executorID ?? (process.env.DBOS__VMID || 'local');
  }

  // ---- registration ----

  static registerWorkflow<This, Args extends unknown[], Return>(
    fn: (this: This, ...args: Args) => Promise<Return>,
    config?: FunctionName & WorkflowConfig,
  ): (this: This, ...args: Args) => Promise<Return> {
    return registerWorkflow(fn, config);
  }

  static registerStep<This, Args extends unknown[], Return>(
    fn: (this: This, ...args: Args) => Promise<Return>,
    config?: StepConfig & FunctionName,
  ): (this: This, ...args: Args) => Promise<Return> {
    return registerStep(fn, config);
  }

  /** Run `fn` as a checkpointed step of the current workflow (outside a workflow, just run it). */
  static runStep<Return>(fn: () => Promise<Return>, config: StepConfig & { name?: string } = {}): Promise<Return> {
    return runInlineStep(fn, config);
  }

  /** Method decorator: a static or ConfiguredInstance method becomes a workflow (legacy and standard decorators). */
  static workflow(config?: WorkflowConfig) {
    return workflowDecorator(config);
  }

  /** Method decorator: a static method becomes a step (legacy and standard decorators). */
  static step(config?: StepConfig) {
    return stepDecorator(config);
  }

  /** Class decorator: register the class (and record its workflows' `class_name`) under this name. */
  static className(name: string) {
    return classNameDecorator(name);
  }

  // ---- starting and awaiting workflows ----

  static startWorkflow<Args extends unknown[], Return>(
    target: (...args: Args) => Promise<Return>,
    params?: StartWorkflowParams,
  ): (...args: Args) => Promise<WorkflowHandle<Return>>;
  static startWorkflow<T extends object>(targetClass: T, params?: StartWorkflowParams): StartFunctionsOf<T>;
  static startWorkflow(target: unknown, params?: StartWorkflowParams): unknown {
    if (typeof target === 'function' && !registry.findByFunction(target) && hasStaticRegistrations(target)) {
      return new Proxy(target, {
        get: (cls, property) => DBOS.startWorkflow((cls as unknown as Record<PropertyKey, AnyAsync>)[property]!, params),
      });
    }
    if (typeof target === 'object' && target !== null) return instanceStarter(target, params);
    const registration = registeredWorkflowOf(target);
    return async (...args: unknown[]) =>
      startWorkflow(engineFor(`DBOS.startWorkflow(${registration.name})`), {
        registration,
        thisArg: registration.thisArg,
        args,
        params,
      });
  }

  static retrieveWorkflow<T = unknown>(workflowID: string): WorkflowHandle<Awaited<T>> {
    return new DurableWorkflowHandle<Awaited<T>>(engineFor('DBOS.retrieveWorkflow'), workflowID, true);
  }

  static async getWorkflowStatus(workflowID: string): Promise<WorkflowStatus | null> {
    const engine = engineFor('DBOS.getWorkflowStatus');
    const read = async () => {
      const row = await engine.systemDatabase.getWorkflowStatus(workflowID);
      return row ? await toPublicStatus(row) : null;
    };
    const workflow = workflowCodeState();
    return workflow ? recordedOperation(workflow, 'getStatus', read) : read();
  }

  /** Wait for a workflow's result; null if `timeoutSeconds` pass first. */
  static async getResult<T>(workflowID: string, options?: number | GetResultOptions): Promise<T | null> {
    const resolved = waitOptions('DBOS.getResult', options);
    return awaitWorkflowResult<T>(engineFor('DBOS.getResult'), workflowID, resolved, true, true);
  }

  /** Enqueue a workflow by name (it may be registered only in another process); a child in workflow code. */
  static enqueueWorkflowWithOptions<T = unknown>(options: EnqueueWorkflowOptions, ...args: unknown[]): Promise<WorkflowHandle<T>> {
    return enqueueWorkflowByName<T>(engineFor('DBOS.enqueueWorkflowWithOptions'), options, args);
  }

  /** Enqueue by name with portable JSON inputs `{positionalArgs, namedArgs}` (for workflows in any language). */
  static enqueueWorkflowWithOptionsPortable<T = unknown>(
    options: EnqueueWorkflowOptions,
    positionalArgs: unknown[],
    namedArgs?: Record<string, unknown>,
  ): Promise<WorkflowHandle<T>> {
    const engine = engineFor('DBOS.enqueueWorkflowWithOptionsPortable');
    return enqueueWorkflowByName<T>(engine, { serializationType: 'portable', ...options }, positionalArgs, namedArgs);
  }

  // ---- patching ----
  /** In workflow code: true where this execution runs the patched (new) code, false where it began under the old code. */
  static patch(patchName: string): Promise<boolean> {
    return patch(patchName);
  }

  /** In workflow code: true; consumes the marker a patched execution recorded (the step before removing a patch). */
  static deprecatePatch(patchName: string): Promise<boolean> {
    return deprecatePatch(patchName);
  }
}
