/**
 * The wrappers registration returns or installs, as strict as DBOS's: each
 * carries the registered function's name; a registered step called outside a
 * workflow is refused before launch, and a registerStep one under a pending
 * withNextWorkflowID (whose ID it would drop); DBOS.runStep and DBOS.registerScheduled name the
 * value or workflow at fault.
 */
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { afterEach, test } from 'node:test';
import {
  ConfiguredInstance,
  DBOS,
  DBOSConfigurationError,
  DBOSInvalidWorkflowTransitionError,
  DBOSNotLaunchedError,
} from '../../src/index.ts';
import { forEachBackend } from '../helpers/backends.ts';
import { importLegacyDecoratorFixture } from '../helpers/legacy-decorators.ts';
import { launch } from '../helpers/lifecycle.ts';

let stepRuns = 0;

async function double(x: number): Promise<number> {
  stepRuns++;
  return x * 2;
}

const registeredDouble = DBOS.registerStep(double);
const renamedStep = DBOS.registerStep(async (x: number) => x, { name: 'registration.renamedStep' });
const plainWorkflow = DBOS.registerWorkflow(async function plainWorkflow(x: number) {
  return x + 1;
});
const renamedWorkflow = DBOS.registerWorkflow(async (x: number) => x, { name: 'registration.renamedWorkflow' });
const scheduledTarget = DBOS.registerWorkflow(async (_scheduled: Date, _actual: Date) => undefined, {
  name: 'registration.scheduledTarget',
});

class Decorated {
  @DBOS.step()
  static async staticStep(x: number): Promise<number> {
    stepRuns++;
    return x;
  }

  @DBOS.workflow()
  static async staticWorkflow(x: number): Promise<number> {
    return x;
  }

  @DBOS.workflow({ name: 'registration.namedByConfig' })
  static async namedByConfig(): Promise<void> {}
}

class Service extends ConfiguredInstance {
  @DBOS.step()
  async instanceStep(): Promise<string> {
    return this.name;
  }

  @DBOS.workflow()
  async instanceWorkflow(): Promise<string> {
    return this.instanceStep();
  }
}
new Service('registration.service');

interface LegacyGreeterClass {
  prototype: { greet: Function; decorate: Function };
}
const legacy = await importLegacyDecoratorFixture<{
  LegacyGreeter: LegacyGreeterClass;
  LegacyStatics: { whoAmI: Function };
}>('legacy-instances.ts');

forEachBackend('registration wrappers', (backend) => {
  afterEach(async () => {
    await DBOS.shutdown();
    stepRuns = 0;
  });

  test('every kind of wrapper carries the registered name', () => {
    const names = [
      registeredDouble.name,
      renamedStep.name,
      plainWorkflow.name,
      renamedWorkflow.name,
      Decorated.staticStep.name,
      Decorated.staticWorkflow.name,
      Decorated.namedByConfig.name,
      Service.prototype.instanceStep.name,
      Service.prototype.instanceWorkflow.name,
      legacy.LegacyGreeter.prototype.greet.name,
      legacy.LegacyGreeter.prototype.decorate.name,
      legacy.LegacyStatics.whoAmI.name,
    ];
    assert.deepEqual(names, [
      'double',
      'registration.renamedStep',
      'plainWorkflow',
      'registration.renamedWorkflow',
      'staticStep',
      'staticWorkflow',
      'registration.namedByConfig',
      'instanceStep',
      'instanceWorkflow',
      'greet',
      'decorate',
      'whoAmI',
    ]);
  });

  test('a registered step called before launch is refused, and does not run', async () => {
    await assert.rejects(registeredDouble(2), (error: unknown) => {
      assert.ok(error instanceof DBOSNotLaunchedError);
      assert.match(error.message, /Step "double" needs a launched runtime/);
      return true;
    });
    await assert.rejects(Decorated.staticStep(2), /Step "Decorated\.staticStep" needs a launched runtime/);
    assert.equal(stepRuns, 0);
  });

  test('a registered step called outside a workflow under withNextWorkflowID is refused, and nothing is written', async () => {
    await launch(backend);
    const workflowID = `registration-next-${randomUUID()}`;
    // A decorated step is not refused: it runs as its one-step workflow (test/runtime/decorated-step.test.ts).
    await assert.rejects(DBOS.withNextWorkflowID(workflowID, () => registeredDouble(2)), (error: unknown) => {
      assert.ok(error instanceof DBOSInvalidWorkflowTransitionError);
      assert.match(error.message, new RegExp(`withNextWorkflowID\\("${workflowID}"\\)`));
      return true;
    });
    assert.equal(stepRuns, 0);
    assert.equal(await DBOS.getWorkflowStatus(workflowID), null);
    assert.deepEqual(await DBOS.listWorkflows({}), []);
  });

  test('once a workflow took the assigned ID, a step in the same callback is a plain call again', async () => {
    await launch(backend);
    const workflowID = `registration-used-${randomUUID()}`;
    const result = await DBOS.withNextWorkflowID(workflowID, async () => [await plainWorkflow(1), await registeredDouble(3)]);
    assert.deepEqual(result, [2, 6]);
    assert.equal((await DBOS.getWorkflowStatus(workflowID))?.status, 'SUCCESS');
  });

  test('DBOS.runStep with a non-function names the value', async () => {
    await launch(backend);
    await assert.rejects(DBOS.runStep('nope' as never), (error: unknown) => {
      assert.ok(error instanceof DBOSConfigurationError);
      assert.match(error.message, /DBOS\.runStep needs a function to run as the step, got "nope"/);
      return true;
    });
    await assert.rejects(DBOS.runStep(undefined as never), /got undefined \(undefined\)/);
  });

  test('DBOS.registerScheduled names the workflow in its errors', () => {
    assert.throws(() => DBOS.registerScheduled(scheduledTarget, { crontab: 'not a crontab' }), (error: unknown) => {
      assert.ok(error instanceof DBOSConfigurationError);
      assert.match(error.message, /registration\.scheduledTarget/);
      assert.doesNotMatch(error.message, /invokeWorkflow/);
      return true;
    });
  });
});
