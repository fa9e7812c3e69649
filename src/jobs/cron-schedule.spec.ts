import { nextOccurrence, scheduleProblem, timezoneProblem } from './cron-schedule';

describe('cron schedules of agent jobs', () => {
  it('accepts 5 and 6 fields, refuses the rest with a reason', () => {
    expect(scheduleProblem('0 9 * * 1-5')).toBeUndefined();
    expect(scheduleProblem('*/2 * * * * *')).toBeUndefined();
    expect(scheduleProblem('* * * *')).toMatch(/5 fields/);
    expect(scheduleProblem('61 * * * *')).toMatch(/not a valid cron expression/);
    expect(scheduleProblem('@daily')).toMatch(/5 fields/);
  });

  it('accepts IANA time zones only', () => {
    expect(timezoneProblem('Europe/Berlin')).toBeUndefined();
    expect(timezoneProblem('UTC')).toBeUndefined();
    expect(timezoneProblem('Mars/Olympus')).toMatch(/IANA/);
    expect(timezoneProblem('+02:00')).toMatch(/IANA/);
  });

  it('computes the next occurrence in the job’s time zone, strictly after `from`', () => {
    // 09:00 in Berlin is 08:00 UTC in winter, 07:00 UTC in summer
    expect(nextOccurrence('0 9 * * *', 'Europe/Berlin', new Date('2026-11-25T06:00:00Z')).toISOString()).toBe('2026-11-25T08:00:00.000Z');
    expect(nextOccurrence('0 9 * * *', 'Europe/Berlin', new Date('2026-07-01T06:00:00Z')).toISOString()).toBe('2026-07-01T07:00:00.000Z');
    expect(nextOccurrence('0 9 * * *', 'Europe/Berlin', new Date('2026-11-25T08:00:00Z')).toISOString()).toBe('2026-11-26T08:00:00.000Z');
    expect(nextOccurrence('*/2 * * * * *', 'UTC', new Date('2026-11-25T08:00:02.500Z')).toISOString()).toBe('2026-11-25T08:00:04.000Z');
  });
});
