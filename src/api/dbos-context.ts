/**
 * The context part of the DBOS facade (DBOS inherits these static members):
 * what code can ask about where it runs (workflow ID, step, user and roles),
 * and the scopes that shape the workflows started inside them (next ID,
 * timeout, queue, user). One-line delegations to the engine's context.
 */
import { DBOSConfigurationError } from '../errors/errors.ts';
import type { DBOSContextOptions, HTTPRequest, StepStatus } from '../types/workflow-types.ts';
import type { JSONValue, SerializationRecipe } from '../types/serialization-types.ts';
import { contextWithOptions } from '../engine/context-options.ts';
import { currentContext, requestOf, runInContext, workflowCodeState } from '../engine/workflow-context.ts';
import { registerSerialization } from '../runtime/register-serialization.ts';
import type { Span } from '../telemetry/tracing.ts';

export class DBOSContext {

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

  /** durably's current span (workflow, step, transaction or HTTP request); undefined unless tracing is on. */
  static get span(): Span | undefined {
    return currentContext().span;
  }

  /** The function ID of the current step or transaction. */
  static get stepID(): number | undefined {
    const context = currentContext();
    return context.step?.functionID ?? context.transaction?.functionID;
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

  /** The HTTP request being handled (set by durably's framework adapters, restored in its workflows), or undefined. */
  static requestObject(): object | undefined {
    return requestOf(currentContext());
  }

  static getRequest(): HTTPRequest | undefined {
    return requestOf(currentContext());
  }

  /** The HTTP request being handled; throws outside one. */
  static get request(): HTTPRequest {
    const request = requestOf(currentContext());
    if (!request) throw new DBOSConfigurationError('DBOS.request: not inside an HTTP request (use DBOS.getRequest() to test for one).');
    return request;
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

  /** Inside a datasource transaction (durably/node-pg-datasource, durably/sqlite-datasource, ...). */
  static isInTransaction(): boolean {
    return currentContext().transaction !== undefined;
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
}
