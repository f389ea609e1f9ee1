/**
 * The published shape: one ESM build with type declarations, loadable from
 * CommonJS through require() (a second CJS copy would mean two registries).
 */
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { testTempDir } from '../helpers/backends.ts';

const root = join(import.meta.dirname, '..', '..');
const outDir = join(root, '.tmp', 'dist-test');

before(() => {
  rmSync(outDir, { recursive: true, force: true });
  mkdirSync(outDir, { recursive: true });
  const tsc = join(root, 'node_modules', 'typescript', 'bin', 'tsc');
  execFileSync(process.execPath, [tsc, '-p', join(root, 'tsconfig.build.json'), '--outDir', outDir], { stdio: 'pipe' });
});

after(() => rmSync(outDir, { recursive: true, force: true }));

test('the build emits ESM with type declarations', () => {
  assert.ok(existsSync(join(outDir, 'index.js')));
  assert.ok(existsSync(join(outDir, 'index.d.ts')));
});

test('CommonJS code can require() the build and run a workflow', () => {
  const script = join(outDir, 'require-check.cjs');
  const database = join(testTempDir, `require-${process.pid}-${Date.now()}.sqlite`);
  writeFileSync(
    script,
    `const { DBOS, DBOSNotLaunchedError } = require(${JSON.stringify(join(outDir, 'index.js'))});
     const step = DBOS.registerStep(async (x) => x + 1, { name: 'inc' });
     const wf = DBOS.registerWorkflow(async (x) => step(x), { name: 'cjs' });
     (async () => {
       DBOS.setConfig({ name: 'cjs', systemDatabaseUrl: ${JSON.stringify(database)}, logLevel: 'warn' });
       await DBOS.launch();
       console.log(JSON.stringify({ result: await wf(41), typed: typeof DBOSNotLaunchedError }));
       await DBOS.shutdown();
     })();`,
  );
  const output = execFileSync(process.execPath, ['--no-warnings', script], { encoding: 'utf8' });
  assert.deepEqual(JSON.parse(output.trim().split('\n').at(-1)!), { result: 42, typed: 'function' });
});
