/**
 * Registration: turns user functions into durable ones. A registered workflow
 * becomes an invoker that starts the workflow and awaits its result; a
 * registered step becomes a function that runs as a step inside workflow
 * code. Registrations are kept in the process-wide registry (decorators run at
 * import time, before any launch), which the Runtime reads at launch.
 */
import { DBOSConfigurationError, DBOSInvalidWorkflowTransitionError, DBOSNotRegisteredError } from '../errors/errors.ts';
import type { FunctionName, StepConfig, WorkflowConfig } from '../types/workflow-types.ts';
import {
  qualifiedName,
  type AnyFunction,
  type Registration,
  type RegisteredStep,
  type RegisteredWorkflow,
} from '../engine/registry.ts';
import { retryPolicy } from '../engine/retry-policy.ts';
import { runStep } from '../engine/run-step.ts';
import { stepWorkflow } from '../engine/step-workflow.ts';
import { startWorkflow } from '../engine/start-workflow.ts';
import { currentContext } from '../engine/workflow-context.ts';
import { engineFor } from './runtime.ts';

import { registry } from './process-registry.ts';

export { registry };

/** A value as an error message shows it: strings quoted, other values with their type. */
export function describeValue(value: unknown): string {
  if (typeof value === 'string') return JSON.stringify(value);
  if (typeof value === 'function') return `function ${value.name || '(anonymous)'}`;
  if (typeof value === 'object' && value !== null) return `an object (${value.constructor?.name ?? 'no prototype'})`;
  return `${String(value)} (${typeof value})`;
}

/**
 * The registered name: `{ name }`, else the function's own name. An anonymous function registers under '' as
 * in DBOS (a second anonymous workflow then conflicts with the first, as there).
 */
function registeredName(fn: unknown, explicit: string | undefined, what: string): string {
  if (typeof fn !== 'function') throw new DBOSConfigurationError(`${what} must be a function, got ${describeValue(fn)}.`);
  return explicit ?? fn.name;
}

/** Wrappers carry the registered function's name (`wrapper.name === 'myStep'`), as DBOS's do. */
export function named(wrapper: AnyFunction, name: string): AnyFunction {
  return Object.defineProperty(wrapper, 'name', { value: name, configurable: true });
}

export function workflowInvoker(registration: RegisteredWorkflow): AnyFunction {
  return named(async function invokeWorkflow(this: unknown, ...args: unknown[]) {
    const engine = engineFor(`Workflow "${registration.name}"`);
    assertStillRegistered(registration);
    const handle = await startWorkflow(engine, { registration, thisArg: this, args });
    return handle.getResult();
  }, registration.name);
}

export function stepInvoker(registration: RegisteredStep): AnyFunction {
  // async: a refusal rejects, like every other failure of a step call (runStep still starts synchronously).
  return named(async function invokeStep(this: unknown, ...args: unknown[]) {
    if (!currentContext().workflow) assertStepCallableOutsideWorkflow(registration);
    return runStep(registration.name, registration.config, () => registration.body.apply(this, args));
  }, registration.name);
}

/**
 * After DBOS.shutdown({ deregister: true }) an invoker made before it runs a
 * workflow that recovery and queues could no longer find: refuse it.
 */
export function assertStillRegistered(registration: Registration): void {
  if (registry.isRegistered(registration)) return;
  const name = qualifiedName(registration.className, registration.name);
  throw new DBOSNotRegisteredError(
    name,
    `${registration.kind === 'workflow' ? 'Workflow' : 'Step'} "${name}" was deregistered by ` +
      'DBOS.shutdown({ deregister: true }): register it again and call the function that registration returns.',
  );
}

/**
 * Outside a workflow a step is a plain call, which records nothing: refuse it
 * before launch (as DBOS does) and under withNextWorkflowID, whose ID it would
 * silently drop.
 */
function assertStepCallableOutsideWorkflow(registration: RegisteredStep): void {
  const step = `Step "${qualifiedName(registration.className, registration.name)}"`;
  engineFor(step);
  const assigned = currentContext().assignedWorkflowID;
  if (assigned && !assigned.used) {
    throw new DBOSInvalidWorkflowTransitionError(
      `${step} was called outside a workflow under DBOS.withNextWorkflowID(${JSON.stringify(assigned.id)}): ` +
        'a step called alone starts no workflow, so that ID would be lost. Call the step from a workflow, or ' +
        'start it as one with DBOS.startWorkflow(step)(...).',
    );
  }
}

