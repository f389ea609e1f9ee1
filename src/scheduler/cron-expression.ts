/**
 * Crontab parsing and next fire times (pure). Five fields (minute hour
 * day-of-month month day-of-week) or six with leading seconds; names for
 * months and weekdays, ranges, steps, lists, `7` = Sunday, `L` and `#`
 * (croner's syntax). An optional IANA time zone (default: the process's
 * local zone, as cron does) is a durably extension.
 */
import { Cron } from 'croner';
import { DBOSConfigurationError } from '../errors/errors.ts';

export class CronExpression {
  private readonly cron: Cron;

  private constructor(
    readonly crontab: string,
    readonly timezone: string | undefined,
  ) {
    this.cron = new Cron(crontab, { paused: true, mode: '5-or-6-parts', timezone });
  }

  /** Parse and validate a crontab; throws DBOSConfigurationError naming `what` when it is not valid. */
  static parse(crontab: string, timezone?: string, what = 'Schedule'): CronExpression {
    if (typeof crontab !== 'string' || crontab.trim() === '') {
      throw new DBOSConfigurationError(`${what}: crontab must be a non-empty string, got ${JSON.stringify(crontab)}.`);
    }
    const fields = crontab.trim().split(/\s+/).length;
    if (fields !== 5 && fields !== 6) {
      throw new DBOSConfigurationError(
        `${what}: crontab "${crontab}" has ${fields} fields; expected 5 (minute hour day month weekday) or 6 (with leading seconds).`,
      );
    }
    if (timezone !== undefined) validateTimezone(timezone, what);
    try {
      return new CronExpression(crontab.trim(), timezone);
    } catch (error) {
      throw new DBOSConfigurationError(`${what}: invalid crontab "${crontab}": ${(error as Error).message}`, { cause: error });
    }
  }

  /** The first fire time strictly after `after`, or undefined if the schedule never fires again. */
  next(after: Date): Date | undefined {
    return this.cron.nextRun(after) ?? undefined;
  }

  /** Every fire time in (after, until], oldest first. */
  between(after: Date, until: Date): Date[] {
    const times: Date[] = [];
    for (let t = this.next(after); t && t.getTime() <= until.getTime(); t = this.next(t)) times.push(t);
    return times;
  }
}

function validateTimezone(timezone: string, what: string): void {
  try {
    new Intl.DateTimeFormat('en-US', { timeZone: timezone });
  } catch {
    throw new DBOSConfigurationError(`${what}: unknown time zone "${timezone}"; use an IANA name such as "Europe/Paris".`);
  }
}
