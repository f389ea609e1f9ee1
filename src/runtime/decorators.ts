/**
 * @DBOS.workflow() and @DBOS.step() on static class methods, in both
 * TypeScript flavours: legacy `experimentalDecorators` (target, key,
 * descriptor), as DBOS uses, and standard decorators (method, context). The
 * flavour is told apart at run time by the arguments received.
 */
import { DBOSConfigurationError } from '../api/errors.ts';
import type { StepConfig, WorkflowConfig } from '../api/workflow-types.ts';
import type { AnyFunction, RegisteredStep, RegisteredWorkflow } from '../engine/registry.ts';
import { registry, stepInvoker, validateWorkflowConfig, workflowInvoker } from './registration.ts';

type LegacyOrStandardDecorator = (target: unknown, keyOrContext: unknown, descriptor?: PropertyDescriptor) => any;

function isStandardContext(value: unknown): value is ClassMethodDecoratorContext {
  return typeof value === 'object' && value !== null && 'kind' in value && 'addInitializer' in value;
}

function methodDecorator(
  describe: (body: AnyFunction, methodName: string) => RegisteredWorkflow | RegisteredStep,
  invokerFor: (registration: RegisteredWorkflow | RegisteredStep) => AnyFunction,
): LegacyOrStandardDecorator {
  return (target, keyOrContext, descriptor) => {
    if (isStandardContext(keyOrContext)) {
      if (keyOrContext.kind !== 'method') {
        throw new DBOSConfigurationError(`DBOS decorators apply to methods, not to a ${keyOrContext.kind}.`);
      }
      const body = target as AnyFunction;
      const registration = describe(body, String(keyOrContext.name));
      const invoker = invokerFor(registration);
      const isStatic = keyOrContext.static;
      // The class is known only once it is defined: register then.
      keyOrContext.addInitializer(function (this: unknown) {
        const cls = (isStatic ? this : (this as object).constructor) as { name: string };
        register(registration, cls.name, isStatic ? cls : undefined, invoker, body);
      });
      return invoker;
    }
    if (!descriptor || typeof descriptor.value !== 'function') {
      throw new DBOSConfigurationError(`DBOS decorators apply to methods; "${String(keyOrContext)}" is not one.`);
    }
    const isStatic = typeof target === 'function';
    const cls = (isStatic ? target : (target as object).constructor) as { name: string };
    const body = descriptor.value as AnyFunction;
    const registration = describe(body, String(keyOrContext));
    const invoker = invokerFor(registration);
    register(registration, cls.name, isStatic ? cls : undefined, invoker, body);
    descriptor.value = invoker;
    return descriptor;
  };
}

function register(
  registration: RegisteredWorkflow | RegisteredStep,
  className: string,
  thisArg: unknown,
  invoker: AnyFunction,
  body: AnyFunction,
): void {
  registration.className = className;
  if (registration.kind === 'workflow') {
    registration.thisArg = thisArg;
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
    (body, methodName) => ({ kind: 'step', name: config.name ?? methodName, className: '', body, config }),
    (registration) => stepInvoker(registration as RegisteredStep),
  );
}
