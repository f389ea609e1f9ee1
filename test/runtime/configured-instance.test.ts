/**
 * ConfiguredInstance: instance-method workflows run with their instance as
 * `this` when called, started, enqueued and recovered (the instance's name
 * is recorded as `config_name` and found again); DBOS.className aliases the
 * recorded class name; instance methods off a ConfiguredInstance, duplicate
 * names and construction after launch are refused. One body per behaviour
 * runs for standard and legacy decorators, on both backends.
 */
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { afterEach, describe, test } from 'node:test';
import {
  ConfiguredInstance,
  DBOS,
  DBOSConfigurationError,
  DBOSConflictingRegistrationError,
  DBOSConflictingWorkflowError,
  DBOSInvalidWorkflowTransitionError,
  WorkflowQueue,
} from '../../src/index.ts';
import { deferred } from '../../src/support/deferred.ts';
import { forEachBackend } from '../helpers/backends.ts';
import { importLegacyDecoratorFixture } from '../helpers/legacy-decorators.ts';
import { crashAndRelaunch, launch, stepOutcomes } from '../helpers/lifecycle.ts';

interface Greeting {
  instance: string;
  greeting: string;
  isGreeter: boolean;
}

interface GreeterLike {
  readonly name: string;
  initialized: number;
  decorate(text: string): Promise<string>;
  greet(who: string): Promise<Greeting>;
}

interface GreeterClass {
  new (name: string, greeting: string): GreeterLike;
  calls: string[];
  beforeFinish: () => Promise<void>;
}

@DBOS.className('AliasedGreeter')
class Greeter extends ConfiguredInstance {
  static calls: string[] = [];
  static beforeFinish: () => Promise<void> = async () => undefined;
  initialized = 0;

  constructor(
    name: string,
    readonly greeting: string,
  ) {
    super(name);
  }

  override async initialize(): Promise<void> {
    this.initialized++;
  }

  @DBOS.step()
  async decorate(text: string): Promise<string> {
    Greeter.calls.push(`${this.name}:${text}`);
    return `${this.greeting}, ${text}`;
  }

  @DBOS.workflow()
  async greet(who: string): Promise<Greeting> {
    const greeting = await this.decorate(who);
    await Greeter.beforeFinish();
    return { instance: this.name, greeting, isGreeter: this instanceof Greeter };
  }
}

@DBOS.className('AliasedStatics')
class Statics {
  @DBOS.workflow()
  static async whoAmI(): Promise<boolean> {
    return this === Statics;
  }
}

class Plain {
  @DBOS.workflow()
  async run(x: number): Promise<number> {
    return x;
  }
}

interface Flavour {
  flavour: string;
  greeterClass: GreeterClass;
  english: GreeterLike;
  french: GreeterLike;
  greeterAlias: string;
  statics: { whoAmI(): Promise<boolean> };
  staticsAlias: string;
  plain: new () => { run(x: number): Promise<number> };
}

const legacy = await importLegacyDecoratorFixture<{
  LegacyGreeter: GreeterClass;
  legacyEnglish: GreeterLike;
  legacyFrench: GreeterLike;
  LegacyStatics: Flavour['statics'];
  LegacyPlain: Flavour['plain'];
}>('legacy-instances.ts');

const flavours: Flavour[] = [
  {
    flavour: 'standard decorators',
    greeterClass: Greeter,
    english: new Greeter('english', 'Hello'),
    french: new Greeter('french', 'Bonjour'),
    greeterAlias: 'AliasedGreeter',
    statics: Statics,
    staticsAlias: 'AliasedStatics',
    plain: Plain,
  },
  {
    flavour: 'legacy experimentalDecorators',
    greeterClass: legacy.LegacyGreeter,
    english: legacy.legacyEnglish,
    french: legacy.legacyFrench,
    greeterAlias: 'LegacyAliasedGreeter',
    statics: legacy.LegacyStatics,
    staticsAlias: 'LegacyAliasedStatics',
    plain: legacy.LegacyPlain,
  },
];

