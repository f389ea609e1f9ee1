/** The no-op task of (s)'s many-processes curve, registered alike in the bench and its worker processes. */
import { DBOS } from '../src/index.ts';

export const processesQueueName = 'scale-processes';
export const processesAppVersion = 'bench-processes';

export const processesTask = DBOS.registerWorkflow(async function scaleProcessesTask(): Promise<void> {}, {
  name: 'bench.scale.processesTask',
});
