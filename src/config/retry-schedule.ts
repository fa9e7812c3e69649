/**
 * Webhook retry schedule: offsets in seconds after the FIRST attempt, one per attempt.
 * `"0,60,300,1800,7200"` = attempt 1 at once, attempt 2 one minute later, … five attempts in all.
 * Fractions of a second (`"0,0.5,1.5"`) are accepted so tests can run a scaled-down schedule.
 */
export function parseRetrySchedule(spec: string): number[] {
  const parts = spec.split(',').map((p) => p.trim());
  if (spec.trim() === '') throw new Error('WEBHOOK_RETRY_SCHEDULE must not be empty (e.g. "0,60,300,1800,7200")');
  const schedule = parts.map((part, index) => {
    if (!/^\d+(\.\d{1,3})?$/.test(part) || !Number.isSafeInteger(Math.round(Number(part) * 1000))) {
      throw new Error(
        `WEBHOOK_RETRY_SCHEDULE: entry ${index + 1} ("${part.slice(0, 20)}") must be a non-negative number of seconds (up to 3 decimals)`,
      );
    }
    return Number(part);
  });
  if (schedule[0] !== 0) throw new Error('WEBHOOK_RETRY_SCHEDULE must start with 0 (the first attempt)');
  schedule.forEach((offset, i) => {
    if (i > 0 && offset <= schedule[i - 1]) {
      throw new Error(`WEBHOOK_RETRY_SCHEDULE must be strictly increasing (${schedule[i - 1]} then ${offset})`);
    }
  });
  return schedule;
}
