import { exceedsDepth, jsonbText, jsonFromFormField, MAX_JSON_DEPTH, nulPaths } from './input-rules';

const nested = (levels: number): unknown => {
  let v: unknown = {};
  for (let i = 1; i < levels; i++) v = i % 2 ? [v] : { a: v };
  return v;
};

describe('input rules', () => {
  it('depth counts the top-level container as level 1, and walks 100,000 levels without recursion', () => {
    expect(exceedsDepth('text')).toBe(false);
    expect(exceedsDepth(nested(MAX_JSON_DEPTH))).toBe(false);
    expect(exceedsDepth(nested(MAX_JSON_DEPTH + 1))).toBe(true);
    expect(exceedsDepth({ a: 1, b: [1, 2, { c: null }] }, 3)).toBe(false);
    expect(exceedsDepth({ a: 1, b: [1, 2, { c: {} }] }, 3)).toBe(true);
    expect(exceedsDepth(JSON.parse(`${'['.repeat(100_000)}${']'.repeat(100_000)}`))).toBe(true);
  });

  it('names every string and key holding a NUL by its path, in document order', () => {
    expect(nulPaths({ name: 'ok', runtime: { systemPrompt: 'a\u0000b' }, labels: ['x', '\u0000'], ['k\u0000']: 1 })).toEqual([
      'runtime.systemPrompt',
      'labels.1',
      'k\\0',
    ]);
    expect(nulPaths('\u0000', 'query')).toEqual(['query']);
    expect(nulPaths({ a: 'no nul', b: 1, c: null })).toEqual([]);
    expect(nulPaths(Array.from({ length: 50 }, () => '\u0000'))).toHaveLength(10);
  });

  it('jsonbText replaces real NUL escapes only: a backslash followed by the text "u0000" stays as it is', () => {
    const value = { ['k\u0000']: 'a\u0000b', literal: '\\u0000', both: '\\\u0000', evenRun: '\\\\u0000' };
    const back = JSON.parse(jsonbText(value)) as Record<string, string>;
    expect(back).toEqual({ ['k\uFFFD']: 'a\uFFFDb', literal: '\\u0000', both: '\\\uFFFD', evenRun: '\\\\u0000' });
    expect(jsonbText({ plain: 'text' })).toBe('{"plain":"text"}');
  });

  it('reads the JSON of a form field, refusing a missing field, bad JSON and deep nesting', () => {
    expect(jsonFromFormField({ payload: '{"a":1}' })).toEqual({ a: 1 });
    expect(() => jsonFromFormField({ other: '1' })).toThrow('a form body must carry its JSON in the payload field');
    expect(() => jsonFromFormField(undefined)).toThrow('payload field');
    expect(() => jsonFromFormField({ payload: '{' })).toThrow('payload is not valid JSON');
    expect(() => jsonFromFormField({ payload: `${'['.repeat(100)}${']'.repeat(100)}` })).toThrow('payload is nested too deeply (at most 64 levels)');
  });
});
