/**
 * @DBOS.workflow() and @DBOS.step() on class methods, in both TypeScript
 * flavours: legacy `experimentalDecorators` (target, key, descriptor), as DBOS
 * uses, and standard decorators (method, context). The flavour is told apart at
 * run time by the arguments received. Instance methods are registered too: a
 * workflow one runs on a ConfiguredInstance (refused on anything else when
 * called, as DBOS does).
 */
import { DBOSConfigurationError } from '../errors/errors.ts';
import type { StepConfig, WorkflowConfig } from '../types/workflow-types.ts';
import { retryPolicy } from '../engine/retry-policy.ts';
import type { AnyFunction, Registration, RegisteredStep, RegisteredWorkflow } from '../engine/registry.ts';
import { decoratedStepInvoker } from './decorated-step.ts';
import { registry, validateWorkflowConfig, workflowInvoker } from './registration.ts';

type LegacyOrStandardDecorator = (target: unknown, keyOrContext: unknown, descriptor?: PropertyDescriptor) => any;

export function isStandardContext(value: unknown): value is DecoratorContext {
  return typeof value === 'object' && value !== null && 'kind' in value && 'addInitializer' in value;
}

function methodDecorator(
  describe: (body: AnyFunction, methodName: string) => Registration,
  invokerFor: (registration: Registration) => AnyFunction,
): LegacyOrStandardDecorator {
  return (target, keyOrContext, descriptor) => {
    if (isStandardContext(keyOrContext)) {
      if (keyOrContext.kind !== 'method') {
        throw new DBOSConfigurationError(`DBOS decorators apply to methods, not to a ${keyOrContext.kind}.`);
      }
      const body = target as AnyFunction;
      const registration = describe(body, String(keyOrContext.name));
      const invoker = invokerFor(registration);
      if (keyOrContext.static) registerStandardStatic(registration, keyOrContext, invoker, body);
      else registerStandardInstance(registration, keyOrContext, invoker, body);
      return invoker;
    }
    if (!descriptor || typeof descriptor.value !== 'function') {
      throw new DBOSConfigurationError(`DBOS decorators apply to methods; "${String(keyOrContext)}" is not one.`);
    }
    const isStatic = typeof target === 'function';
    const cls = (isStatic ? target : (target as object).constructor) as Function;
    const body = descriptor.value as AnyFunction;
    const registration = describe(body, String(keyOrContext));
    const invoker = invokerFor(registration);
    registration.isInstanceMethod = !isStatic;
    if (!isStatic) registration.ownerClass = cls;
    register(registration, registry.classNameOf(cls), isStatic ? cls : undefined, invoker, body);
    descriptor.value = invoker;
    return descriptor;
  };
}

function registerStandardStatic(
  registration: Registration,
  context: ClassMethodDecoratorContext,
  invoker: AnyFunction,
  body: AnyFunction,
): void {
  // The class is known only once it is defined: register then.
  context.addInitializer(function (this: unknown) {
    const cls = this as Function;
    register(registration, registry.classNameOf(cls), cls, invoker, body);
    // Transpilers that lower decorators may name the class `_X` until its definition ends.
    queueMicrotask(() => {
      if (registration.className !== registry.classNameOf(cls)) registry.rename(registration, registry.classNameOf(cls));
    });
  });
}

function registerStandardInstance(
  registration: Registration,
  context: ClassMethodDecoratorContext,
  invoker: AnyFunction,
  body: AnyFunction,
): void {
  registration.isInstanceMethod = true;
  // Instance initializers run at every construction, maybe after launch: register once, now, and learn
  // the class at the first construction (or from DBOS.className), before launch for a ConfiguredInstance.
  if (registration.kind === 'workflow') registry.addUnboundWorkflow(registration, invoker, body);
  else registry.addStep(registration, invoker, body);
  context.addInitializer(function (this: unknown) {
    if (registration.ownerClass) return;
    const owner = ownerClassOf(this as object, context.name, invoker);
    registry.rename(registration, registry.classNameOf(owner), owner);
  });
}

/** The class whose prototype holds `method` as `key` (a subclass instance may be the one constructed). */
function ownerClassOf(instance: object, key: PropertyKey, method: AnyFunction): Function {
  for (let proto = Object.getPrototypeOf(instance); proto; proto = Object.getPrototypeOf(proto)) {
    if (Object.getOwnPropertyDescriptor(proto, key)?.value === method) return proto.constructor as Function;
  }
  return instance.constructor;
}

function register(registration: Registration, className: string, thisArg: unknown, invoker: AnyFunction, body: AnyFunction): void {
  registration.className = className;
  registration.thisArg = thisArg; // a static method's class: `this` of a recovered run (a step's one-step workflow too)
  if (registration.kind === 'workflow') {
    registry.addWorkflow(registration, invoker, body);
  } else {
    registry.addStep(registration, invoker, body);
  }
}

export function workflowDecorator(config: WorkflowConfig = {}): LegacyOrStandardDecorator {
  return methodDecorator(
    (body, methodName) => {
      const registration: RegisteredWorkflow = { kind: 'workflow', name: config.name ?? methodName, className: '', body, config };
      validateWorkflowConfig(registration);
      return registration;
    },
    (registration) => workflowInvoker(registration as RegisteredWorkflow),
  );
}

export function stepDecorator(config: StepConfig = {}): LegacyOrStandardDecorator {
  return methodDecorator(
    (body, methodName) => {
      const name = config.name ?? methodName;
      retryPolicy(config, name); // reject bad retry options at class definition
      return { kind: 'step', name, className: '', body, config };
    },
    (registration) => decoratedStepInvoker(registration as RegisteredStep),
  );
}
