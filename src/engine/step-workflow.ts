/**
 * A step started as a workflow (DBOS.startWorkflow(step), with or without a
 * queue) runs as a one-step workflow named `temp_workflow-step-<step name>`,
 * DBOS's name for it, so its row reads the same in DBOS tooling. Every
 * registered step has one: the registry derives it from the step when a
 * dequeue or recovery looks that name up, in any process that registered the
 * step.
 */
import type { RegisteredStep, RegisteredWorkflow } from './registry.ts';
import { runStep } from './run-step.ts';

export const stepWorkflowPrefix = 'temp_workflow-step-';

const wrappers = new WeakMap<RegisteredStep, RegisteredWorkflow>();

/** The step's name, if `workflowName` names a step's one-step workflow. */
export function stepNameOf(workflowName: string): string | undefined {
  return workflowName.startsWith(stepWorkflowPrefix) ? workflowName.slice(stepWorkflowPrefix.length) : undefined;
}

/** The one-step workflow of `step` (always the same object for one step). */
export function stepWorkflow(step: RegisteredStep): RegisteredWorkflow {
  let wrapper = wrappers.get(step);
  if (!wrapper) {
    wrapper = {
      kind: 'workflow',
      // Getters: a decorated step learns its class name after registration.
      get name() {
        return `${stepWorkflowPrefix}${step.name}`;
      },
      get className() {
        return step.className;
      },
      body: function runAsStep(this: unknown, ...args: unknown[]) {
        return runStep(step.name, step.config, () => step.body.apply(this, args));
      },
      config: {},
    };
    wrappers.set(step, wrapper);
  }
  return wrapper;
}
