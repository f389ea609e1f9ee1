/**
 * @DBOS.className('Alias'): the class is registered, and its workflows
 * recorded (`class_name`), under the alias instead of its JavaScript name, so
 * a class can be renamed (or minified) without orphaning its recorded
 * workflows. Works as a legacy `experimentalDecorators` class decorator and as
 * a standard one; method decorators run before it, so the methods already
 * registered under the class's own name are renamed here.
 */
import { DBOSConfigurationError } from '../errors/errors.ts';
import { describeValue, registry } from './registration.ts';
import { isStandardContext } from './decorators.ts';

export function classNameDecorator(alias: string): (cls: unknown, context?: unknown) => void {
  if (typeof alias !== 'string' || alias.length === 0) {
    throw new DBOSConfigurationError(`DBOS.className needs a non-empty class name, got ${describeValue(alias)}.`);
  }
  return (cls, context) => {
    if (typeof cls !== 'function' || (isStandardContext(context) && context.kind !== 'class')) {
      throw new DBOSConfigurationError(`@DBOS.className('${alias}') applies to a class, not to ${describeValue(cls)}.`);
    }
    registry.setClassAlias(cls, alias);
    renameRegisteredMethods(cls, alias);
    // Standard static methods register in initializers that may run after class decorators.
    if (isStandardContext(context)) context.addInitializer(() => renameRegisteredMethods(cls, alias));
  };
}

function renameRegisteredMethods(cls: Function, alias: string): void {
  for (const holder of [cls, cls.prototype as object]) {
    for (const key of Object.getOwnPropertyNames(holder)) {
      const value: unknown = Object.getOwnPropertyDescriptor(holder, key)?.value;
      const registration = typeof value === 'function' && value !== cls ? registry.findByFunction(value) : undefined;
      if (!registration || registration.className === alias) continue;
      registry.rename(registration, alias, registration.isInstanceMethod ? cls : undefined);
    }
  }
}
