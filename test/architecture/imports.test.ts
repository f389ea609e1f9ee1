/**
 * The layer rules of ARCHITECTURE.md, checked on the source text: no import
 * cycles anywhere under src/ (type-only imports included, since they tie
 * modules together as much as value imports do), and the leaves (errors/,
 * types/, support/) import nothing above them.
 */
import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { test } from 'node:test';

const srcRoot = resolve(import.meta.dirname, '../../src');

function sourceFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) return sourceFiles(path);
    return entry.name.endsWith('.ts') ? [path] : [];
  });
}

const importPattern = /(?:^|\n)\s*(?:import|export)\s[^;]*?from\s+'(\.[^']+)'/g;

function localImports(file: string): string[] {
  const text = readFileSync(file, 'utf8');
  return [...text.matchAll(importPattern)].map((match) => resolve(dirname(file), match[1]!));
}

const graph = new Map(sourceFiles(srcRoot).map((file) => [file, localImports(file)]));
const name = (file: string) => relative(srcRoot, file);

test('src/ has no import cycles', () => {
  const state = new Map<string, 'visiting' | 'done'>();
  const cycles: string[] = [];
  const visit = (file: string, path: string[]) => {
    if (state.get(file) === 'done') return;
    if (state.get(file) === 'visiting') {
      cycles.push([...path.slice(path.indexOf(file)), file].map(name).join(' -> '));
      return;
    }
    state.set(file, 'visiting');
    for (const next of graph.get(file) ?? []) visit(next, [...path, file]);
    state.set(file, 'done');
  };
  for (const file of graph.keys()) visit(file, []);
  assert.deepEqual(cycles, []);
});

test('the leaves (errors/, types/, support/) import only leaves', () => {
  const leaves = ['errors/', 'types/', 'support/', 'telemetry/logger.ts', 'system-database/records.ts'];
  const isLeaf = (file: string) => leaves.some((leaf) => name(file).startsWith(leaf));
  const upward = [...graph]
    .filter(([file]) => isLeaf(file))
    .flatMap(([file, imports]) => imports.filter((target) => !isLeaf(target)).map((target) => `${name(file)} -> ${name(target)}`));
  assert.deepEqual(upward, []);
});

test('system-database/ never imports the engine or anything above it', () => {
  const below = ['system-database/', 'errors/', 'types/', 'support/', 'telemetry/'];
  const upward = [...graph]
    .filter(([file]) => name(file).startsWith('system-database/'))
    .flatMap(([file, imports]) =>
      imports.filter((target) => !below.some((layer) => name(target).startsWith(layer))).map((target) => `${name(file)} -> ${name(target)}`),
    );
  assert.deepEqual(upward, []);
});
