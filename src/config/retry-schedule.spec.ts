import { parseRetrySchedule } from './retry-schedule';

describe('parseRetrySchedule', () => {
  it('parses offsets', () => {
    expect(parseRetrySchedule('0,60,300,1800,7200')).toEqual([0, 60, 300, 1800, 7200]);
    expect(parseRetrySchedule(' 0 , 5 ')).toEqual([0, 5]);
    expect(parseRetrySchedule('0')).toEqual([0]);
  });

  it('accepts fractions of a second (scaled schedules in tests)', () => {
    expect(parseRetrySchedule('0,0.5,1.25')).toEqual([0, 0.5, 1.25]);
  });

  it.each([
    ['', 'must not be empty'],
    ['  ', 'must not be empty'],
    ['0,,60', 'entry 2'],
    ['0,-5', 'entry 2 ("-5") must be a non-negative number'],
    ['0,1.', 'entry 2 ("1.")'],
    ['0,1.2345', 'entry 2 ("1.2345")'],
    ['0,abc', 'entry 2 ("abc")'],
    ['0,99999999999999999999', 'entry 2'],
    ['60,300', 'must start with 0'],
    ['0,60,60', 'strictly increasing (60 then 60)'],
    ['0,300,60', 'strictly increasing (300 then 60)'],
  ])('rejects %p', (spec, message) => {
    expect(() => parseRetrySchedule(spec)).toThrow('WEBHOOK_RETRY_SCHEDULE');
    expect(() => parseRetrySchedule(spec)).toThrow(message);
  });
});
