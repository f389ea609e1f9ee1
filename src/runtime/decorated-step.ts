/**
 * A @DBOS.step() method, as DBOS runs it. Inside a workflow (or inside one of
 * its steps) it is a step of that workflow, exactly like a registerStep
 * function. Called anywhere else it runs as its one-step workflow
 * `temp_workflow-step-<name>` (engine/step-workflow.ts), so it is still
 * checkpointed: it takes the pending withNextWorkflowID (else a random ID),
 * and the same ID again, from this or another process, returns the recorded
 * outcome without running the step again.
 *
 * registerStep and runStep functions stay plain calls outside a workflow, as
 * in DBOS: only the decorator gets this treatment.
 */
import type { AnyFunction, RegisteredStep } from '../engine/registry.ts';
import { qualifiedName } from '../engine/registry.ts';
import { runStep } from '../engine/run-step.ts';
import { startWorkflow } from '../engine/start-workflow.ts';
import { stepWorkflow } from '../engine/step-workflow.ts';
import { currentContext } from '../engine/workflow-context.ts';
import { assertStillRegistered, named } from './registration.ts';
import { engineFor } from './runtime.ts';

export function decoratedStepInvoker(registration: RegisteredStep): AnyFunction {
  return named(async function invokeDecoratedStep(this: unknown, ...args: unknown[]) {
    // Inside a workflow: the same single context read and step call as any registered step (the hot path).
    if (currentContext().workflow) return runStep(registration.name, registration.config, () => registration.body.apply(this, args));
    return runAsStepWorkflow(registration, this, args);
  }, registration.name);
}

/** Start the step's one-step workflow here and wait for its outcome (the recorded one if the ID already ran). */
async function runAsStepWorkflow(registration: RegisteredStep, thisArg: unknown, args: unknown[]): Promise<unknown> {
  // Before launch: refused as a step call, naming the step rather than its one-step workflow.
  const engine = engineFor(`Step "${qualifiedName(registration.className, registration.name)}"`);
  assertStillRegistered(registration);
  const handle = await startWorkflow(engine, { registration: stepWorkflow(registration), thisArg, args });
  return handle.getResult();
}
