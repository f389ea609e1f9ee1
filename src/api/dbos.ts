/**
 * The DBOS static facade: the public API, with the names and semantics of the
 * DBOS TypeScript SDK. Each member delegates to the launched Runtime, the
 * engine or the registry; no logic and no state live here beyond the pending
 * configuration.
 */
import type { DBOSConfig, DBOSLaunchOptions } from '../types/config-types.ts';
import { DBOSScheduling } from './dbos-scheduling.ts';
import {
  DBOSConfigurationError,
  DBOSConflictingRegistrationError,
} from '../errors/errors.ts';
import type {
  DBOSContextOptions,
  GetEventOptions,
  RecvOptions,
  FunctionName,
  GetResultOptions,
  StartWorkflowParams,
  StepConfig,
  StepStatus,
  WorkflowConfig,
  WorkflowHandle,
  WorkflowStatus,
} from '../types/workflow-types.ts';
import type { JSONValue, SendOptions, SerializationRecipe, SetEventOptions, WriteStreamOptions } from '../types/serialization-types.ts';
import { registerSerialization } from '../runtime/register-serialization.ts';
import { getEvent, setEvent } from '../communication/events.ts';
import { recv, send } from '../communication/messages.ts';
import {
  closeStream,
  readStream,
  readStreamOffset,
  writeStream,
  type ReadStreamOffsetOptions,
  type ReadStreamOptions,
} from '../communication/streams.ts';
import { recordedOperation } from '../engine/checkpoint.ts';
import { durableSleep } from '../engine/durable-sleep.ts';
import { recordedNow, recordedRandomUUID } from '../engine/recorded-values.ts';
import { deprecatePatch, patch } from '../engine/patching.ts';
import { startWorkflow } from '../engine/start-workflow.ts';
import { toPublicStatus } from '../engine/status-mapping.ts';
import { awaitWorkflowResult, DurableWorkflowHandle } from '../engine/workflow-handle.ts';
import { currentContext, runInContext, workflowCodeState } from '../engine/workflow-context.ts';
import { contextWithOptions } from '../engine/context-options.ts';
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
import { consoleLogger, type DLogger } from '../telemetry/logger.ts';
import { checkLaunchOptions } from '../runtime/launch-options.ts';
import {
  logRegisteredEndpoints,
  registerLifecycleCallback,
  setAlertHandler,
} from '../runtime/lifecycle-callbacks.ts';
import { waitOptions } from '../support/wait-timeouts.ts';
import type { AlertHandler, DBOSLifecycleCallback } from '../types/lifecycle-types.ts';

let pendingConfig: DBOSConfig | undefined;
const fallbackLogger = consoleLogger('info');

type AnyAsync = (...args: any[]) => Promise<unknown>;
type StartFunctionsOf<T> = {
  [K in keyof T]: T[K] extends (...args: infer A) => Promise<infer R> ? (...args: A) => Promise<WorkflowHandle<R>> : never;
};

/** The workflow to start for `target`: a registered workflow, or a registered step's one-step workflow. */
export class DBOS extends DBOSScheduling {
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

  static get logger(): DLogger {
    return currentRuntime()?.config.logger ?? fallbackLogger;
  }

  static get applicationVersion(): string {
    return engineFor('DBOS.applicationVersion').identity.applicationVersion;
  }

  static get executorID(): string {
    return engineFor('DBOS.executorID').identity.executorID;
  }

  // ---- context ----

  static get workflowID(): string | undefined {
    return currentContext().workflow?.workflowID;
  }

  /** The current workflow's WorkflowConfig.serialization (portable ones send, publish and stream portable JSON). */
  static get defaultSerializationType(): 'native' | 'portable' | undefined {
    return currentContext().workflow?.serialization;
  }

  /** Before launch: store instances of a class with this recipe, in the native format (superjson). */
  static registerSerialization<T, S extends JSONValue>(recipe: SerializationRecipe<T, S>): void {
    registerSerialization(recipe);
  }

  static get stepID(): number | undefined {
    return currentContext().step?.functionID;
  }

  static get stepStatus(): StepStatus | undefined {
    const step = currentContext().step;
    if (!step) return undefined;
    return {
      stepID: step.functionID,
      currentAttempt: step.currentAttempt,
      maxAttempts: step.maxAttempts,
      timeoutSignal: step.timeoutSignal,
    };
  }

  static get authenticatedUser(): string {
    return currentContext().authenticatedUser ?? '';
  }

  static get authenticatedRoles(): string[] {
    return [...(currentContext().authenticatedRoles ?? [])];
  }

  /** The role that authorized the current function ('' if none). */
  static get assumedRole(): string {
    return currentContext().assumedRole ?? '';
  }

  static isInWorkflow(): boolean {
    return workflowCodeState() !== undefined;
  }

