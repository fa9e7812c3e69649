import fc from 'fast-check';
import { chunkMrkdwn, markdownToMrkdwn, MAX_BLOCKS_PER_MESSAGE, SlackMessageChunk } from './slack-format';

// ---------------------------------------------------------------------------------------------------------------
// Helpers

const LINK = /<(?:https?:\/\/|mailto:)[^\s<>|]+(?:\|[^<>\n]*)?>/g;
const QUOTE_PREFIX = /^([ \t]*(?:(?:•|\d+\.) )*)>(?= |$)/gm;

/**
 * Slack's control characters in generated mrkdwn: `<` and `>` only in our `<url|label>` links and as a quote's
 * leading `>`; `&` only as `&amp; &lt; &gt;`. Returns null when fine, else the reason.
 */
function checkMrkdwn(text: string): string | null {
  const rest = text.replace(LINK, '').replace(QUOTE_PREFIX, '$1');
  if (/[<>]/.test(rest)) return `raw < or > in ${JSON.stringify(rest)}`;
  if (/&(?!(?:amp|lt|gt);)/.test(text)) return `bare & in ${JSON.stringify(text)}`;
  return null;
}

const sectionsOf = (messages: SlackMessageChunk[]): string[] => messages.flatMap((m) => m.blocks.map((b) => b.text.text));

/**
 * Text compared modulo whitespace, the ``` markers (with a quote's "> ") added at split points, and links too long
 * to keep (→ their label).
 */
