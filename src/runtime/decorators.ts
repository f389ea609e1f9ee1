/**
 * @DBOS.workflow() and @DBOS.step() on static class methods, in both
 * TypeScript flavours: legacy `experimentalDecorators` (target, key,
 * descriptor), as DBOS uses, and standard decorators (method, context). The
 * flavour is told apart at run time by the arguments received.
 */
import { DBOSConfigurationError } from '../errors/errors.ts';
import type { StepConfig, WorkflowConfig } from '../types/workflow-types.ts';
import { retryPolicy } from '../engine/retry-policy.ts';
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
      if (keyOrContext.static) {
        // The class is known only once it is defined: register then.
        keyOrContext.addInitializer(function (this: unknown) {
          const cls = this as { name: string };
          register(registration, cls.name, cls, invoker, body);
          // Transpilers that lower decorators may name the class `_X` until its definition ends.
          queueMicrotask(() => {
            if (registration.className !== cls.name) registry.rename(registration, cls.name);
          });
        });
      } else {
        if (registration.kind === 'workflow') {
          throw new DBOSConfigurationError(
            `@DBOS.workflow() on instance method "${registration.name}": decorate a static method instead.`,
          );
        }
        // Instance initializers run at every construction, maybe after launch: register once, now.
        register(registration, '', undefined, invoker, body);
        keyOrContext.addInitializer(function (this: unknown) {
          registration.className ||= (this as object).constructor.name;
        });
      }
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
    (body, methodName) => {
      const name = config.name ?? methodName;
      retryPolicy(config, name); // reject bad retry options at class definition
      return { kind: 'step', name, className: '', body, config };
    },
    (registration) => stepInvoker(registration as RegisteredStep),
  );
}
