/**
 * The deploy hand-off DBOS lacks (config adoptCompatibleWorkflows): a
 * workflow is stranded when it is PENDING or ENQUEUED under an application
 * version that no live process runs, since only processes of its own version
 * resume or dequeue it. Every heartbeat interval, this process looks for
 * them, replays each one's recorded history against its own code, executing
 * nothing (engine/replay-verification.ts), and:
 * - when it replays cleanly (DBOS.patch branches included: an old history
 *   takes the old branch), restamps it with this version and puts it on its
 *   queue, where this version's processes claim it and resume it from its
 *   last recorded operation;
 * - otherwise leaves it stranded and says why, once per workflow (its
 *   history cannot change while it stays stranded, so it is not replayed
 *   again by this process).
 * The restamp is conditional (still stranded, still the old version), so a
 * process of the old version coming back, or another adopter, wins cleanly.
 */
import type { Engine } from '../engine/engine.ts';
import { internalQueueName } from '../engine/recovery.ts';
import { verifyWorkflowReplay } from '../engine/replay-verification.ts';

export interface StrandedAdoptionReport {
  workflowID: string;
  workflowName: string;
  /** The version the workflow was stranded under. */
  fromVersion: string;
  adopted: boolean;
  /** Why it was not adopted (the replay's divergence, or that it stopped being stranded meanwhile). */
  reason?: string;
}

export class StrandedAdoption {
  private timer: NodeJS.Timeout | undefined;
  private stopped = false;
  private running: Promise<unknown> = Promise.resolve();
  /** Workflows this process refused, with the version they were stranded under: not replayed again. */
  private readonly refused = new Map<string, string>();

  constructor(
    private readonly engine: Engine,
    private readonly intervalMs: number,
  ) {}

  start(): void {
    this.schedule(0);
  }

  async stop(): Promise<void> {
    this.stopped = true;
    clearTimeout(this.timer);
    await this.running;
  }

  private schedule(delayMs: number): void {
    if (this.stopped) return;
    this.timer = setTimeout(() => {
      this.running = this.adoptOnce()
        .catch((error: unknown) => {
          if (!this.stopped) this.engine.logger.warn(`Adopting stranded workflows failed: ${(error as Error).message}`);
        })
        .finally(() => this.schedule(this.intervalMs));
    }, delayMs);
  }

  /** One pass: every stranded workflow of this application not refused before, oldest first. */
  async adoptOnce(): Promise<StrandedAdoptionReport[]> {
    const { systemDatabase, identity } = this.engine;
    const candidates = await systemDatabase.listWorkflows({
      stranded: { only: true, liveSinceEpochMs: Date.now() - this.engine.executorTimeoutMs },
      ...(identity.applicationName === '' ? {} : { ownedBy: [identity.applicationName] }),
      loadInput: false,
      loadOutput: false,
    });
    const reports: StrandedAdoptionReport[] = [];
    for (const candidate of candidates) {
      if (this.stopped) break;
      const fromVersion = candidate.applicationVersion;
      if (fromVersion === null || fromVersion === identity.applicationVersion) continue;
      if (this.refused.get(candidate.workflowID) === fromVersion) continue;
      reports.push(await this.adopt(candidate.workflowID, candidate.workflowName, fromVersion));
    }
    return reports;
  }

  private async adopt(workflowID: string, workflowName: string, fromVersion: string): Promise<StrandedAdoptionReport> {
    const { systemDatabase, identity, logger } = this.engine;
    const replay = await verifyWorkflowReplay(this.engine, workflowID);
    if (!replay.ok) {
      this.refused.set(workflowID, fromVersion);
      const reason = replay.divergence?.message ?? 'its history does not replay against this code';
      logger.warn(
        `Workflow ${workflowID} (${workflowName}) is stranded under application version ${fromVersion}, which no live ` +
          `process runs, and version ${identity.applicationVersion} did not adopt it: ${reason} ` +
          `Relaunch version ${fromVersion} to finish it, or patch this code (DBOS.patch) so that its history replays.`,
      );
      return { workflowID, workflowName, fromVersion, adopted: false, reason };
    }
    const now = Date.now();
    const adopted = await systemDatabase.adoptStrandedWorkflow({
      workflowID,
      fromVersion,
      toVersion: identity.applicationVersion,
      fallbackQueue: internalQueueName,
      liveSinceEpochMs: now - this.engine.executorTimeoutMs,
      now,
    });
    if (!adopted) return { workflowID, workflowName, fromVersion, adopted, reason: 'it was no longer stranded' };
    logger.info(
      `Adopted stranded workflow ${workflowID} (${workflowName}) of application version ${fromVersion}: its ` +
        `${replay.recordedOperations} recorded operation(s) replay against version ${identity.applicationVersion}, which resumes it.`,
    );
    return { workflowID, workflowName, fromVersion, adopted };
  }
}
