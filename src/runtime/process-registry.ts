/**
 * The process-wide registry: every workflow, step and configured instance
 * registered so far (decorators run at import time, before any launch). In a
 * module of its own so that shutdown (runtime.ts) can clear it for
 * `deregister` without importing registration.ts, which imports runtime.ts.
 */
import { Registry } from '../engine/registry.ts';
import { stepWorkflow } from '../engine/step-workflow.ts';

export const registry = new Registry(stepWorkflow);
