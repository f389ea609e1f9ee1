/**
 * The engine's lookup table: registered workflows and steps, by name (for
 * recovery, which has only the name recorded in the database) and by function
 * (for DBOS.startWorkflow(fn), which has the invoker in hand); configured
 * instances by class and name (for recovery of their instance methods); class
 * name aliases (DBOS.className).
 */
import { DBOSConflictingRegistrationError } from '../errors/errors.ts';
import type { StepConfig, WorkflowConfig } from '../types/workflow-types.ts';
import { InstanceRegistry, type ConfiguredInstanceLike } from './instance-registry.ts';

export type AnyFunction = (this: unknown, ...args: unknown[]) => Promise<unknown>;

export interface RegisteredWorkflow {
  readonly kind: 'workflow';
  name: string;
  /** '' when the workflow is not a class method (stored as NULL). */
  className: string;
  readonly body: AnyFunction;
  readonly config: WorkflowConfig;
  /** `this` for a recovered run (a decorated static method's class). */
  thisArg?: unknown;
  /** An instance method: runs with a configured instance as `this`, found again by its name on recovery. */
  isInstanceMethod?: boolean;
  /** The class whose prototype holds an instance method, once known. */
  ownerClass?: Function;
}

export interface RegisteredStep {
  readonly kind: 'step';
  name: string;
  className: string;
  readonly body: AnyFunction;
  readonly config: StepConfig;
  /** `this` of a recovered one-step workflow (a static method's class). */
  thisArg?: unknown;
  isInstanceMethod?: boolean;
  ownerClass?: Function;
}

export type Registration = RegisteredWorkflow | RegisteredStep;

/** WorkflowConfig.maxRecoveryAttempts when not given (DBOS's default). */
export const defaultMaxRecoveryAttempts = 100;

/** DBOS's name for a step started as a workflow: `temp_workflow-step-<step name>`. */
export const stepWorkflowPrefix = 'temp_workflow-step-';

/** The step's name, if `workflowName` names a step's one-step workflow. */
export function stepNameOf(workflowName: string): string | undefined {
  return workflowName.startsWith(stepWorkflowPrefix) ? workflowName.slice(stepWorkflowPrefix.length) : undefined;
}

/** Builds a registered step's one-step workflow; injected so the registry stays a leaf of the engine. */
export type StepWorkflowFactory = (step: RegisteredStep) => RegisteredWorkflow;

export function qualifiedName(className: string, name: string): string {
  return className ? `${className}.${name}` : name;
}

export class Registry {
  private readonly workflows = new Map<string, RegisteredWorkflow>();
  /** Instance-method workflows whose class is not known yet (standard decorators learn it at the first construction). */
  private readonly unboundWorkflows = new Set<RegisteredWorkflow>();
  private byFunction = new WeakMap<object, Registration>();
  /** The function users call for each registration (the first function it was added with). */
  private invokers = new WeakMap<Registration, object>();
  /** Every registration made since the last clear(): an invoker whose registration was cleared is stale. */
  private registered = new WeakSet<Registration>();
  /** Every registered step, for the lookup of their one-step workflows (class names may change after registration). */
  private readonly steps = new Set<RegisteredStep>();
  private readonly classAliases = new WeakMap<Function, string>();
  readonly instances = new InstanceRegistry();
  private frozenReason: string | undefined;

  constructor(private readonly stepWorkflow: StepWorkflowFactory) {}

  addWorkflow(registration: RegisteredWorkflow, ...functions: object[]): void {
    this.assertOpen(registration);
    this.keyWorkflow(registration);
    this.registered.add(registration);
    this.rememberInvoker(registration, functions);
    for (const fn of functions) this.byFunction.set(fn, registration);
  }

  /** An instance-method workflow whose class is learned later (see `rename`). */
  addUnboundWorkflow(registration: RegisteredWorkflow, ...functions: object[]): void {
    this.assertOpen(registration);
    this.unboundWorkflows.add(registration);
    this.registered.add(registration);
    this.rememberInvoker(registration, functions);
    for (const fn of functions) this.byFunction.set(fn, registration);
  }

  private keyWorkflow(registration: RegisteredWorkflow): void {
    const key = qualifiedName(registration.className, registration.name);
    const existing = this.workflows.get(key);
    if (existing && existing !== registration && existing.body !== registration.body) {
      throw new DBOSConflictingRegistrationError(
        `A different workflow is already registered as "${key}". Give one of them another name ({ name }).`,
      );
    }
    this.workflows.set(key, registration);
  }

