/**
 * `this` of a workflow run. A static method runs on its class; an instance
 * method runs on a configured instance, whose name is recorded with the
 * workflow (`config_name`) so that recovery and dequeue, which have only the
 * status row, find the same instance again. An instance method started on
 * anything else is refused before anything is written: its recovered run
 * would have no `this`.
 */
import { DBOSInvalidWorkflowTransitionError, DBOSNotRegisteredError } from '../errors/errors.ts';
import { qualifiedName, type Registry, type RegisteredWorkflow } from './registry.ts';

/** The configured-instance name to record for a start of `registration` on `thisArg` (null for non-instance methods). */
export function configNameForStart(registry: Registry, registration: RegisteredWorkflow, thisArg: unknown): string | null {
  if (!registration.isInstanceMethod) return null;
  const name = registry.instances.nameOf(thisArg);
  if (name !== undefined) return name;
  const workflow = `Workflow "${qualifiedName(registration.className, registration.name)}"`;
  if (typeof thisArg !== 'object' || thisArg === null) {
    throw new DBOSInvalidWorkflowTransitionError(
      `${workflow} is an instance method and was started without its instance (this is ${String(thisArg)}): ` +
        'call it on a ConfiguredInstance (instance.method(...)) or start it with DBOS.startWorkflow(instance).method(...).',
    );
  }
  const className = (thisArg as { constructor?: { name?: string } }).constructor?.name || 'Object';
  throw new DBOSInvalidWorkflowTransitionError(
    `${workflow} is an instance method of class ${className}, which does not extend ConfiguredInstance, ` +
      'so a recovered run could not find its `this`. Make the class extend ConfiguredInstance (each instance ' +
      'constructed with a unique name before DBOS.launch()), or make the method static.',
  );
}

/** `this` for a run of a recorded workflow: its class, or the configured instance its status row names. */
export function receiverForRecorded(registry: Registry, registration: RegisteredWorkflow, configName: string | null): unknown {
  if (!registration.isInstanceMethod) return registration.thisArg;
  const workflow = qualifiedName(registration.className, registration.name);
  const instance =
    configName !== null && registration.ownerClass ? registry.instances.find(registration.ownerClass, configName) : undefined;
  if (instance) return instance;
  throw new DBOSNotRegisteredError(
    workflow,
    configName === null
      ? `Workflow "${workflow}" is an instance method, but its status row names no configured instance to run it on.`
      : `Workflow "${workflow}" runs on configured instance "${configName}" of class ${registration.className}, ` +
          'which this process has not constructed: construct it (with that name) before DBOS.launch().',
  );
}
