/**
 * The Runtime: what DBOS.launch() builds and DBOS.shutdown() tears down. It
 * owns the system database and the engine; configuration is read here, at
 * launch, never at import. One Runtime per process at a time.
 */
import { createTracer } from '../telemetry/tracing.ts';
import { RuntimeTelemetry } from './runtime-telemetry.ts';
import { createWorkflowMetrics } from '../telemetry/workflow-metrics.ts';
import { queueDepths } from '../management/queue-depths.ts';
import type { DBOSConfig } from '../types/config-types.ts';
import { DBOSConfigurationError, DBOSNotLaunchedError } from '../errors/errors.ts';
import { Engine } from '../engine/engine.ts';
import { CancellationWatcher } from '../engine/cancellation-watcher.ts';
import { RetentionLoop } from '../management/retention.ts';
import { LaunchRecovery } from '../engine/launch-recovery.ts';
import type { Registry } from '../engine/registry.ts';
import type { WorkflowHandle } from '../types/workflow-types.ts';
import { DatabaseQueues } from '../queues/database-queues.ts';
import { ExecutorLiveness } from '../queues/executor-liveness.ts';
import { StrandedAdoption } from '../queues/stranded-adoption.ts';
import { placementPlanner } from '../queues/enqueue-placement.ts';
import { QueueCatalog } from '../queues/queue-catalog.ts';
import { QueueCatalogReloader } from '../queues/queue-catalog-reloader.ts';
import { QueueRunner } from '../queues/queue-runner.ts';
import { resolveSchedules } from '../scheduler/scheduled-workflows.ts';
import { Scheduler } from '../scheduler/scheduler.ts';
import { DynamicScheduler } from '../scheduler/dynamic-scheduler.ts';
import { registerApplicationVersion } from '../management/application-versions.ts';
import { openSystemDatabase } from '../system-database/open-system-database.ts';
import { computeApplicationVersion } from './application-version.ts';
import { resolveConfig, type ResolvedConfig } from './resolve-config.ts';
import { drainWorkflows } from '../engine/shutdown-interrupt.ts';
import { FaultResumer } from '../engine/resume-after-fault.ts';
import { validateShutdownOptions, type ShutdownOptions } from './shutdown-options.ts';
import { destroyLifecycleCallbacks, initializeLifecycleCallbacks } from './lifecycle-callbacks.ts';
import { warnAboutStrandedVersions } from './version-warning.ts';
import { useSerializer } from '../engine/serializers.ts';
import { forgetRegistrations } from './deregister.ts';
import { destroyDataSources, initializeDataSources } from '../datasources/data-source-registry.ts';
import type { AdminServer } from '../admin/admin-server.ts';

let current: Runtime | undefined;
let launching: Promise<Runtime> | undefined;
let stopping: Promise<void> | undefined;

export function currentRuntime(): Runtime | undefined {
  return current;
}

/** The launched engine; `what` names the caller in the error when there is none. */
export function engineFor(what: string): Engine {
  if (!current) throw new DBOSNotLaunchedError(what);
  return current.engine;
}

/** The launched Runtime; `what` names the caller in the error when there is none. */
export function runtimeFor(what: string): Runtime {
  if (!current) throw new DBOSNotLaunchedError(what);
  return current;
}

export class Runtime {
  private readonly queueRunner: QueueRunner;
  private readonly liveness: ExecutorLiveness;
  /** Set when adoptCompatibleWorkflows is on. */
  private readonly adoption: StrandedAdoption | undefined;
  private readonly cancellations: CancellationWatcher;
  private readonly faultResumer: FaultResumer;
  /** Recovery of the workflows this executor left PENDING: runs in the background from launch on. */
  readonly recovery: LaunchRecovery;
  private scheduler: Scheduler | undefined;
  private readonly retention: RetentionLoop;
  private readonly dynamicScheduler: DynamicScheduler;
  readonly databaseQueues: DatabaseQueues;
  /** Set when `runAdminServer` is on, from launch until shutdown. */
  adminServer: AdminServer | undefined;
  private deactivated = false;
  /** The launch's look for workflows stranded under other versions (version-warning.ts): awaited before the database closes. */
  private strandedVersionsWarning: Promise<void> = Promise.resolve();

