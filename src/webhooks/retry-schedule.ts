/** When the next attempt of a webhook delivery is due, on the schedule `loadConfig` parsed (config/retry-schedule.ts). */

const JITTER_FRACTION = 0.1;

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
