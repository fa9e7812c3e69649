import { CronTime } from 'cron';

/**
 * Cron schedules of agent jobs, read by the `cron` package (which @nestjs/schedule uses): 5 fields
 * (`minute hour day-of-month month day-of-week`) or 6 with seconds first (`*\/2 * * * * *`), in an IANA time zone.
 */
export function scheduleProblem(schedule: string): string | undefined {
  const fields = schedule.trim().split(/\s+/);
  if (fields.length !== 5 && fields.length !== 6) return 'schedule must be a cron expression of 5 fields (minute hour day month weekday) or 6 (seconds first)';
  const r = CronTime.validateCronExpression(fields.join(' '));
  return r.valid ? undefined : `schedule is not a valid cron expression: ${r.error?.message ?? 'unknown problem'}`;
}

export function timezoneProblem(timezone: string): string | undefined {
  try {
    new Intl.DateTimeFormat('en-US', { timeZone: timezone });
  } catch {
    return 'timezone must be an IANA time zone, e.g. Europe/Berlin or UTC';
  }
  if (!/^[A-Za-z0-9_+\-/]+$/.test(timezone)) return 'timezone must be an IANA time zone, e.g. Europe/Berlin or UTC';
  return undefined;
}

/** The first occurrence strictly after `from`. Call only with a schedule and time zone that passed the checks above. */
export function nextOccurrence(schedule: string, timezone: string, from: Date): Date {
  const fields = schedule.trim().split(/\s+/).join(' ');
  // the zone must be passed again: without it the next date is computed in the process's zone
  return new CronTime(fields, timezone).getNextDateFrom(from, timezone).toJSDate();
}
