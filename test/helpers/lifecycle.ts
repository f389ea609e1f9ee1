/** Launch helpers shared by the engine tests. */
import { DBOS, type DBOSConfig } from '../../src/index.ts';
import { currentRuntime, engineFor } from '../../src/runtime/runtime.ts';
import type { TestBackend } from './backends.ts';

/** The recorded operations of a workflow, read through the launched runtime. */
export function stepOutcomes(workflowID: string) {
  return engineFor('test').systemDatabase.loadStepOutcomes(workflowID);
}

/** Launch on a fresh database; returns its config, for a relaunch on the same one. */
export async function launch(backend: TestBackend, extra?: DBOSConfig): Promise<DBOSConfig> {
  const config = backend.freshConfig(extra);
  DBOS.setConfig(config);
  await DBOS.launch();
  return config;
}

/** Shut down under the running workflows, then launch again on the same system database, and let recovery finish. */
export async function crashAndRelaunch(config: DBOSConfig): Promise<void> {
  await DBOS.shutdown();
  DBOS.setConfig(config);
  await DBOS.launch();
  await recoveryFinished();
}

/** Resolves once the launched runtime's background recovery has resumed every workflow it found. */
export async function recoveryFinished(): Promise<void> {
  await currentRuntime()?.recovery.finished;
}
