import { nextAttemptAt } from './retry-schedule';

describe('nextAttemptAt', () => {
  const schedule = [0, 60, 300, 1800];
  const first = new Date('2025-01-01T00:00:00.000Z');
  const plus = (seconds: number) => new Date(first.getTime() + seconds * 1000);
  const noJitter = () => 0;

  it('returns the scheduled time for each attempt', () => {
    expect(nextAttemptAt({ schedule, firstAttemptAt: first, attemptsMade: 0, now: first, random: noJitter })).toEqual(first);
    expect(nextAttemptAt({ schedule, firstAttemptAt: first, attemptsMade: 1, now: plus(1), random: noJitter })).toEqual(plus(60));
    expect(nextAttemptAt({ schedule, firstAttemptAt: first, attemptsMade: 3, now: plus(301), random: noJitter })).toEqual(plus(1800));
  });

  it('returns null once the schedule is exhausted', () => {
    expect(nextAttemptAt({ schedule, firstAttemptAt: first, attemptsMade: 4, now: plus(1801) })).toBeNull();
    expect(nextAttemptAt({ schedule, firstAttemptAt: first, attemptsMade: 9, now: plus(1801) })).toBeNull();
  });

  it('adds up to 10% of the gap from the previous step as jitter', () => {
    // attempt 3: gap 300 - 60 = 240 s, 10% = 24 s
    expect(nextAttemptAt({ schedule, firstAttemptAt: first, attemptsMade: 2, now: plus(61), random: () => 0.5 })).toEqual(plus(312));
    const max = nextAttemptAt({ schedule, firstAttemptAt: first, attemptsMade: 2, now: plus(61), random: () => 0.999999 });
    expect(max?.getTime()).toBeLessThan(plus(324).getTime());
    expect(max?.getTime()).toBeGreaterThan(plus(323.9).getTime());
  });

  it('is never earlier than now', () => {
    const late = plus(5000);
    expect(nextAttemptAt({ schedule, firstAttemptAt: first, attemptsMade: 1, now: late, random: noJitter })).toEqual(late);
  });

  it('honours Retry-After, capped at the following step', () => {
    const now = plus(61);
    // attempt 3 scheduled at 300; Retry-After 100 s moves it to 161
    expect(nextAttemptAt({ schedule, firstAttemptAt: first, attemptsMade: 2, now, retryAfterSeconds: 100, random: noJitter })).toEqual(
      plus(161),
    );
    // Retry-After later than the scheduled time, still before the next step (1800)
    expect(nextAttemptAt({ schedule, firstAttemptAt: first, attemptsMade: 2, now, retryAfterSeconds: 1000 })).toEqual(plus(1061));
    // capped at the next step
    expect(nextAttemptAt({ schedule, firstAttemptAt: first, attemptsMade: 2, now, retryAfterSeconds: 86400 })).toEqual(plus(1800));
  });

  it('caps Retry-After at the scheduled time for the last attempt', () => {
    const now = plus(301);
    expect(nextAttemptAt({ schedule, firstAttemptAt: first, attemptsMade: 3, now, retryAfterSeconds: 86400, random: noJitter })).toEqual(
      plus(1800),
    );
    expect(nextAttemptAt({ schedule, firstAttemptAt: first, attemptsMade: 3, now, retryAfterSeconds: 10, random: noJitter })).toEqual(
      plus(311),
    );
  });

  it('ignores an invalid Retry-After and rejects a bad attemptsMade', () => {
    expect(
      nextAttemptAt({ schedule, firstAttemptAt: first, attemptsMade: 1, now: first, retryAfterSeconds: -1, random: noJitter }),
    ).toEqual(plus(60));
    expect(() => nextAttemptAt({ schedule, firstAttemptAt: first, attemptsMade: -1, now: first })).toThrow(RangeError);
  });
});
