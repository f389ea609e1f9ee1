/**
 * Configured instances (DBOS's ConfiguredInstance): objects whose methods are
 * workflows, registered by their class and a name before launch. A workflow
 * run on one records the name (`config_name`), so recovery and dequeue can
 * find the same object again and run the method with it as `this`.
 */
import { DBOSConflictingRegistrationError } from '../errors/errors.ts';

/** What the registry needs of a configured instance (runtime/configured-instance.ts defines the class). */
export interface ConfiguredInstanceLike {
  readonly name: string;
  initialize(): Promise<void>;
}

export class InstanceRegistry {
  /** By each instance's own class (its constructor), then by name. */
  private readonly byClass = new Map<Function, Map<string, ConfiguredInstanceLike>>();
  private names = new WeakMap<object, string>();

  add(cls: Function, className: string, instance: ConfiguredInstanceLike): void {
    let byName = this.byClass.get(cls);
    if (!byName) this.byClass.set(cls, (byName = new Map()));
    if (byName.has(instance.name)) {
      throw new DBOSConflictingRegistrationError(
        `Class ${className} already has a configured instance named "${instance.name}": ` +
          'instance names must be unique within a class, since recovery finds instances by name.',
      );
    }
    byName.set(instance.name, instance);
    this.names.set(instance, instance.name);
  }

  /** The registered name of `value`, if it is a configured instance. */
  nameOf(value: unknown): string | undefined {
    return typeof value === 'object' && value !== null ? this.names.get(value) : undefined;
  }

  /**
   * The instance named `configName` that an instance method of `ownerClass`
   * runs on: one of that very class first, else one of a subclass.
   */
  find(ownerClass: Function, configName: string): ConfiguredInstanceLike | undefined {
    const exact = this.byClass.get(ownerClass)?.get(configName);
    if (exact) return exact;
    for (const byName of this.byClass.values()) {
      const candidate = byName.get(configName);
      if (candidate instanceof ownerClass) return candidate;
    }
    return undefined;
  }

  /** Forget every instance (DBOS.shutdown({ deregister: true })). */
  clear(): void {
    this.byClass.clear();
    this.names = new WeakMap();
  }

  all(): ConfiguredInstanceLike[] {
    return [...this.byClass.values()].flatMap((byName) => [...byName.values()]);
  }
}
