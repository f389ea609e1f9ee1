/**
 * DBOS's registration info for event receivers (Kafka, SQS, ...): a receiver attaches an info object of its
 * own to a class (associateClassWithInfo) or a function (associateFunctionWithInfo), typically from its
 * decorators, and at launch enumerates what it configured (getAssociatedInfo) to subscribe and invoke.
 *
 * Info is kept by function, not by registration, because a receiver's decorator may run before the function
 * is registered as a workflow (below @DBOS.workflow) or after (above it): the registry is asked at lookup
 * time what each function has become. Process-wide like the registry; forgotten with it (deregister).
 */
import { DBOSConfigurationError } from '../errors/errors.ts';
import type { AnyFunction, Registration } from '../engine/registry.ts';
import type { ExternalRegistration, MethodRegistrationBase } from '../types/lifecycle-types.ts';
import type { FunctionName } from '../types/workflow-types.ts';
import { registry } from './process-registry.ts';

/** A class as a receiver names it: its constructor, an instance's prototype, or the registered class name. */
type ClassReference = Function | object | string;

interface AssociatedFunction {
  readonly func: Function;
  readonly name: string;
  readonly className: string;
  readonly ownerClass: Function | undefined;
  readonly infos: Map<unknown, object>;
}

const functions = new Map<Function, AssociatedFunction>();
/** Class info by receiver, for classes named by constructor and by name. */
const classInfoByConstructor = new Map<Function, Map<unknown, object>>();
const classInfoByName = new Map<string, Map<unknown, object>>();

function infoFor<K>(map: Map<K, Map<unknown, object>>, key: K, external: unknown): object {
  let byExternal = map.get(key);
  if (!byExternal) map.set(key, (byExternal = new Map()));
  let info = byExternal.get(external);
  if (!info) byExternal.set(external, (info = {}));
  return info;
}

/** A registration's class: known for instance methods, and for static methods as their `this`. */
function ownerClassOf(registration: Registration | undefined): Function | undefined {
  if (!registration) return undefined;
  return registration.ownerClass ?? (typeof registration.thisArg === 'function' ? registration.thisArg : undefined);
}

function constructorOf(reference: object): Function {
  return typeof reference === 'function' ? reference : (reference as { constructor: Function }).constructor;
}

export function associateClassWithInfo(external: unknown, cls: ClassReference): object {
  if (typeof cls === 'string') return infoFor(classInfoByName, cls, external);
  if (cls === null || (typeof cls !== 'function' && typeof cls !== 'object')) {
    throw new DBOSConfigurationError(`associateClassWithInfo: expected a class or a class name, got ${String(cls)}.`);
  }
  return infoFor(classInfoByConstructor, constructorOf(cls), external);
}

export function associateFunctionWithInfo(
  external: unknown,
  func: Function,
  target: FunctionName = {},
): { registration: MethodRegistrationBase; regInfo: object } {
  if (typeof func !== 'function') {
    const found = func === null ? 'null' : typeof func;
    throw new DBOSConfigurationError(`associateFunctionWithInfo: expected a function, got ${found}.`);
  }
  let entry = functions.get(func);
  if (!entry) {
    const registration = registry.findByFunction(func);
    const ownerClass = target.ctorOrProto ? constructorOf(target.ctorOrProto) : ownerClassOf(registration);
    const className = target.className ?? (ownerClass ? registry.classNameOf(ownerClass) : registration?.className ?? '');
    const name = target.name ?? registration?.name ?? func.name;
    entry = { func, name, className, ownerClass, infos: new Map() };
    functions.set(func, entry);
  }
  let regInfo = entry.infos.get(external);
  if (!regInfo) entry.infos.set(external, (regInfo = {}));
  return { registration: methodRegistration(entry), regInfo };
}

/** The registration a receiver sees: read through to the registry, since registration may come later. */
function methodRegistration(entry: AssociatedFunction): MethodRegistrationBase {
  const current = (): Registration | undefined => registry.findByFunction(entry.func);
  const callable = (): Function => (current() && (registry.invokerOf(current()!) as Function | undefined)) ?? entry.func;
  return {
    get name() {
      return current()?.name ?? entry.name;
    },
    get className() {
      return current()?.className || entry.className;
    },
    get workflowConfig() {
      const registration = current();
      return registration?.kind === 'workflow' ? registration.config : undefined;
    },
    get stepConfig() {
      const registration = current();
      return registration?.kind === 'step' ? registration.config : undefined;
    },
    get isInstance() {
      return current()?.isInstanceMethod === true;
    },
    externalRegInfo: entry.infos,
    get registeredFunction() {
      return callable();
    },
    get wrappedFunction() {
      return callable();
    },
    get origFunction() {
      return (current()?.body as AnyFunction | undefined) ?? entry.func;
    },
    invoke: (pthis: unknown, args: unknown[]) => callable().apply(pthis, args),
  };
}

/** Every function or registered operation `external` configured (itself or through its class), optionally narrowed. */
export function getAssociatedInfo(external: unknown, cls?: ClassReference, funcName?: string): readonly ExternalRegistration[] {
  const found: ExternalRegistration[] = [];
  const seen = new Set<Function>();
  const add = (func: Function, entry: AssociatedFunction | undefined, view: () => MethodRegistrationBase) => {
    if (seen.has(func)) return;
    const registration = registry.findByFunction(func);
    const className = registration?.className || entry?.className || '';
    const ownerClass = ownerClassOf(registration) ?? entry?.ownerClass;
    const name = registration?.name ?? entry?.name ?? func.name;
    if (!matchesClass(cls, className, ownerClass) || (funcName !== undefined && name !== funcName)) return;
    const methodConfig = entry?.infos.get(external);
    const classConfig = classInfo(external, className, ownerClass);
    if (methodConfig === undefined && classConfig === undefined) return;
    seen.add(func);
    if (registration) seen.add(registration.body);
    found.push({ methodReg: view(), methodConfig, classConfig: classConfig ?? {} });
  };
  for (const entry of functions.values()) add(entry.func, entry, () => methodRegistration(entry));
  // Operations configured only through their class.
  for (const registration of registry.allRegistrations()) {
    const invoker = registry.invokerOf(registration) as Function | undefined;
    if (!invoker || seen.has(registration.body)) continue;
    const entry: AssociatedFunction = {
      func: invoker,
      name: registration.name,
      className: registration.className,
      ownerClass: ownerClassOf(registration),
      infos: new Map(),
    };
    add(invoker, undefined, () => methodRegistration(entry));
  }
  return found;
}

function matchesClass(cls: ClassReference | undefined, className: string, ownerClass: Function | undefined): boolean {
  if (cls === undefined) return true;
  if (typeof cls === 'string') return cls === className;
  return constructorOf(cls) === ownerClass;
}

function classInfo(external: unknown, className: string, ownerClass: Function | undefined): object | undefined {
  const byConstructor = ownerClass ? classInfoByConstructor.get(ownerClass)?.get(external) : undefined;
  return byConstructor ?? (className ? classInfoByName.get(className)?.get(external) : undefined);
}

/** DBOS.shutdown({ deregister: true }): forget every association. */
export function clearAssociatedInfo(): void {
  functions.clear();
  classInfoByConstructor.clear();
  classInfoByName.clear();
}
