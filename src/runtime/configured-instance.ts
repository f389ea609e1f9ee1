/**
 * DBOS's ConfiguredInstance: the base class of objects whose instance methods
 * are workflows. Each instance has a name, unique within its class, and is
 * registered when constructed, before DBOS.launch(), so that recovery and
 * dequeue can find it again by (class, name) and run a recorded workflow with
 * it as `this`. DBOS.launch() awaits every instance's `initialize()` before it
 * recovers anything.
 */
import { DBOSConfigurationError } from '../errors/errors.ts';
import { describeValue, registry } from './registration.ts';

export abstract class ConfiguredInstance {
  readonly name: string;

  constructor(name: string) {
    if (typeof name !== 'string' || name.length === 0) {
      throw new DBOSConfigurationError(
        `A ConfiguredInstance of class ${new.target.name} needs a non-empty name, got ${describeValue(name)}.`,
      );
    }
    this.name = name;
    registry.addInstance(new.target, this);
  }

  /** Override for asynchronous set-up (validate the configuration, open clients): called by DBOS.launch(). */
  initialize(): Promise<void> {
    return Promise.resolve();
  }
}
