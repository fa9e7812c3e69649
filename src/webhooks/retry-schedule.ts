/**
 * Webhook retry schedule: offsets in seconds after the FIRST attempt, one per attempt.
 * `"0,60,300,1800,7200"` = attempt 1 at once, attempt 2 one minute later, … five attempts in all.
 * Fractions of a second (`"0,0.5,1.5"`) are accepted so tests can run a scaled-down schedule.
 */

const JITTER_FRACTION = 0.1;

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

export interface NextAttemptInput {
  schedule: readonly number[];
  firstAttemptAt: Date;
  /** Attempts already made (1 after the first attempt failed). */
  attemptsMade: number;
  now: Date;
  /** From a 429/503 Retry-After header. */
  retryAfterSeconds?: number;
  /** Returns a number in [0, 1); defaults to Math.random. */
  random?: () => number;
}

/** When to make the next attempt, or null when the schedule is exhausted. Never earlier than `now`. */
export function nextAttemptAt(input: NextAttemptInput): Date | null {
  const { schedule, firstAttemptAt, attemptsMade, now, retryAfterSeconds, random = Math.random } = input;
  if (!Number.isInteger(attemptsMade) || attemptsMade < 0) throw new RangeError('attemptsMade must be a non-negative integer');
  if (attemptsMade >= schedule.length) return null;

  const at = (offsetSeconds: number) => firstAttemptAt.getTime() + offsetSeconds * 1000;
  const gap = attemptsMade > 0 ? schedule[attemptsMade] - schedule[attemptsMade - 1] : 0;
  const jitterMs = Math.min(Math.max(random(), 0), 1) * JITTER_FRACTION * gap * 1000;
  let when = at(schedule[attemptsMade]) + jitterMs;

  if (retryAfterSeconds !== undefined && Number.isFinite(retryAfterSeconds) && retryAfterSeconds >= 0) {
    const latest = attemptsMade + 1 < schedule.length ? at(schedule[attemptsMade + 1]) : when;
    when = Math.min(now.getTime() + retryAfterSeconds * 1000, latest);
  }
  return new Date(Math.max(Math.floor(when), now.getTime()));
}
