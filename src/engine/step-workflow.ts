/**
 * A step started as a workflow (DBOS.startWorkflow(step), with or without a
 * queue) runs as a one-step workflow named `temp_workflow-step-<step name>`,
 * DBOS's name for it, so its row reads the same in DBOS tooling. Every
 * registered step has one: the registry derives it from the step when a
 * dequeue or recovery looks that name up, in any process that registered the
 * step.
 */
import { stepWorkflowPrefix, type RegisteredStep, type RegisteredWorkflow } from './registry.ts';
import { runStep } from './run-step.ts';

const wrappers = new WeakMap<RegisteredStep, RegisteredWorkflow>();

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
      get thisArg() {
        return step.thisArg;
      },
      get isInstanceMethod() {
        return step.isInstanceMethod;
      },
      get ownerClass() {
        return step.ownerClass;
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
