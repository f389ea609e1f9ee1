/**
 * Import a fixture written with legacy `experimentalDecorators` (as DBOS
 * applications are): transpile it with the TypeScript API, point its import
 * of durably at the same module instance the test uses (an absolute file
 * URL), write it as .mjs and import it.
 */
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import ts from 'typescript';
import { testTempDir } from './backends.ts';

export async function importLegacyDecoratorFixture<T>(fileName: string): Promise<T> {
  const fixture = new URL(`../fixtures/legacy-decorators/${fileName}`, import.meta.url);
  const durablyURL = new URL('../../src/index.ts', import.meta.url).href;
  const source = readFileSync(fixture, 'utf8').replace("'../../../src/index.ts'", JSON.stringify(durablyURL));
  assert.ok(source.includes(durablyURL), `${fileName} imports durably by its relative path`);
  const { outputText } = ts.transpileModule(source, {
    compilerOptions: { experimentalDecorators: true, target: ts.ScriptTarget.ES2022, module: ts.ModuleKind.ESNext },
    fileName,
  });
  assert.match(outputText, /__decorate/, 'transpiled with legacy decorators');
  const file = join(mkdtempSync(join(testTempDir, 'legacy-decorators-')), fileName.replace(/\.ts$/, '.mjs'));
  writeFileSync(file, outputText);
  return (await import(pathToFileURL(file).href)) as T;
}