const normalize = (text: string): string =>
  text
    .replace(/<([^<>|\n]*)\|([^<>\n]*)>/g, '$2')
    .replace(/<([^<>|\n]*)>/g, '$1')
    .replace(/[> \t]*```/g, '')
    .replace(/\s+/g, '');

/** ``` markers outside links (a link, label included, is one opaque unit to Slack and to the chunker). */
const countFences = (text: string): number => text.replace(LINK, '').split('```').length - 1;

function expectGoodMessages(text: string, messages: SlackMessageChunk[], sectionLimit: number, messageLimit: number): void {
  const links = new Set(text.match(LINK) ?? []);
  const balancedFences = countFences(text) % 2 === 0 && ![...links].some((link) => link.includes('```'));
  for (const message of messages) {
    expect(message.blocks.length).toBeGreaterThan(0);
    expect(message.blocks.length).toBeLessThanOrEqual(MAX_BLOCKS_PER_MESSAGE);
    expect(message.blocks.reduce((sum, b) => sum + b.text.text.length, 0)).toBeLessThanOrEqual(messageLimit);
    expect(message.text.length).toBeLessThanOrEqual(3000);
    expect(message.text).toMatch(/\S/);
    for (const block of message.blocks) {
      const section = block.text.text;
      expect(block).toEqual({ type: 'section', text: { type: 'mrkdwn', text: section } });
      expect(section.length).toBeLessThanOrEqual(sectionLimit);
      expect(section).toMatch(/\S/);
      // Links whole (each one of the original's) and entities whole.
      expect({ section, error: checkMrkdwn(section) }).toEqual({ section, error: null });
      for (const link of section.match(LINK) ?? []) expect(links.has(link)).toBe(true);
      // A code block cut in two is closed and re-opened. (Unless a link whose label holds ``` had to be unlinked.)
      if (balancedFences) expect(countFences(section) % 2).toBe(0);
    }
  }
  expect(normalize(sectionsOf(messages).join(''))).toBe(normalize(text));
}

const words = (n: number, seed = 1): string => {
  const vocabulary = ['agent', 'reply', 'slack', 'message', 'split', 'section', 'limit', 'paragraph', 'the', 'a', 'of'];
  return Array.from({ length: n }, (_, i) => vocabulary[(i * 7 + seed) % vocabulary.length]).join(' ');
};

// ---------------------------------------------------------------------------------------------------------------

describe('markdownToMrkdwn', () => {
  it.each([
    ['bold', '**bold** and __bold__', '*bold* and *bold*'],
    ['italic', '*it* and _it_', '_it_ and _it_'],
    ['bold italic', '***both***', '_*both*_'],
    ['strikethrough', '~~gone~~', '~gone~'],
    ['inline code, escaped', '`a<b> && c`', '`a&lt;b&gt; &amp;&amp; c`'],
    ['fence (language dropped), escaped', '```html\n<p>a & b</p>\n```', '```\n&lt;p&gt;a &amp; b&lt;/p&gt;\n```'],
    ['indented code block', '    x = 1\n    y = 2', '```\nx = 1\ny = 2\n```'],
    ['escaping', 'a < b && c > d', 'a &lt; b &amp;&amp; c &gt; d'],
    ['link', '[site](https://example.com/a?b=1&c=2)', '<https://example.com/a?b=1&amp;c=2|site>'],
    ['link with | in its text', '[a | b](https://x.y/p|q)', '<https://x.y/p%7Cq|a | b>'],
    ['link label is plain text', '[**bold** `code`](https://x.y)', '<https://x.y|bold code>'],
    ['link with < in its text', '[a <b>](https://x.y)', '<https://x.y|a &lt;b&gt;>'],
    ['link inside bold', '**see [x](https://x.y)**', '*see <https://x.y|x>*'],
    ['mailto link', '[m](mailto:a@b.c)', '<mailto:a@b.c|m>'],
    ['tg, relative and ftp links keep only their text', '[t](tg://x) [rel](/docs) [ftp](ftp://x.y)', 't rel ftp'],
    ['javascript: is not a link', '[x](javascript:alert(1))', '[x](javascript:alert(1))'],
    ['bare URLs and e-mails are linked', 'see https://x.y/z or a@b.com', 'see <https://x.y/z|https://x.y/z> or <mailto:a@b.com|a@b.com>'],
    ['headings', '# Title **bold**\n\ntext', '*Title bold*\n\ntext'],
    ['blockquote', '> quoted\n> more\n>\n> para', '> quoted\n> more\n>\n> para'],
    ['nested blockquote is flattened', '> a\n> > b', '> a\n>\n> b'],
    ['code in a blockquote', '> ```\n> x < y\n> ```', '> ```\n> x &lt; y\n> ```'],
    ['bullets, nested', '- a\n- b\n  - c\n    - d', '• a\n• b\n  • c\n    • d'],
    ['ordered list keeps its start', '3. a\n4. b', '3. a\n4. b'],
    ['list item continuation lines', '- first\n  second\n\n  para 2\n- b', '• first\n  second\n  para 2\n• b'],
    ['hr', 'a\n\n---\n\nb', 'a\n\n———\n\nb'],
    ['paragraphs, soft and hard breaks', 'a\nb\n\nc  \nd', 'a\nb\n\nc\nd'],
    ['image', '![a cat](https://x.y/cat.png) ![](https://x.y/d.png)', '<https://x.y/cat.png|a cat> <https://x.y/d.png>'],
    ['table', '| Name | Qty |\n|:--|--:|\n| apple | 3 |', '```\nName  | Qty\n------+----\napple |   3\n```'],
    ['raw HTML is text', '<b>hi</b>\n\n<div>\nx\n</div>', '&lt;b&gt;hi&lt;/b&gt;\n\n&lt;div&gt;\nx\n&lt;/div&gt;'],
    ['mentions typed by the agent stay text', '<!channel> <@U123>', '&lt;!channel&gt; &lt;@U123&gt;'],
    ['markdown entities are decoded, then escaped', '&amp; &lt; &copy;', '&amp; &lt; ©'],
    ['unicode and emoji', 'Привет **мир** 😀 — 你好', 'Привет *мир* 😀 — 你好'],
    ['empty input', '', ''],
    ['nothing visible: the source is sent as text', '```\n```', '```\n```'],
  ])('%s', (_name, markdown, mrkdwn) => {
    expect(markdownToMrkdwn(markdown)).toBe(mrkdwn);
    expect(checkMrkdwn(mrkdwn)).toBeNull();
  });
});

describe('chunkMrkdwn', () => {
  const small = { sectionLimit: 40, messageLimit: 12000 };

  it('keeps a short reply in one section', () => {
    expect(chunkMrkdwn('*hi* there')).toEqual([
      { text: '*hi* there', blocks: [{ type: 'section', text: { type: 'mrkdwn', text: '*hi* there' } }] },
    ]);
  });

  it('returns nothing for blank text', () => {
    expect(chunkMrkdwn('')).toEqual([]);
    expect(chunkMrkdwn(' \n\n ')).toEqual([]);
  });

  it('prefers a paragraph boundary, then a line break, then a space, then anywhere', () => {
    const split = (text: string): string[] => sectionsOf(chunkMrkdwn(text, small));
    expect(split(`${'a'.repeat(20)}\n\n${'b'.repeat(10)}\n${'c'.repeat(15)}`)).toEqual(['a'.repeat(20), `${'b'.repeat(10)}\n${'c'.repeat(15)}`]);
    expect(split(`aaaa bbbb\ncccc dddd eeee ffff gggg hhhh iiii`)).toEqual(['aaaa bbbb', 'cccc dddd eeee ffff gggg hhhh iiii']);
    expect(split(`${'word '.repeat(10)}end`)).toEqual(['word word word word word word word word', 'word word end']);
    expect(split('z'.repeat(100))).toEqual(['z'.repeat(40), 'z'.repeat(40), 'z'.repeat(20)]);
  });

  it('never cuts a link or an entity', () => {
    const split = (text: string): string[] => sectionsOf(chunkMrkdwn(text, small));
    expect(split(`${'x'.repeat(30)} <https://example.com/abc|label> y`)).toEqual(['x'.repeat(30), '<https://example.com/abc|label> y']);
    expect(split(`${'x'.repeat(36)}&amp;&amp;`)).toEqual(['x'.repeat(36), '&amp;&amp;']);
    expect(split(`${'x'.repeat(39)}😀`)).toEqual(['x'.repeat(39), '😀']);
  });

  it('turns a link too long for any section into its label', () => {
    const url = `https://example.com/${'p'.repeat(60)}`;
    expect(sectionsOf(chunkMrkdwn(`see <${url}|the docs> now`, small))).toEqual(['see the docs now']);
  });

  it('closes a code block at a split and re-opens it', () => {
    const code = Array.from({ length: 8 }, (_, i) => `line ${i}`).join('\n');
    expect(sectionsOf(chunkMrkdwn('```\n' + code + '\n```', small))).toEqual([
      '```\nline 0\nline 1\nline 2\nline 3\n```',
      '```\nline 4\nline 5\nline 6\nline 7\n```',
    ]);
    // …with the quote's "> " when the code block is in a quote.
    const quoted = Array.from({ length: 5 }, (_, i) => `> line ${i}`).join('\n');
    expect(sectionsOf(chunkMrkdwn('> ```\n' + quoted + '\n> ```', small))).toEqual([
      '> ```\n> line 0\n> line 1\n> line 2\n> ```',
      '> ```\n> line 3\n> line 4\n> ```',
    ]);
  });

  it('splits a 7,000-character reply into sections of at most 3000 characters', () => {
    // 20 paragraphs of 350 characters: 8 fit in a section.
    const paragraphs = Array.from({ length: 20 }, (_, i) => {
      const tail = ` &amp; <https://x.y/${i}|ref ${i}>.`;
      return `*Point ${i + 1}.* ${words(70, i)}`.slice(0, 350 - tail.length).trimEnd().padEnd(350 - tail.length, '!') + tail;
    });
    const text = paragraphs.join('\n\n');
    expect(text.length).toBeGreaterThanOrEqual(7000);
    const messages = chunkMrkdwn(text);
    expect(messages).toHaveLength(1);
    expect(messages[0].blocks).toHaveLength(3);
    expectGoodMessages(text, messages, 3000, 12000);
    for (const section of sectionsOf(messages)) expect(section).toMatch(/^\*Point \d+\.\*/);
    expect(messages[0].text.length).toBeLessThanOrEqual(3000);
    expect(messages[0].text.endsWith('…')).toBe(true);
  });

  it('splits a long code block into closed code blocks', () => {
    const code = Array.from({ length: 200 }, (_, i) => `  step(${i}) && check(${i} < n);`).join('\n');
    const messages = chunkMrkdwn(markdownToMrkdwn('```\n' + code + '\n```'));
    const sections = sectionsOf(messages);
    expect(sections.length).toBeGreaterThan(1);
    for (const section of sections) expect(section).toMatch(/^```\n[^`]+\n```$/);
    expect(sections.map((s) => s.slice(4, -4)).join('\n')).toBe(code.replace(/&/g, '&amp;').replace(/</g, '&lt;'));
  });

  it('starts a new message after 50 sections or messageLimit characters', () => {
    // One paragraph per section.
    const text = Array.from({ length: 120 }, (_, i) => `paragraph number ${i}`.padEnd(25, '.')).join('\n\n');
    const byBlocks = chunkMrkdwn(text, { sectionLimit: 40, messageLimit: 100000 });
    expect(byBlocks.map((m) => m.blocks.length)).toEqual([50, 50, 20]);
    const bySize = chunkMrkdwn(text, { sectionLimit: 40, messageLimit: 100 });
    for (const message of bySize) expect(message.blocks.reduce((n, b) => n + b.text.text.length, 0)).toBeLessThanOrEqual(100);
    expectGoodMessages(text, bySize, 40, 100);
  });

  it('rejects limits it cannot honour', () => {
    expect(() => chunkMrkdwn('x', { sectionLimit: 10 })).toThrow(RangeError);
    expect(() => chunkMrkdwn('x', { sectionLimit: 3000, messageLimit: 100 })).toThrow(RangeError);
  });
});

// ---------------------------------------------------------------------------------------------------------------
// Properties

const MARKDOWN_BITS = [
  '*', '**', '_', '__', '[', ']', '(', ')', '<', '>', '&', '`', '```', '```js\n', '#', '# ', '~', '~~', '|', '-',
  '- ', '1. ', '> ', '\\', '\n', '\n\n', '\n    ', ' ', '  ', '"', '&amp;', '&lt;', '<@U123>', '<!here>',
  'https://ex.com/a?b=1&c=2', 'a@b.co', '[x | y](https://x.y/q|r)', '[**b**](https://x.y/b)', '![i](https://x.y/i.png)',
  `[long](https://example.com/${'z'.repeat(80)})`, '---', '\n| a | b |\n|--|--|\n| 1 | 2 |\n', '😀', 'é', '你好',
];
const markdownArb = fc
  .array(
    fc.oneof(
      { weight: 4, arbitrary: fc.constantFrom(...MARKDOWN_BITS) },
      { weight: 2, arbitrary: fc.string({ unit: 'grapheme', maxLength: 10 }) },
      { weight: 1, arbitrary: fc.string({ unit: 'binary', maxLength: 6 }) },
      { weight: 3, arbitrary: fc.lorem({ maxCount: 12 }) },
    ),
    { maxLength: 120 },
  )
  .map((bits) => bits.join(''));
const longMarkdownArb = fc.array(markdownArb, { minLength: 5, maxLength: 25 }).map((parts) => parts.join('\n\n'));
const optionsArb = fc
  .tuple(fc.oneof(fc.integer({ min: 50, max: 200 }), fc.integer({ min: 50, max: 3000 })), fc.integer({ min: 1, max: 8 }))
  .map(([sectionLimit, factor]) => ({ sectionLimit, messageLimit: sectionLimit * factor }));

describe('properties', () => {
  it('converts any markdown to mrkdwn whose only control characters are our links and quotes', () => {
    fc.assert(
      fc.property(markdownArb, (markdown) => {
        expect(checkMrkdwn(markdownToMrkdwn(markdown))).toBeNull();
      }),
      { numRuns: 500 },
    );
  });

  it('splits any reply into sections within the limits, with links, entities and code blocks whole', () => {
    fc.assert(
      fc.property(markdownArb, optionsArb, (markdown, opts) => {
        const text = markdownToMrkdwn(markdown);
        expectGoodMessages(text, chunkMrkdwn(text, opts), opts.sectionLimit, opts.messageLimit);
      }),
      { numRuns: 400 },
    );
  });

  it('does the same for long replies', () => {
    fc.assert(
      fc.property(longMarkdownArb, optionsArb, (markdown, opts) => {
        const text = markdownToMrkdwn(markdown);
        expectGoodMessages(text, chunkMrkdwn(text, opts), opts.sectionLimit, opts.messageLimit);
      }),
      { numRuns: 200 },
    );
  });
});