  private constructor(
    readonly config: ResolvedConfig,
    readonly engine: Engine,
    readonly queues: QueueCatalog,
    private readonly queueReloader: QueueCatalogReloader,
    private readonly registry: Registry,
    private readonly telemetry: RuntimeTelemetry,
  ) {
    this.queueRunner = new QueueRunner(engine, queues, config.listenQueues);
    this.liveness = new ExecutorLiveness(engine, config);
    this.adoption = config.adoptCompatibleWorkflows ? new StrandedAdoption(engine, config.heartbeatIntervalMs) : undefined;
    this.cancellations = new CancellationWatcher(engine);
    this.faultResumer = new FaultResumer(engine);
    // The queue runner starts once recovery put the interrupted queued workflows back on their queues.
    this.recovery = new LaunchRecovery(engine, () => {
      if (!this.stopping) this.queueRunner.start();
    });
    engine.onDatabaseFault = (workflowID, fault) => this.faultResumer.schedule(workflowID, fault);
    this.retention = new RetentionLoop(engine, config.workflowRetention);
    this.dynamicScheduler = new DynamicScheduler(engine, config.schedulerPollingIntervalMs);
    this.databaseQueues = new DatabaseQueues(
      engine.systemDatabase,
      queueReloader,
      config.name,
      engine.identity.applicationVersion,
      config.logger,
    );
  }

  static async launch(userConfig: DBOSConfig | undefined, registry: Registry): Promise<Runtime> {
    if (stopping) {
      throw new DBOSConfigurationError('DBOS.launch() was called while DBOS.shutdown() is still running: await the shutdown first.');
    }
    if (current) return current;
    launching ??= Runtime.start(userConfig, registry).finally(() => {
      launching = undefined;
    });
    return launching;
  }

  private static async start(userConfig: DBOSConfig | undefined, registry: Registry): Promise<Runtime> {
    const resolved = resolveConfig(userConfig);
    const telemetry = new RuntimeTelemetry(resolved);
    // From here on every message, durably's own included, goes through the contextual logger.
    const config: ResolvedConfig = { ...resolved, logger: telemetry.logger };
    // Before the tracer is created: OTLP export installs the tracer provider it detects.
    await telemetry.startExport(config);
    try {
      return await Runtime.startWith(config, telemetry, registry);
    } catch (error) {
      await telemetry.shutdown();
      throw error;
    }
  }

  private static async startWith(config: ResolvedConfig, telemetry: RuntimeTelemetry, registry: Registry): Promise<Runtime> {
    const schedules = resolveSchedules(registry);
    // Before the system database: an unusable application database fails the launch having written nothing.
    await initializeDataSources(config.logger);
    const systemDatabase = await openSystemDatabase(config.target, config.logger).catch(async (error: unknown) => {
      await destroyDataSources(config.logger);
      throw error;
    });
    const applicationVersion = config.applicationVersion ?? computeApplicationVersion(registry, config.name);
    telemetry.identity.applicationVersion = applicationVersion;
    const queues = new QueueCatalog();
    const queueReloader = new QueueCatalogReloader(systemDatabase, queues, config.logger);
    const engine = new Engine(
      systemDatabase,
      registry,
      { executorID: config.executorID, applicationVersion, applicationName: config.name },
      config.logger,
      // An unknown queue may have been registered by another process moments ago: look again once.
      placementPlanner(queues, () => queueReloader.reload()),
      config.enablePatching,
      createTracer(config.tracing, { executorID: config.executorID, applicationVersion }),
      createWorkflowMetrics(),
    );
    engine.executorTimeoutMs = config.executorTimeoutMs;
    engine.metrics.observeQueueDepths(() => queueDepths(engine));
    const runtime = new Runtime(config, engine, queues, queueReloader, registry, telemetry);
    try {
      await registerApplicationVersion(engine);
      // Every registered queue is known before recovery enqueues or the runner dequeues anything.
      await queueReloader.start();
      for (const instance of registry.instances.all()) await instance.initialize(); // DBOS: before recovery
    } catch (error) {
      engine.metrics.close();
      await systemDatabase.close().catch(() => undefined);
      await destroyDataSources(config.logger);
      throw error;
    }
    registry.freeze('DBOS.launch() has already run');
    useSerializer(config.serializer);
    current = runtime;
    runtime.cancellations.start();
    // Beat before resuming anything: until this executor's heartbeat is fresh, it looks dead to the other
    // processes, and a takeover would requeue the very workflows recovery is about to run here (twice at once).
    await runtime.liveness.start();
    // In the background: launch returns at once however many workflows wait (see engine/launch-recovery.ts).
    runtime.recovery.start();
    // Also in the background: the count visits every PENDING workflow of this executor (about 100 ms with
    // 100,000 waiting, on Postgres), and only feeds a warning.
    runtime.strandedVersionsWarning = warnAboutStrandedVersions(engine, config.executorTimeoutMs).catch((error: unknown) =>
      config.logger.warn(`Could not look for PENDING workflows of other application versions: ${(error as Error).message}`),
    );
    runtime.adoption?.start();
    runtime.scheduler = new Scheduler(engine, schedules);
    runtime.scheduler.start();
    runtime.dynamicScheduler.start();
    runtime.retention.start();
    await initializeLifecycleCallbacks().catch(async (error: unknown) => {
      await runtime.shutdown().catch(() => undefined);
      throw error;
    });
    await runtime.startAdminServer().catch(async (error: unknown) => {
      await runtime.shutdown().catch(() => undefined);
      throw error;
    });
    return runtime;
  }

