/**
 * @DBOS.workflow() and @DBOS.step() on static methods, in both TypeScript
 * flavours: standard decorators (this file; the project compiles with
 * experimentalDecorators off) and legacy experimentalDecorators (a fixture
 * transpiled here with the TypeScript API and imported). One test body per
 * behaviour runs for both flavours on both backends.
 */
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, test } from 'node:test';
import { pathToFileURL } from 'node:url';
import ts from 'typescript';
import { DBOS, DBOSInvalidWorkflowTransitionError } from '../../src/index.ts';
import { deferred } from '../../src/support/deferred.ts';
import { forEachBackend, testTempDir } from '../helpers/backends.ts';
import { launch, stepOutcomes } from '../helpers/lifecycle.ts';

interface OrderResult {
  sku: string;
  total: number;
  thisIsClass: boolean;
}

/** What both decorated classes look like from outside. */
interface OrdersClass {
  readonly name: string;
  calls: string[];
  beforeFinish: () => Promise<void>;
  price(sku: string): Promise<number>;
  order(sku: string, quantity: number): Promise<OrderResult>;
  named(label: string): Promise<string>;
}

class StandardOrders {
  static calls: string[] = [];
  static beforeFinish: () => Promise<void> = async () => undefined;

  @DBOS.step()
  static async price(sku: string): Promise<number> {
    StandardOrders.calls.push(`price:${sku}`);
    return sku.length * 10;
  }

  @DBOS.workflow()
  static async order(sku: string, quantity: number): Promise<OrderResult> {
    const price = await this.price(sku);
    await StandardOrders.beforeFinish();
    return { sku, total: price * quantity, thisIsClass: this === StandardOrders };
  }

  @DBOS.workflow({ name: 'standardNamed' })
  static async named(label: string): Promise<string> {
    return `named:${label}`;
  }
}

class StandardService {
  constructor(readonly offset = 1) {}

  @DBOS.step()
  async fetch(x: number): Promise<number> {
    return x + this.offset;
  }
}

interface ServiceClass {
  new (offset?: number): { fetch(x: number): Promise<number> };
}

/** Transpile the legacy-decorated fixture with experimentalDecorators, write it as .mjs, import it. */
async function importLegacyFixture(): Promise<{ LegacyOrders: OrdersClass; LegacyService: ServiceClass }> {
  const fixture = new URL('../fixtures/legacy-decorators/legacy-orders.ts', import.meta.url);
  const durablyURL = new URL('../../src/index.ts', import.meta.url).href;
  const source = readFileSync(fixture, 'utf8').replace("'../../../src/index.ts'", JSON.stringify(durablyURL));
  assert.ok(source.includes(durablyURL), 'the fixture imports durably by its relative path');
  const { outputText } = ts.transpileModule(source, {
    compilerOptions: {
      experimentalDecorators: true,
      target: ts.ScriptTarget.ES2022,
      module: ts.ModuleKind.ESNext,
    },
    fileName: 'legacy-orders.ts',
  });
  assert.match(outputText, /__decorate/, 'transpiled with legacy decorators');
  const file = join(mkdtempSync(join(testTempDir, 'legacy-decorators-')), 'legacy-orders.mjs');
  writeFileSync(file, outputText);
  return (await import(pathToFileURL(file).href)) as { LegacyOrders: OrdersClass; LegacyService: ServiceClass };
}

const legacy = await importLegacyFixture();
const flavours: { flavour: string; orders: OrdersClass; service: ServiceClass; namedWorkflow: string }[] = [
  { flavour: 'standard decorators', orders: StandardOrders, service: StandardService, namedWorkflow: 'standardNamed' },
  {
    flavour: 'legacy experimentalDecorators',
    orders: legacy.LegacyOrders,
    service: legacy.LegacyService,
    namedWorkflow: 'legacyNamed',
  },
];

/** Constructs a service inside the workflow (after launch) and calls its decorated instance step. */
const usesService = DBOS.registerWorkflow(async (flavour: string, x: number) => {
  const { service } = flavours.find((f) => f.flavour === flavour)!;
  return new service(10).fetch(x);
}, { name: 'decorators.usesService' });