/** DBOS.runStep: `fn` runs as a checkpointed step of the current workflow (outside one, it just runs). */
export async function runInlineStep<Return>(fn: () => Promise<Return>, config: StepConfig & { name?: string }): Promise<Return> {
  if (typeof fn !== 'function') {
    throw new DBOSConfigurationError(`DBOS.runStep needs a function to run as the step, got ${describeValue(fn)}.`);
  }
  // An anonymous function's step is named '' as in DBOS, so histories recorded by either replay in the other.
  return runStep(config.name ?? fn.name, config, fn);
}

/** Where decorator-free registration puts a method: `ctorOrProto` is a class (static) or a prototype (instance). */
function methodPlacement(config: FunctionName): Pick<RegisteredWorkflow, 'className' | 'isInstanceMethod' | 'ownerClass' | 'thisArg'> {
  const target = config.ctorOrProto;
  if (target === undefined || target === null) return { className: config.className ?? '' };
  const isInstanceMethod = typeof target !== 'function';
  const ownerClass = (isInstanceMethod ? (target as { constructor: Function }).constructor : target) as Function;
  return {
    className: config.className ?? registry.classNameOf(ownerClass),
    isInstanceMethod,
    ownerClass,
    thisArg: isInstanceMethod ? undefined : target,
  };
}

export function registerWorkflow<This, Args extends unknown[], Return>(
  fn: (this: This, ...args: Args) => Promise<Return>,
  config: FunctionName & WorkflowConfig = {},
): (this: This, ...args: Args) => Promise<Return> {
  const registration: RegisteredWorkflow = {
    kind: 'workflow',
    name: registeredName(fn, config.name, 'A workflow'),
    body: fn as AnyFunction,
    config,
    ...methodPlacement(config),
  };
  validateWorkflowConfig(registration);
  const invoker = workflowInvoker(registration);
  registry.addWorkflow(registration, invoker, fn);
  return invoker as (this: This, ...args: Args) => Promise<Return>;
}

export function registerStep<This, Args extends unknown[], Return>(
  fn: (this: This, ...args: Args) => Promise<Return>,
  config: StepConfig & FunctionName = {},
): (this: This, ...args: Args) => Promise<Return> {
  const registration: RegisteredStep = {
    kind: 'step',
    name: registeredName(fn, config.name, 'A step'),
    body: fn as AnyFunction,
    config,
    ...stepPlacement(config),
  };
  retryPolicy(config, registration.name); // reject bad retry options now, not at the first run
  const invoker = stepInvoker(registration);
  registry.addStep(registration, invoker, fn);
  return invoker as (this: This, ...args: Args) => Promise<Return>;
}

function stepPlacement(config: FunctionName): Pick<RegisteredStep, 'className' | 'isInstanceMethod' | 'ownerClass' | 'thisArg'> {
  return methodPlacement(config);
}

export function validateWorkflowConfig(registration: RegisteredWorkflow): void {
  const max = registration.config.maxRecoveryAttempts;
  if (max !== undefined && (!Number.isInteger(max) || max < 0)) {
    throw new DBOSConfigurationError(
      `Workflow "${registration.name}": maxRecoveryAttempts must be an integer >= 0, got ${max}.`,
    );
  }
  const schema = registration.config.inputSchema;
  if (schema !== undefined && typeof (schema as { parse?: unknown } | null)?.parse !== 'function') {
    throw new DBOSConfigurationError(
      `Workflow "${registration.name}": inputSchema must be an object with a parse(args) method (a Zod tuple, say).`,
    );
  }
}

/** The workflow a start targets: a registered workflow, or a registered step's one-step workflow. */
export function registeredWorkflowOf(target: unknown): RegisteredWorkflow {
  const registration = typeof target === 'function' ? registry.findByFunction(target) : undefined;
  if (registration?.kind === 'workflow') return registration;
  if (registration?.kind === 'step') return stepWorkflow(registration);
  throw new DBOSNotRegisteredError((target as { name?: string })?.name || String(target));
}

/** True for a class with registered static methods (workflows or steps), started as `startWorkflow(Class).method()`. */
export function hasStaticRegistrations(cls: object): boolean {
  return Object.getOwnPropertyNames(cls).some((key) => {
    const value = (cls as Record<string, unknown>)[key];
    return typeof value === 'function' && registry.findByFunction(value) !== undefined;
  });
}