  private async startAdminServer(): Promise<void> {
    if (!this.config.admin) return;
    // Loaded only when asked for: an application without the admin server never loads it (nor its static files).
    const [{ AdminServer }, { requeueExecutors }] = await Promise.all([import('../admin/admin-server.ts'), import('../admin/admin-target.ts')]);
    const engine = this.engine;
    const server = new AdminServer(this.config.admin, {
      engine,
      queues: async () => this.queues.all(),
      recover: (executorIDs) => requeueExecutors(engine, executorIDs, engine.identity.applicationVersion),
      deactivate: () => this.deactivate(),
      runsWorkflows: true,
    }, this.config.logger);
    await server.start();
    this.adminServer = server;
  }

  /** Stop starting work from schedules and lifecycle listeners; queues keep running (DBOS's /deactivate). */
  async deactivate(): Promise<boolean> {
    if (this.deactivated) return true;
    this.deactivated = true;
    await destroyLifecycleCallbacks(this.config.logger);
    await this.scheduler?.stop();
    await this.dynamicScheduler.stop();
    return true;
  }

  /** DBOS.deactivateEventReceivers (for tests): deactivate, and stop dequeuing too. */
  async deactivateEventReceivers(): Promise<void> {
    await this.deactivate();
    await this.queueRunner.stop();
  }

  /** Handles of the workflows this launch's recovery resumed so far (all of them once `recovery.finished` resolved). */
  get recovered(): WorkflowHandle<unknown>[] {
    return this.recovery.resumed;
  }

  /** Set when shutdown starts: DBOS.isInitialized() is false from then on. */
  stopping = false;

  /**
   * Stop taking work, let the running workflows finish for up to
   * `gracePeriodMs`, interrupt the rest (they stay PENDING for recovery, see
   * engine/shutdown-interrupt.ts), and close the system database. The runtime
   * stays current during the grace period, since running workflows use it.
   */
  async shutdown(gracePeriodMs = 0): Promise<void> {
    this.stopping = true;
    try {
      await this.adminServer?.stop();
      await this.recovery.stop();
      if (!this.deactivated) await destroyLifecycleCallbacks(this.config.logger);
      await this.scheduler?.stop();
      await this.dynamicScheduler.stop();
      this.retention.stop();
      await this.adoption?.stop();
      await this.queueRunner.stop();
      await this.queueReloader.stop();
      if (gracePeriodMs > 0) await drainWorkflows(this.engine, gracePeriodMs);
    } finally {
      this.engine.interrupt();
      this.faultResumer.stop();
      if (current === this) current = undefined;
      this.registry.unfreeze();
      this.cancellations.stop();
    }
    await this.strandedVersionsWarning;
    await this.liveness.stop();
    this.engine.metrics.close();
    await destroyDataSources(this.config.logger);
    await this.engine.systemDatabase.close();
    if (!current) useSerializer(undefined);
    await this.telemetry.shutdown(); // last: flush the spans and records of everything above
  }
}

/** Validate the options first (nothing is stopped on a bad one); a second call waits for the first. */
export async function shutdownRuntime(options?: ShutdownOptions): Promise<void> {
  const requestedMs = validateShutdownOptions(options);
  if (launching) await launching.catch(() => undefined);
  if (!stopping && current) {
    const gracePeriodMs = requestedMs ?? current.config.workflowCompletionTimeoutMS;
    stopping = current.shutdown(gracePeriodMs).finally(() => {
      stopping = undefined;
    });
  }
  if (stopping) await stopping;
  if (options?.deregister) deregisterStopped();
}

/** Forget every registration, once nothing runs that could still look one up. */
function deregisterStopped(): void {
  if (current || launching) {
    throw new DBOSConfigurationError(
      'DBOS.shutdown({ deregister: true }): DBOS.launch() ran again while the runtime was stopping, so the ' +
        'registrations it uses were kept. Await the shutdown before launching.',
    );
  }
  forgetRegistrations();
}
