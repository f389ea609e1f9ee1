/**
 * `npm start`: durably on the embedded SQLite default, nothing to configure.
 * 1. A two-step workflow runs to completion.
 * 2. A crash: a child process starts a workflow and is killed with SIGKILL
 *    during step 2; a new process launches, resumes the workflow from its last
 *    completed step, and finishes it without running step 1 again.
 */
import { spawn } from 'node:child_process';
import { existsSync, readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { DBOS } from '../../src/index.ts';
import { checkoutWorkflow } from './workflows.ts';

const here = import.meta.dirname;
const stepLog = join(here, '..', '..', 'quickstart-steps.log');

function runWorker(mode: 'start' | 'recover', orderID: string, killWhen?: string): Promise<void> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [...process.execArgv, join(here, 'worker.ts'), mode, orderID], {
      env: { ...process.env, QUICKSTART_STEP_LOG: stepLog, QUICKSTART_CHARGE_MS: killWhen ? '60000' : '0' },
      stdio: ['ignore', 'pipe', 'inherit'],
    });
    child.stdout.on('data', (chunk: Buffer) => {
      process.stdout.write(chunk);
      if (killWhen && chunk.toString().includes(killWhen)) {
        console.log(`  [demo] killing pid ${child.pid} with SIGKILL during step 2`);
        child.kill('SIGKILL');
      }
    });
    child.on('error', reject);
    child.on('exit', () => resolve());
  });
}

DBOS.setConfig({ name: 'quickstart', logLevel: 'warn' });
await DBOS.resetSystemDatabase();
rmSync(stepLog, { force: true });

console.log('1. A two-step workflow, on SQLite at ./quickstart.sqlite:');
await DBOS.launch();
console.log(`  result: ${await checkoutWorkflow('order-1')}`);
await DBOS.shutdown();

console.log('\n2. Crash and recover:');
await runWorker('start', 'order-2', 'step 2: charging');
console.log('  [demo] starting a new process: launch() resumes unfinished workflows');
await runWorker('recover', 'order-2');

const steps = existsSync(stepLog) ? readFileSync(stepLog, 'utf8').trim().split('\n') : [];
const step1Runs = steps.filter((line) => line.includes('step 1') && line.includes('order-2')).length;
const step2Runs = steps.filter((line) => line.includes('step 2') && line.includes('order-2')).length;
console.log(`\nFor order-2, step 1 ran ${step1Runs} time(s) and step 2 ran ${step2Runs} time(s)` +
  ' (step 2 started again after the crash: it had not completed).');
rmSync(stepLog, { force: true });
if (step1Runs !== 1) {
  console.error('Unexpected: step 1 should have run exactly once.');
  process.exitCode = 1;
}
