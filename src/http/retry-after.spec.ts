import { parseRetryAfter } from './retry-after';

describe('parseRetryAfter', () => {
  const now = new Date('2025-01-01T00:00:00Z');
  it.each<[string | undefined, number | undefined]>([
    ['120', 120],
    [' 0 ', 0],
    ['Wed, 01 Jan 2025 00:01:30 GMT', 90],
    ['Tue, 31 Dec 2024 23:00:00 GMT', 0],
    [undefined, undefined],
    ['', undefined],
    ['-5', undefined],
    ['1.5', undefined],
    ['soon', undefined],
    ['99999999999999999999', undefined],
  ])('%p → %p', (header, expected) => {
    expect(parseRetryAfter(header, now)).toBe(expected);
  });
});
