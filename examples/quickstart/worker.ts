/**
 * One process of the crash demo. `start` begins the checkout workflow and is
 * killed mid-way by the parent; `recover` just launches, which resumes every
 * unfinished workflow, and waits for the order to complete.
 */
import { DBOS } from '../../src/index.ts';
import { checkoutWorkflow } from './workflows.ts';

const [mode, orderID] = process.argv.slice(2);
DBOS.setConfig({ name: 'quickstart', logLevel: 'warn' });
await DBOS.launch();
if (mode === 'start') {
  await DBOS.startWorkflow(checkoutWorkflow, { workflowID: orderID })(orderID!);
  await new Promise(() => undefined); // wait to be killed
} else {
  const result = await DBOS.retrieveWorkflow<string>(orderID!).getResult();
  console.log(`  [pid ${process.pid}] recovered workflow finished: ${result}`);
  await DBOS.shutdown();
}
