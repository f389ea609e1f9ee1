/**
 * The default application version: a hash of every registered workflow's
 * source, so changed workflow code gets a new version and recovery never
 * replays old histories with new code by accident.
 */
import { createHash } from 'node:crypto';
import { qualifiedName, type Registry } from '../engine/registry.ts';

export function computeApplicationVersion(registry: Registry, appName: string): string {
  const hash = createHash('sha256');
  hash.update(`durably:${appName}\n`);
  const sources = registry
    .allWorkflows()
    .map((w) => `${qualifiedName(w.className, w.name)}\n${w.body.toString()}`)
    .sort();
  for (const source of sources) hash.update(source);
  return hash.digest('hex').slice(0, 32);
}
