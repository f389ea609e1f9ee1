/**
 * DBOS.startWorkflow(instance).method(...args): start an instance-method
 * workflow of a ConfiguredInstance in the background, with the instance as
 * `this` (its name is recorded, so recovery finds it again). Started on an
 * object that is not a ConfiguredInstance, the start is refused by the engine.
 */
import { DBOSNotRegisteredError } from '../errors/errors.ts';
import type { StartWorkflowParams } from '../types/workflow-types.ts';
import { startWorkflow } from '../engine/start-workflow.ts';
import { registeredWorkflowOf } from './registration.ts';
import { engineFor } from './runtime.ts';

export function instanceStarter(instance: object, params: StartWorkflowParams | undefined): unknown {
  return new Proxy(instance, {
    get: (target, property) => {
      if (property === 'then') return undefined; // not a promise: `await` on the proxy itself is harmless
      const method: unknown = Reflect.get(target, property, target);
      if (typeof method !== 'function') {
        throw new DBOSNotRegisteredError(
          String(property),
          `DBOS.startWorkflow(instance).${String(property)}: ${target.constructor?.name ?? 'the object'} has no such method.`,
        );
      }
      const registration = registeredWorkflowOf(method);
      return (...args: unknown[]) =>
        startWorkflow(engineFor(`DBOS.startWorkflow(${registration.name})`), { registration, thisArg: target, args, params });
    },
  });
}