  addStep(registration: RegisteredStep, ...functions: object[]): void {
    this.assertOpen(registration);
    this.steps.add(registration);
    this.registered.add(registration);
    this.rememberInvoker(registration, functions);
    for (const fn of functions) this.byFunction.set(fn, registration);
  }

  /** Decorators learn a method's class (and DBOS.className its alias) only after registering it. */
  rename(registration: Registration, className: string, ownerClass?: Function): void {
    if (ownerClass) registration.ownerClass = ownerClass;
    if (registration.kind === 'step') {
      registration.className = className;
      return;
    }
    const oldKey = qualifiedName(registration.className, registration.name);
    if (this.workflows.get(oldKey) === registration) this.workflows.delete(oldKey);
    this.unboundWorkflows.delete(registration);
    registration.className = className;
    this.keyWorkflow(registration);
  }

  /** The name a class is registered under: its DBOS.className alias, else its own name. */
  classNameOf(cls: Function): string {
    return this.classAliases.get(cls) ?? cls.name;
  }

  setClassAlias(cls: Function, alias: string): void {
    this.classAliases.set(cls, alias);
  }

  /** A configured instance, by its own class; refused after launch, when recovery could no longer find it. */
  addInstance(cls: Function, instance: ConfiguredInstanceLike): void {
    const className = this.classNameOf(cls);
    if (this.frozenReason) {
      throw new DBOSConflictingRegistrationError(
        `Cannot construct configured instance "${instance.name}" of class ${className}: ${this.frozenReason}. ` +
          'Construct every ConfiguredInstance before DBOS.launch(), so recovery can find it.',
      );
    }
    this.instances.add(cls, className, instance);
  }

  /** A registered workflow, or a registered step's one-step workflow (`temp_workflow-step-<name>`). */
  findWorkflow(className: string | null, name: string): RegisteredWorkflow | undefined {
    const workflow = this.workflows.get(qualifiedName(className ?? '', name));
    if (workflow) return workflow;
    const stepName = stepNameOf(name);
    return stepName === undefined ? undefined : this.findStepWorkflow(className ?? '', stepName);
  }

  private findStepWorkflow(className: string, stepName: string): RegisteredWorkflow | undefined {
    // The latest registration wins when two steps share a name, as calls by name would.
    let found: RegisteredStep | undefined;
    for (const step of this.steps) if (step.name === stepName && step.className === className) found = step;
    return found && this.stepWorkflow(found);
  }

  findByFunction(fn: object): Registration | undefined {
    return this.byFunction.get(fn);
  }

  private rememberInvoker(registration: Registration, functions: object[]): void {
    if (functions[0] && !this.invokers.has(registration)) this.invokers.set(registration, functions[0]);
  }

  /** The function users call for `registration` (what registerWorkflow returned, or the decorated method). */
  invokerOf(registration: Registration): object | undefined {
    return this.invokers.get(registration);
  }

  /** Every registered workflow and step (event receivers enumerate them to find the ones they configured). */
  allRegistrations(): Registration[] {
    return [...this.allWorkflows(), ...this.steps];
  }

  allWorkflows(): RegisteredWorkflow[] {
    return [...this.workflows.values(), ...this.unboundWorkflows];
  }

  /** False once DBOS.shutdown({ deregister: true }) has forgotten `registration`. */
  isRegistered(registration: Registration): boolean {
    return this.registered.has(registration);
  }

  /**
   * DBOS.shutdown({ deregister: true }): forget every workflow, step and
   * configured instance, so that the same names can be registered again.
   * Class aliases stay: they belong to class definitions, whose
   * DBOS.className decorator does not run again.
   */
  clear(): void {
    this.workflows.clear();
    this.unboundWorkflows.clear();
    this.steps.clear();
    this.byFunction = new WeakMap();
    this.invokers = new WeakMap();
    this.registered = new WeakSet();
    this.instances.clear();
  }

  /** After launch, new registrations would be invisible to recovery: refuse them. */
  freeze(reason: string): void {
    this.frozenReason = reason;
  }

  unfreeze(): void {
    this.frozenReason = undefined;
  }

  private assertOpen(registration: Registration): void {
    if (this.frozenReason) {
      throw new DBOSConflictingRegistrationError(
        `Cannot register ${registration.kind} "${qualifiedName(registration.className, registration.name)}": ` +
          `${this.frozenReason}. Register every workflow and step before DBOS.launch().`,
      );
    }
  }
}
