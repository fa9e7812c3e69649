/** Where a long text may be split into messages: shared by the platform formatters. */

/** Whitespace a message may end at (dropped at the split). */
export const BREAKABLE_SPACE = /^[ \t\r\n\f\v]$/;

/** Where a chunk may end: the whitespace run starting at `at` is dropped up to `resume`. Higher rank = preferred. */
export interface Break {
  at: number;
  resume: number;
  rank: number;
}
export const RANK = { anywhere: 0, space: 1, line: 2, paragraph: 3 } as const;

/**
 * `texts` is the text cut into units that must not be split (characters, entities, markers). For every unit index that
 * starts a whitespace run after visible text: where the next chunk resumes, and how good a split it is.
 */
export function findBreaks(texts: readonly string[]): Map<number, Break> {
  const breaks = new Map<number, Break>();
  for (let at = 1; at < texts.length; at++) {
    if (!BREAKABLE_SPACE.test(texts[at]) || BREAKABLE_SPACE.test(texts[at - 1])) continue;
    let end = at;
    let newlines = 0;
    let lastNewline = -1;
    for (; end < texts.length && BREAKABLE_SPACE.test(texts[end]); end++) {
      if (texts[end] === '\n') {
        newlines++;
        lastNewline = end;
      }
    }
    // After a line break, keep the next line's indentation (it matters in code blocks and nested lists).
    if (newlines >= 2) breaks.set(at, { at, resume: lastNewline + 1, rank: RANK.paragraph });
    else if (newlines === 1) breaks.set(at, { at, resume: lastNewline + 1, rank: RANK.line });
    else breaks.set(at, { at, resume: end, rank: RANK.space });
    at = end;
  }
  return breaks;
}