  static isWithinWorkflow(): boolean {
    return currentContext().workflow !== undefined;
  }

  static isInStep(): boolean {
    return currentContext().step !== undefined;
  }

  /** The first workflow started inside `callback` gets this ID. */
  static withNextWorkflowID<R>(workflowID: string, callback: () => Promise<R>): Promise<R> {
    return runInContext({ ...currentContext(), assignedWorkflowID: { id: workflowID, used: false } }, callback);
  }

  /** Workflows started inside `callback` get this timeout; `null` detaches them from a parent's deadline. */
  static withWorkflowTimeout<R>(timeoutMS: number | null, callback: () => Promise<R>): Promise<R> {
    return runInContext({ ...currentContext(), workflowTimeoutMS: timeoutMS }, callback);
  }

  /** Workflows started or called inside `callback` (without a queueName of their own) are enqueued on this queue. */
  static withWorkflowQueue<R>(queueName: string, callback: () => Promise<R>): Promise<R> {
    if (typeof queueName !== 'string' || queueName === '') {
      throw new DBOSConfigurationError(`withWorkflowQueue needs a queue name, got ${JSON.stringify(queueName)}.`);
    }
    return runInContext({ ...currentContext(), workflowQueueName: queueName }, callback);
  }

  static withAuthedContext<R>(authenticatedUser: string, authenticatedRoles: string[], callback: () => Promise<R>): Promise<R> {
    return runInContext({ ...currentContext(), authenticatedUser, authenticatedRoles }, callback);
  }

  /** Run `callback` with these context options (next workflow ID, queue, auth, timeout); nested calls restore the outer values. */
  static async runWithContext<R>(options: DBOSContextOptions, callback: () => Promise<R>): Promise<R> {
    return runInContext(contextWithOptions(currentContext(), options), callback);
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
    return new DurableWorkflowHandle<Awaited<T>>(engineFor('DBOS.retrieveWorkflow'), workflowID);
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
    return awaitWorkflowResult<T>(engineFor('DBOS.getResult'), workflowID, resolved);
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

  // ---- messages, events, streams ----
  /** Send a message to a workflow; from outside a workflow, an idempotency key makes the send at-most-once. */
  static send<T>(destinationID: string, message: T, topic?: string, idempotencyKey?: string, options?: SendOptions): Promise<void> {
    return send(engineFor('DBOS.send'), destinationID, message, topic, idempotencyKey, options);
  }

  /** In workflow code: the oldest unconsumed message on `topic`, or null after the timeout (default 60 s). */
  static async recv<T>(topic?: string, options?: number | RecvOptions): Promise<T | null> {
    return recv<T>(topic, waitOptions('DBOS.recv', options)?.timeoutSeconds);
  }

  /** In workflow code: publish (or replace) this workflow's value for `key`. */
  static setEvent<T>(key: string, value: T, options?: SetEventOptions): Promise<void> {
    return setEvent(key, value, options);
  }

  /** Wait for a workflow's event value; null after the timeout (default 60 s). */
  static async getEvent<T>(workflowID: string, key: string, options?: number | GetEventOptions): Promise<T | null> {
    const timeoutSeconds = waitOptions('DBOS.getEvent', options)?.timeoutSeconds;
    return getEvent<T>(engineFor('DBOS.getEvent'), workflowID, key, timeoutSeconds);
  }

  /** Append a value to one of this workflow's streams. */
  static writeStream<T>(key: string, value: T, options?: WriteStreamOptions): Promise<void> {
    return writeStream(key, value, options);
  }

  /** Close one of this workflow's streams: readers end after its last value. */
  static closeStream(key: string): Promise<void> {
    return closeStream(key);
  }

  /** Every value of a workflow's stream from `offset`, in order, until it is closed or the workflow ends. */
  static readStream<T>(workflowID: string, key: string, options?: ReadStreamOptions): AsyncGenerator<T, void, undefined> {
    return readStream<T>(engineFor('DBOS.readStream'), workflowID, key, options);
  }

  /** The value at one offset of a workflow's stream, once written (recorded in workflow code). */
  static readStreamOffset<T>(workflowID: string, key: string, offset: number, options?: ReadStreamOffsetOptions): Promise<T> {
    return readStreamOffset<T>(engineFor('DBOS.readStreamOffset'), workflowID, key, offset, options);
  }

  // ---- time ----
  static sleepms(durationMS: number): Promise<void> {
    return durableSleep(durationMS);
  }

  static sleep(durationMS: number): Promise<void> {
    return durableSleep(durationMS);
  }

  static sleepSeconds(durationSec: number): Promise<void> {
    return durableSleep(durationSec * 1000);
  }

  static now(): Promise<number> {
    return recordedNow();
  }

  static randomUUID(): Promise<string> {
    return recordedRandomUUID();
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
