/**
 * Static cron schedules: `DBOS.registerScheduled(fn, config)` and the
 * `@DBOS.scheduled(config)` method decorator (legacy and standard TypeScript
 * decorators). Registration only validates and records the schedule; the
 * workflow it names is looked up at launch, when decorators have all run.
 */
import { DBOSConfigurationError } from '../errors/errors.ts';
import type { FunctionName } from '../types/workflow-types.ts';
import { qualifiedName, type Registry, type RegisteredWorkflow } from '../engine/registry.ts';
import { CronExpression } from './cron-expression.ts';

export enum SchedulerMode {
  /** Every slot runs once, including those missed while no process ran (enqueued on the next launch). */
  ExactlyOncePerInterval = 'ExactlyOncePerInterval',
  /** Every slot while a process runs runs once; missed slots are skipped (the default). */
  ExactlyOncePerIntervalWhenActive = 'ExactlyOncePerIntervalWhenActive',
}

export interface SchedulerConfig {
  /** 5 fields (minute hour day month weekday) or 6 with leading seconds. */
  crontab: string;
  mode?: SchedulerMode;
  /** The queue each tick is enqueued on; the internal queue by default. */
  queueName?: string;
  /** durably extension: an IANA time zone for the crontab (default: the process's local zone). */
  timezone?: string;
}

/** A schedule as registered: its workflow is resolved at launch. */
interface ScheduledEntry {
  fn: unknown;
  config: SchedulerConfig & FunctionName;
  cron: CronExpression;
  describe: string;
}

/** A schedule ready to run: its workflow, parsed crontab and options. */
export interface ResolvedSchedule {
  registration: RegisteredWorkflow;
  qualifiedName: string;
  cron: CronExpression;
  mode: SchedulerMode;
  queueName: string | undefined;
}

const entries: ScheduledEntry[] = [];

function validate(config: SchedulerConfig, describe: string): CronExpression {
  if (!config || typeof config !== 'object') {
    throw new DBOSConfigurationError(`Scheduled workflow ${describe}: a config { crontab } is required.`);
  }
  const modes = Object.values(SchedulerMode) as string[];
  if (config.mode !== undefined && !modes.includes(config.mode)) {
    throw new DBOSConfigurationError(`Scheduled workflow ${describe}: unknown mode "${config.mode}"; use one of ${modes.join(', ')}.`);
  }
  return CronExpression.parse(config.crontab, config.timezone, `Scheduled workflow ${describe}`);
}

export function registerScheduled(fn: unknown, config: SchedulerConfig & FunctionName): void {
  const name = config?.name ?? (typeof fn === 'function' ? fn.name : '');
  const describe = `"${qualifiedName(config?.className ?? '', name) || '(anonymous)'}"`;
  if (typeof fn !== 'function') throw new DBOSConfigurationError(`Scheduled workflow ${describe} must be a function.`);
  entries.push({ fn, config, cron: validate(config, describe), describe });
}

type AnyDecorator = (target: unknown, keyOrContext: unknown, descriptor?: PropertyDescriptor) => any;

/** `@DBOS.scheduled(config)`, next to `@DBOS.workflow()` on a static method (either order). */
export function scheduledDecorator(config: SchedulerConfig): AnyDecorator {
  return (target, keyOrContext, descriptor) => {
    const standard = typeof keyOrContext === 'object' && keyOrContext !== null && 'kind' in keyOrContext;
    const methodName = standard ? String((keyOrContext as ClassMethodDecoratorContext).name) : String(keyOrContext);
    const fn = standard ? target : descriptor?.value;
    const describe = `"${methodName}"`;
    if (typeof fn !== 'function') throw new DBOSConfigurationError(`@DBOS.scheduled applies to methods; ${describe} is not one.`);
    entries.push({ fn, config: { ...config }, cron: validate(config, describe), describe });
    return standard ? undefined : descriptor;
  };
}

/** Forget every static schedule (DBOS.shutdown({ deregister: true })). */
export function clearScheduledWorkflows(): void {
  entries.length = 0;
}

/** The registration a schedule names: by its function, else by the name it was given. */
function findScheduled(registry: Registry, entry: ScheduledEntry) {
  const byFunction = registry.findByFunction(entry.fn as object);
  const byName = entry.config.name ? registry.findWorkflow(entry.config.className ?? '', entry.config.name) : undefined;
  return byFunction ?? byName;
}

/** At launch: each schedule's workflow, or a DBOSConfigurationError when one names no registered workflow. */
export function resolveSchedules(registry: Registry): ResolvedSchedule[] {
  return entries.map((entry) => {
    const registration = findScheduled(registry, entry);
    if (!registration || registration.kind !== 'workflow') {
      throw new DBOSConfigurationError(
        `Scheduled function ${entry.describe} is not a registered workflow: register it with DBOS.registerWorkflow ` +
          'or @DBOS.workflow() before DBOS.launch().',
      );
    }
    if (registration.isInstanceMethod) {
      throw new DBOSConfigurationError(
        `Scheduled workflow ${entry.describe} is an instance method: a schedule has no instance to run it on. ` +
          'Schedule a static method or a function.',
      );
    }
    return {
      registration,
      qualifiedName: qualifiedName(registration.className, registration.name),
      cron: entry.cron,
      mode: entry.config.mode ?? SchedulerMode.ExactlyOncePerIntervalWhenActive,
      queueName: entry.config.queueName,
    };
  });
}

/** One line per static schedule, for DBOS.logRegisteredEndpoints: the workflow, its crontab and its options. */
export function describeStaticSchedules(registry: Registry): string[] {
  return entries.map((entry) => {
    const registration = findScheduled(registry, entry);
    const name = registration ? qualifiedName(registration.className, registration.name) : entry.describe;
    const options: string[] = [entry.config.mode ?? SchedulerMode.ExactlyOncePerIntervalWhenActive];
    if (entry.config.queueName) options.push(`queue ${entry.config.queueName}`);
    if (entry.config.timezone) options.push(`time zone ${entry.config.timezone}`);
    return `${name} @ ${entry.config.crontab} (${options.join(', ')})`;
  });
}