const queue = new WorkflowQueue('configured-instance.queue');

forEachBackend('ConfiguredInstance', (backend) => {
  afterEach(async () => {
    await DBOS.shutdown();
  });

  for (const { flavour, greeterClass, english, french, greeterAlias, statics, staticsAlias, plain } of flavours) {
    describe(flavour, () => {
      afterEach(() => {
        greeterClass.calls = [];
        greeterClass.beforeFinish = async () => undefined;
      });

      test('launch awaits initialize() of every instance', async () => {
        const before = english.initialized;
        await launch(backend);
        assert.equal(english.initialized, before + 1);
      });

      test('a workflow called on two instances runs with each as this, and records class and instance names', async () => {
        await launch(backend);
        assert.deepEqual(await english.greet('Ada'), { instance: english.name, greeting: 'Hello, Ada', isGreeter: true });
        assert.deepEqual(await french.greet('Ada'), { instance: french.name, greeting: 'Bonjour, Ada', isGreeter: true });
        assert.deepEqual(greeterClass.calls, [`${english.name}:Ada`, `${french.name}:Ada`]);
        const listed = await DBOS.listWorkflows({ workflowName: 'greet', sortDesc: false });
        assert.deepEqual(
          listed.map((w) => [w.workflowClassName, w.workflowConfigName]),
          [[greeterAlias, english.name], [greeterAlias, french.name]],
        );
      });

      test('DBOS.startWorkflow(instance).method(args) starts it on that instance', async () => {
        await launch(backend);
        const workflowID = `instance-start-${randomUUID()}`;
        const handle = await DBOS.startWorkflow(french, { workflowID }).greet('Grace');
        assert.equal(handle.workflowID, workflowID);
        assert.deepEqual(await handle.getResult(), { instance: french.name, greeting: 'Bonjour, Grace', isGreeter: true });
        const status = await handle.getStatus();
        assert.equal(status?.workflowConfigName, french.name);
        assert.deepEqual((await stepOutcomes(workflowID)).map((o) => o.functionName), ['decorate']);
      });

      test('an enqueued instance workflow is dequeued with its instance as this', async () => {
        await launch(backend);
        const handle = await DBOS.startWorkflow(english, { queueName: queue.name }).greet('Linus');
        assert.deepEqual(await handle.getResult(), { instance: english.name, greeting: 'Hello, Linus', isGreeter: true });
        assert.equal((await handle.getStatus())?.queueName, queue.name);
      });

      test('an instance step started as a workflow runs on its instance', async () => {
        await launch(backend);
        const handle = await DBOS.startWorkflow(french).decorate('Ada');
        assert.equal(await handle.getResult(), 'Bonjour, Ada');
        const status = await handle.getStatus();
        assert.deepEqual([status?.workflowName, status?.workflowClassName, status?.workflowConfigName], [
          'temp_workflow-step-decorate',
          greeterAlias,
          french.name,
        ]);
      });

      test('a recovered instance workflow runs on the instance it was started on and replays its step', async () => {
        const config = await launch(backend);
        const reached = deferred<void>();
        greeterClass.beforeFinish = () => {
          reached.resolve();
          return new Promise<void>(() => undefined); // the crashed execution never continues
        };
        const workflowID = `instance-recovery-${randomUUID()}`;
        await DBOS.startWorkflow(french, { workflowID }).greet('Edsger');
        await reached.promise;
        greeterClass.beforeFinish = async () => undefined;
        await crashAndRelaunch(config);
        assert.deepEqual(await DBOS.retrieveWorkflow(workflowID).getResult(), {
          instance: french.name,
          greeting: 'Bonjour, Edsger',
          isGreeter: true,
        });
        assert.deepEqual(greeterClass.calls, [`${french.name}:Edsger`]);
        assert.equal((await DBOS.getWorkflowStatus(workflowID))?.recoveryAttempts, 2);
      });

      test('a workflow ID of one instance cannot be reused on another', async () => {
        await launch(backend);
        const workflowID = `instance-conflict-${randomUUID()}`;
        await (await DBOS.startWorkflow(english, { workflowID }).greet('x')).getResult();
        await assert.rejects(DBOS.startWorkflow(french, { workflowID }).greet('x'), DBOSConflictingWorkflowError);
      });

      test('DBOS.className aliases the recorded class name of static workflows too', async () => {
        await launch(backend);
        const handle = await DBOS.startWorkflow(statics).whoAmI();
        assert.equal(await handle.getResult(), true);
        assert.equal((await handle.getStatus())?.workflowClassName, staticsAlias);
      });

      test('an instance-method workflow off a ConfiguredInstance is refused when called, and nothing is written', async () => {
        await launch(backend);
        const refusal = (error: unknown) => {
          assert.ok(error instanceof DBOSInvalidWorkflowTransitionError, String(error));
          assert.equal(error.code, 'INVALID_CONTEXT');
          assert.match(error.message, /"\w*Plain\.run" is an instance method of class \w*Plain, which does not extend ConfiguredInstance/);
          assert.match(error.message, /make the method static/);
          return true;
        };
        await assert.rejects(new plain().run(1), refusal);
        await assert.rejects(DBOS.startWorkflow(new plain()).run(1), refusal);
        await assert.rejects(DBOS.startWorkflow(english.greet)('x'), /started without its instance/);
        assert.deepEqual(await DBOS.listWorkflows({}), []);
      });

      test('a second instance with the same name, or one constructed after launch, is refused', async () => {
        assert.throws(() => new greeterClass(english.name, 'Hi'), (error: unknown) => {
          assert.ok(error instanceof DBOSConflictingRegistrationError);
          assert.match(error.message, new RegExp(`Class ${greeterAlias} already has a configured instance named "${english.name}"`));
          return true;
        });
        assert.throws(() => new greeterClass('', 'Hi'), DBOSConfigurationError);
        await launch(backend);
        assert.throws(() => new greeterClass(`late-${randomUUID()}`, 'Hi'), (error: unknown) => {
          assert.ok(error instanceof DBOSConflictingRegistrationError);
          assert.match(error.message, /Construct every ConfiguredInstance before DBOS\.launch\(\)/);
          return true;
        });
      });
    });
  }

  describe('decorator-free registration with ctorOrProto', () => {
    test('an instance method registered on a prototype runs on its instance and records it', async () => {
      await launch(backend);
      assert.equal(await addTo.call(byTwo, 5), 7);
      assert.equal(await addTo.call(byTen, 5), 15);
      assert.equal(addTo.name, 'add');
      const listed = await DBOS.listWorkflows({ workflowName: 'add', sortDesc: false });
      assert.deepEqual(listed.map((w) => [w.workflowClassName, w.workflowConfigName]), [['Adder', 'by-two'], ['Adder', 'by-ten']]);
      const workflowID = listed[0]!.workflowID;
      assert.deepEqual((await stepOutcomes(workflowID)).map((o) => o.functionName), ['Adder.offset']);
    });
  });
});

class Adder extends ConfiguredInstance {
  constructor(
    name: string,
    readonly amount: number,
  ) {
    super(name);
  }

  async offsetImpl(): Promise<number> {
    return this.amount;
  }

  async addImpl(x: number): Promise<number> {
    return x + (await offset.call(this));
  }
}

const offset = DBOS.registerStep(Adder.prototype.offsetImpl, { ctorOrProto: Adder.prototype, name: 'Adder.offset' });
const addTo = DBOS.registerWorkflow(Adder.prototype.addImpl, { ctorOrProto: Adder.prototype, name: 'add' });
const byTwo = new Adder('by-two', 2);
const byTen = new Adder('by-ten', 10);
