/**
 * Every durably error class, by name, so errors recorded in the system database are revived with their class
 * (engine/serialization.ts sets the prototype; no constructor runs, so revival does not depend on arity).
 * A class missing here comes back as a plain Error: test/engine/serialization.test.ts checks every export.
 */
import { DBOSError } from './dbos-error.ts';
import * as legacy from './dbos-legacy-errors.ts';
import * as queueStream from './dbos-queue-stream-errors.ts';
import * as workflow from './dbos-workflow-errors.ts';
import * as durably from './durably-errors.ts';
import * as faults from './system-database-fault-errors.ts';
import * as dataSource from './data-source-errors.ts';
import * as admin from './admin-errors.ts';

type ErrorClass = new (...args: never[]) => DBOSError;

function classesOf(module: Record<string, unknown>): Record<string, ErrorClass> {
  const classes: Record<string, ErrorClass> = {};
  for (const [name, value] of Object.entries(module)) {
    if (typeof value === 'function' && value.prototype instanceof DBOSError) classes[name] = value as ErrorClass;
  }
  return classes;
}

export const durablyErrorClasses: Record<string, ErrorClass> = {
  DBOSError,
  ...classesOf(workflow),
  ...classesOf(queueStream),
  ...classesOf(legacy),
  ...classesOf(durably),
  ...classesOf(faults),
  ...classesOf(dataSource),
  ...classesOf(admin),
};
