/**
 * Registration: turns user functions into durable ones. A registered workflow
 * becomes an invoker that starts the workflow and awaits its result; a
 * registered step becomes a function that runs as a step inside workflow
 * code. Registrations are kept in the process-wide registry (decorators run at
 * import time, before any launch), which the Runtime reads at launch.
 */
import { DBOSConfigurationError, DBOSNotRegisteredError } from '../errors/errors.ts';
import type { FunctionName, StepConfig, WorkflowConfig } from '../types/workflow-types.ts';
import { Registry, type AnyFunction, type RegisteredStep, type RegisteredWorkflow } from '../engine/registry.ts';
import { retryPolicy } from '../engine/retry-policy.ts';
import { runStep } from '../engine/run-step.ts';
import { stepWorkflow } from '../engine/step-workflow.ts';
import { startWorkflow } from '../engine/start-workflow.ts';
import { engineFor } from './runtime.ts';

/** The process-wide registry: every workflow and step registered so far. */
export const registry = new Registry(stepWorkflow);

function requireName(fn: unknown, explicit: string | undefined, what: string): string {
  if (typeof fn !== 'function') throw new DBOSConfigurationError(`${what} must be a function, got ${typeof fn}.`);
  const name = explicit ?? fn.name;
  if (!name) {
    throw new DBOSConfigurationError(`${what} is an anonymous function: give it a name with { name: '...' }.`);
  }
  return name;
}

export function workflowInvoker(registration: RegisteredWorkflow): AnyFunction {
  return async function invokeWorkflow(this: unknown, ...args: unknown[]) {
    const engine = engineFor(`Workflow "${registration.name}"`);
    const handle = await startWorkflow(engine, { registration, thisArg: this, args });
    return handle.getResult();
  };
}

export function stepInvoker(registration: RegisteredStep): AnyFunction {
  return function invokeStep(this: unknown, ...args: unknown[]) {
    return runStep(registration.name, registration.config, () => registration.body.apply(this, args));
  };
}

export function registerWorkflow<This, Args extends unknown[], Return>(
  fn: (this: This, ...args: Args) => Promise<Return>,
  config: FunctionName & WorkflowConfig = {},
): (this: This, ...args: Args) => Promise<Return> {
  const registration: RegisteredWorkflow = {
    kind: 'workflow',
    name: requireName(fn, config.name, 'A workflow'),
    className: config.className ?? '',
    body: fn as AnyFunction,
    config,
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
    name: requireName(fn, config.name, 'A step'),
    className: config.className ?? '',
    body: fn as AnyFunction,
    config,
  };
  retryPolicy(config, registration.name); // reject bad retry options now, not at the first run
  const invoker = stepInvoker(registration);
  registry.addStep(registration, invoker, fn);
  return invoker as (this: This, ...args: Args) => Promise<Return>;
}

export function validateWorkflowConfig(registration: RegisteredWorkflow): void {
  const max = registration.config.maxRecoveryAttempts;
  if (max !== undefined && (!Number.isInteger(max) || max < 0)) {
    throw new DBOSConfigurationError(
      `Workflow "${registration.name}": maxRecoveryAttempts must be an integer >= 0, got ${max}.`,
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