forEachBackend('decorators', (backend) => {
  afterEach(async () => {
    await DBOS.shutdown();
  });

  for (const { flavour, orders, service, namedWorkflow } of flavours) {
    describe(flavour, () => {
      afterEach(() => {
        orders.calls = [];
        orders.beforeFinish = async () => undefined;
      });

      test('a decorated static workflow runs when called, with the class as this', async () => {
        await launch(backend);
        assert.deepEqual(await orders.order('abc', 2), { sku: 'abc', total: 60, thisIsClass: true });
        assert.deepEqual(orders.calls, ['price:abc']);
      });

      test('status.workflowClassName is the class name', async () => {
        await launch(backend);
        const handle = await DBOS.startWorkflow(orders).order('a', 1);
        await handle.getResult();
        assert.equal((await handle.getStatus())?.workflowClassName, orders.name);
        const named = await DBOS.startWorkflow(orders).named('b');
        await named.getResult();
        assert.equal((await named.getStatus())?.workflowClassName, orders.name);
      });

      test('DBOS.startWorkflow(Class).method(args) starts it', async () => {
        await launch(backend);
        const workflowID = `decorated-${randomUUID()}`;
        const handle = await DBOS.startWorkflow(orders, { workflowID }).order('abcd', 3);
        assert.equal(handle.workflowID, workflowID);
        assert.deepEqual(await handle.getResult(), { sku: 'abcd', total: 120, thisIsClass: true });
        const status = await handle.getStatus();
        assert.equal(status?.workflowName, 'order');
        assert.deepEqual(status?.input, ['abcd', 3]);
        const outcomes = await stepOutcomes(workflowID);
        assert.deepEqual(outcomes.map((o) => [o.functionID, o.functionName]), [[0, 'price']]);
      });

      test('a workflow name given to the decorator is recorded', async () => {
        await launch(backend);
        const handle = await DBOS.startWorkflow(orders).named('x');
        assert.equal(await handle.getResult(), 'named:x');
        const status = await handle.getStatus();
        assert.equal(status?.workflowName, namedWorkflow);
      });

      test('startWorkflow on the decorated method itself works too', async () => {
        await launch(backend);
        const handle = await DBOS.startWorkflow(orders.order)('zz', 1);
        assert.deepEqual(await handle.getResult(), { sku: 'zz', total: 20, thisIsClass: true });
        assert.equal((await handle.getStatus())?.workflowName, 'order');
      });

      test('a decorated step outside a workflow runs as its one-step workflow', async () => {
        await launch(backend);
        const workflowID = `decorated-step-outside-${randomUUID()}`;
        assert.equal(await DBOS.withNextWorkflowID(workflowID, () => orders.price('four')), 40);
        assert.equal(await DBOS.withNextWorkflowID(workflowID, () => orders.price('again')), 40);
        assert.deepEqual(orders.calls, ['price:four']);
        const status = await DBOS.getWorkflowStatus(workflowID);
        assert.equal(status?.workflowName, 'temp_workflow-step-price');
        assert.equal(status?.workflowClassName, orders.name);
      });

      test('a recovered decorated workflow runs with the class as this and replays its step', async () => {
        const config = await launch(backend);
        const workflowID = `decorated-recovery-${randomUUID()}`;
        const reached = deferred<void>();
        orders.beforeFinish = () => {
          reached.resolve();
          return new Promise<void>(() => undefined); // the crashed execution never continues
        };
        await DBOS.startWorkflow(orders, { workflowID }).order('ab', 5);
        await reached.promise;

        orders.beforeFinish = async () => undefined;
        await DBOS.shutdown();
        DBOS.setConfig(config);
        await DBOS.launch();
        assert.deepEqual(await DBOS.retrieveWorkflow(workflowID).getResult(), { sku: 'ab', total: 100, thisIsClass: true });
        assert.deepEqual(orders.calls, ['price:ab']);
        assert.equal((await DBOS.getWorkflowStatus(workflowID))?.recoveryAttempts, 2);
      });

      test('a class with a decorated instance step can be instantiated after launch', async () => {
        await launch(backend);
        const instance = new service(2);
        // Outside a workflow it would run as a one-step workflow, which needs a ConfiguredInstance to recover on.
        await assert.rejects(instance.fetch(1), DBOSInvalidWorkflowTransitionError);
        const workflowID = `instance-step-${randomUUID()}`;
        assert.equal(await (await DBOS.startWorkflow(usesService, { workflowID })(flavour, 5)).getResult(), 15);
        const outcomes = await stepOutcomes(workflowID);
        assert.deepEqual(outcomes.map((o) => [o.functionID, o.functionName]), [[0, 'fetch']]);
      });
    });
  }
});
