import fc from 'fast-check';
import { parseTelegramHtml, validateTelegramHtml } from '../../../test/fakes/telegram.fake';
import { markdownToTelegramHtml, splitTelegramHtml, toTelegramChunks, visibleLength } from './telegram-format';

// ---------------------------------------------------------------------------------------------------------------
// Helpers

const TAGS = new Set(['b', 'i', 'u', 's', 'code', 'pre', 'a', 'blockquote']);

/**
 * Telegram's HTML rules, as strict as this module needs them: only the supported tags, properly nested and closed;
 * `<`, `>` and `&` outside tags only as `&lt; &gt; &amp; &quot;`; `a` has an http(s)/tg/mailto href; `code` may
 * carry a language class only directly inside `pre`; nothing inside `code`; no link in a link, no code in a link,
 * no quote in a quote, `pre` only at the top level or in a quote. Returns null when valid, else the reason.
 */
function checkTelegramHtml(html: string): string | null {
  const stack: string[] = [];
  let i = 0;
  while (i < html.length) {
    const c = html[i];
    if (c === '&') {
      const entity = /^&(?:lt|gt|amp|quot);/.exec(html.slice(i, i + 6));
      if (!entity) return `bare "&" at ${i}`;
      i += entity[0].length;
      continue;
    }
    if (c === '>') return `bare ">" at ${i}`;
    if (c !== '<') {
      i++;
      continue;
    }
    const end = html.indexOf('>', i);
    if (end < 0) return `unterminated tag at ${i}`;
    const tag = html.slice(i, end + 1);
    i = end + 1;
    const closing = /^<\/([a-z]+)>$/.exec(tag);
    if (closing) {
      const open = stack.pop();
      if (open !== closing[1]) return `${tag} closes <${open}>`;
      continue;
    }
    const opening = /^<([a-z]+)(?: ([a-z]+)="([^"<>]*)")?>$/.exec(tag);
    if (!opening) return `malformed tag ${tag}`;
    const [, name, attrName, value] = opening;
    if (!TAGS.has(name)) return `unsupported tag ${tag}`;
    if (value !== undefined && /&(?!(?:lt|gt|amp|quot);)/.test(value)) return `bare "&" in ${tag}`;
    if (name === 'a') {
      if (attrName !== 'href' || !/^(?:https?:\/\/|tg:\/\/|mailto:)./.test(value)) return `bad link ${tag}`;
    } else if (attrName !== undefined) {
      const languageClass = name === 'code' && attrName === 'class' && /^language-[\w#+.-]+$/.test(value);
      if (!languageClass || stack[stack.length - 1] !== 'pre') return `unexpected attribute in ${tag}`;
    }
    if (stack.includes('code')) return `${tag} inside <code>`;
    if (stack.includes('pre') && name !== 'code') return `${tag} inside <pre>`;
    if ((name === 'a' || name === 'code' || name === 'pre') && stack.includes('a')) return `${tag} inside <a>`;
    if (name === 'blockquote' && stack.length > 0) return `${tag} inside <${stack.join('><')}>`;
    if (name === 'pre' && stack.some((t) => t !== 'blockquote')) return `${tag} inside <${stack.join('><')}>`;
    stack.push(name);
  }
  return stack.length > 0 ? `unclosed <${stack.join('><')}>` : null;
}

/** The text Telegram shows, decoded by the fake Telegram server (independently of the code under test). */
function visibleText(html: string): string {
  const parsed = parseTelegramHtml(html);
  if ('error' in parsed) throw new Error(`${parsed.error}: ${html}`);
  return parsed.text;
}

const LONE_SURROGATE = /[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/;

/** Every chunk is valid, fits the limit, is not blank, and the chunks' texts are the whole text, in order. */
function expectGoodChunks(html: string, chunks: string[], limit: number): void {
  for (const chunk of chunks) {
    expect({ chunk, error: checkTelegramHtml(chunk) }).toEqual({ chunk, error: null });
    expect({ chunk, error: validateTelegramHtml(chunk) }).toEqual({ chunk, error: null });
    const text = visibleText(chunk);
    expect(text.length).toBeLessThanOrEqual(limit);
    expect(visibleLength(chunk)).toBe(text.length);
    expect(text).toMatch(/\S/);
    if (!LONE_SURROGATE.test(html)) expect(text).not.toMatch(LONE_SURROGATE);
  }
  expectSameTextModuloSplitWhitespace(
    visibleText(html),
    chunks.map((chunk) => visibleText(chunk)),
  );
}

/** `parts` are consecutive pieces of `whole`, with nothing but whitespace left out between (and around) them. */
function expectSameTextModuloSplitWhitespace(whole: string, parts: string[]): void {
  let at = 0;
  for (const part of parts) {
    const found = whole.indexOf(part, at);
    expect({ part, found: found >= 0 }).toEqual({ part, found: true });
    expect(whole.slice(at, found)).toMatch(/^\s*$/);
    at = found + part.length;
  }
  expect(whole.slice(at)).toMatch(/^\s*$/);
}

const words = (n: number, seed = 1): string => {
  const vocabulary = ['agent', 'reply', 'telegram', 'message', 'split', 'chunk', 'limit', 'paragraph', 'the', 'a', 'of'];
  return Array.from({ length: n }, (_, i) => vocabulary[(i * 7 + seed) % vocabulary.length]).join(' ');
};

// ---------------------------------------------------------------------------------------------------------------

describe('markdownToTelegramHtml', () => {
  it.each([
    ['bold', '**bold** and __bold__', '<b>bold</b> and <b>bold</b>'],
    ['italic', '*it* and _it_', '<i>it</i> and <i>it</i>'],
    ['bold italic', '***both***', '<i><b>both</b></i>'],
    ['strikethrough', '~~gone~~', '<s>gone</s>'],
    ['inline code, escaped', '`a<b> && c`', '<code>a&lt;b&gt; &amp;&amp; c</code>'],
    ['fence with a language', '```ts\nconst a = 1;\n```', '<pre><code class="language-ts">const a = 1;</code></pre>'],
    ['fence without a language', '```\nplain\n  indented\n```', '<pre>plain\n  indented</pre>'],
    ['indented code block', '    x = 1\n    y = 2', '<pre>x = 1\ny = 2</pre>'],
    [
      'code block with <script> and &',
      '```html\n<script>alert("x") && y</script>\n```',
      '<pre><code class="language-html">&lt;script&gt;alert("x") &amp;&amp; y&lt;/script&gt;</code></pre>',
    ],
    ['link, & in the URL', '[site](https://example.com/a?b=1&c=2)', '<a href="https://example.com/a?b=1&amp;c=2">site</a>'],
    ['link title dropped', '[x](https://e.com "title")', '<a href="https://e.com">x</a>'],
    ['bold inside a link', '[**bold** text](https://x.y)', '<a href="https://x.y"><b>bold</b> text</a>'],
    ['link inside bold', '**see [x](https://x.y)**', '<b>see <a href="https://x.y">x</a></b>'],
    ['no <code> inside a link', '[`code`](https://x.y)', '<a href="https://x.y">code</a>'],
    ['tg and mailto links', '[t](tg://resolve?domain=x) [m](mailto:a@b.c)', '<a href="tg://resolve?domain=x">t</a> <a href="mailto:a@b.c">m</a>'],
    ['relative and ftp links keep only their text', '[rel](/docs) [ftp](ftp://x.y)', 'rel ftp'],
    ['javascript: is not a link', '[x](javascript:alert(1))', '[x](javascript:alert(1))'],
    ['empty link text shows the URL', '[](https://x.y)', '<a href="https://x.y">https://x.y</a>'],
    [
      'bare URLs and e-mails are linked',
      'see https://x.y/z. or a@b.com',
      'see <a href="https://x.y/z">https://x.y/z</a>. or <a href="mailto:a@b.com">a@b.com</a>',
    ],
    ['headings', '# Title\n\ntext\n\n## Sub *it*', '<b>Title</b>\n\ntext\n\n<b>Sub <i>it</i></b>'],
    ['blockquote', '> quoted\n> more', '<blockquote>quoted\nmore</blockquote>'],
    ['nested blockquote is flattened', '> a\n>\n> > b', '<blockquote>a\n\nb</blockquote>'],
    ['bullets, nested', '- a\n- b\n  - c\n    - d', '• a\n• b\n  • c\n    • d'],
    ['ordered list keeps its start', '3. a\n4. b\n\n1) x', '3. a\n4. b\n\n1. x'],
    ['ordered inside bullets', '- a\n  1. x\n  2. y', '• a\n  1. x\n  2. y'],
    ['loose list is compact', '- a\n\n- b', '• a\n• b'],
    ['list item continuation lines', '- first\n  second\n\n  para 2\n- b', '• first\n  second\n  para 2\n• b'],
    ['code block in a list', '- ```\n  code\n  ```', '• <pre>code</pre>'],
    ['hr', 'a\n\n---\n\nb', 'a\n\n———\n\nb'],
    ['paragraphs, soft and hard breaks', 'a\nb\n\nc  \nd', 'a\nb\n\nc\nd'],
    ['image', '![a cat](https://x.y/cat.png)', '<a href="https://x.y/cat.png">a cat</a>'],
    ['image without alt', '![](https://x.y/d.png)', '<a href="https://x.y/d.png">https://x.y/d.png</a>'],
    ['image with a relative URL', '![alt](/rel.png)', 'alt'],
    [
      'table',
      '| Name | Qty |\n|:--|--:|\n| **apple** | 3 |\n| kiwi | 12 |',
      '<pre>Name  | Qty\n------+----\napple |   3\nkiwi  |  12</pre>',
    ],
    ['raw inline HTML is text', '<b>hi</b> <script>x</script>', '&lt;b&gt;hi&lt;/b&gt; &lt;script&gt;x&lt;/script&gt;'],
    ['raw block HTML is text', '<div>\nx\n</div>', '&lt;div&gt;\nx\n&lt;/div&gt;'],
    ['markdown entities are decoded, then escaped', '&amp; &lt; &copy; &#x41;', '&amp; &lt; © A'],
    ['escaped punctuation', '\\*not italic\\* \\<b>', '*not italic* &lt;b&gt;'],
    ['quotes stay as they are in text', 'say "hi" & \'bye\'', 'say "hi" &amp; \'bye\''],
    ['unicode and emoji', 'Привет **мир** 😀 — 你好 👩‍💻', 'Привет <b>мир</b> 😀 — 你好 👩‍💻'],
    ['empty input', '', ''],
    ['nothing visible: the source is sent as text', '```\n```', '```\n```'],
  ])('%s', (_name, markdown, html) => {
    expect(markdownToTelegramHtml(markdown)).toBe(html);
    expect(checkTelegramHtml(html)).toBeNull();
    expect(validateTelegramHtml(html)).toBeNull();
  });

  it('escapes a " in a link URL', () => {
    for (const markdown of ['[q](https://e.com/a"b)', '<https://e.com/a"b>', '[q](<https://e.com/a"b c>)']) {
      const html = markdownToTelegramHtml(markdown);
      const href = /^<a href="([^"]*)">/.exec(html)?.[1];
      expect(href).toMatch(/^https:\/\/e\.com\/a(%22|&quot;)b/);
      expect(checkTelegramHtml(html)).toBeNull();
      expect(validateTelegramHtml(html)).toBeNull();
    }
    expect(markdownToTelegramHtml('[q](https://e.com/a"b)')).toBe('<a href="https://e.com/a%22b">q</a>');
  });

  it('never lets the agent produce a tag of its own', () => {
    const html = markdownToTelegramHtml('<a href="javascript:x">x</a> <b onclick="y">z</b>\n\n<pre>p</pre> <tg-spoiler>s</tg-spoiler>');
    expect(html).toBe(
      '&lt;a href="javascript:x"&gt;x&lt;/a&gt; &lt;b onclick="y"&gt;z&lt;/b&gt;\n\n&lt;pre&gt;p&lt;/pre&gt; &lt;tg-spoiler&gt;s&lt;/tg-spoiler&gt;',
    );
  });
});

describe('visibleLength', () => {
  it.each([
    ['', 0],
    ['plain', 5],
    ['<b>a&amp;b</b>', 3],
    ['&lt;&gt;&quot;', 3],
    ['<a href="https://x.y/?a=1&amp;b=2">link</a>', 4],
    ['<pre><code class="language-ts">x</code></pre>', 1],
    ['😀', 2],
  ])('%p → %p', (html, length) => {
    expect(visibleLength(html)).toBe(length);
  });
});

describe('splitTelegramHtml', () => {
  it('returns short input unchanged', () => {
    expect(splitTelegramHtml('<b>hi</b> there')).toEqual(['<b>hi</b> there']);
  });

  it('prefers a paragraph boundary, then a line break, then a space, then anywhere', () => {
    expect(splitTelegramHtml('aaaa\n\nbbbb\ncccc dddd', 12)).toEqual(['aaaa', 'bbbb', 'cccc dddd']);
    expect(splitTelegramHtml('aaa bbb\nccc ddd', 10)).toEqual(['aaa bbb', 'ccc ddd']);
    expect(splitTelegramHtml('aaa bbb ccc', 8)).toEqual(['aaa bbb', 'ccc']);
    expect(splitTelegramHtml('abcdefghij', 4)).toEqual(['abcd', 'efgh', 'ij']);
  });

  it('never cuts an entity, a surrogate pair or a tag', () => {
    expect(splitTelegramHtml('&amp;&amp;&amp;', 2)).toEqual(['&amp;&amp;', '&amp;']);
    expect(splitTelegramHtml('😀😀😀', 3)).toEqual(['😀', '😀', '😀']);
    expect(splitTelegramHtml('a😀b', 2)).toEqual(['a', '😀', 'b']);
    expect(splitTelegramHtml('ab<a href="https://x.y/a-long-path">cd</a>', 2)).toEqual([
      'ab',
      '<a href="https://x.y/a-long-path">cd</a>',
    ]);
  });

  it('closes open tags at a split and re-opens them with their attributes', () => {
    expect(splitTelegramHtml('<b>aaaa bbbb</b>', 5)).toEqual(['<b>aaaa</b>', '<b>bbbb</b>']);
    expect(splitTelegramHtml('<a href="https://x.y/?a=1&amp;b=2">one <i>two</i></a>', 4)).toEqual([
      '<a href="https://x.y/?a=1&amp;b=2">one</a>',
      '<a href="https://x.y/?a=1&amp;b=2"><i>two</i></a>',
    ]);
    expect(splitTelegramHtml('<pre><code class="language-py">x = 1\ny = 2</code></pre>', 6)).toEqual([
      '<pre><code class="language-py">x = 1</code></pre>',
      '<pre><code class="language-py">y = 2</code></pre>',
    ]);
  });

  it('leaves no empty tag pairs at the edges of a chunk', () => {
    expect(splitTelegramHtml('<b>aaaa</b> <i>bbbb</i>', 5)).toEqual(['<b>aaaa</b>', '<i>bbbb</i>']);
    expect(splitTelegramHtml('aaaa\n\n<blockquote>bbbb</blockquote>', 5)).toEqual(['aaaa', '<blockquote>bbbb</blockquote>']);
  });

  it("keeps a line's indentation after a split (code stays aligned)", () => {
    expect(splitTelegramHtml('<pre>a\n  b</pre>', 3)).toEqual(['<pre>a</pre>', '<pre>  b</pre>']);
  });

  it('leaves out blank chunks', () => {
    expect(splitTelegramHtml('')).toEqual([]);
    expect(splitTelegramHtml('  \n\n ')).toEqual([]);
    expect(splitTelegramHtml('<b> </b>')).toEqual([]);
    expect(splitTelegramHtml('a' + ' '.repeat(20) + 'b', 5)).toEqual(['a', 'b']);
  });

  it('rejects a limit below 2', () => {
    expect(() => splitTelegramHtml('abc', 1)).toThrow(RangeError);
    expect(() => splitTelegramHtml('abc', 2.5)).toThrow(RangeError);
  });

  it('splits a 9,000-character reply of paragraphs into 3 messages', () => {
    const paragraphs = Array.from({ length: 30 }, (_, i) => `**Point ${i + 1}.** ${words(60, i)}`.slice(0, 299) + '.');
    const markdown = paragraphs.join('\n\n');
    expect(markdown.length).toBeGreaterThanOrEqual(9000);
    const html = markdownToTelegramHtml(markdown);
    const chunks = splitTelegramHtml(html);
    expect(chunks).toHaveLength(3);
    expectGoodChunks(html, chunks, 4096);
    // Split at paragraph boundaries: every chunk starts with a paragraph.
    for (const chunk of chunks) expect(chunk).toMatch(/^<b>Point \d+\.<\/b>/);
  });

  it('splits a 10,000-character code block into <pre> blocks', () => {
    const lines = Array.from({ length: 250 }, (_, i) => `  line(${i}) && x < ${i};`.padEnd(40, '.'));
    const markdown = '```\n' + lines.join('\n') + '\n```';
    expect(lines.join('\n').length).toBeGreaterThanOrEqual(10000);
    const html = markdownToTelegramHtml(markdown);
    const chunks = splitTelegramHtml(html);
    expect(chunks.length).toBeGreaterThanOrEqual(3);
    for (const chunk of chunks) {
      expect(chunk.startsWith('<pre>')).toBe(true);
      expect(chunk.endsWith('</pre>')).toBe(true);
    }
    expectGoodChunks(html, chunks, 4096);
    // Split between lines, keeping each line whole (with its indentation).
    expect(chunks.map((chunk) => visibleText(chunk)).join('\n')).toBe(lines.join('\n'));
  });

  it('splits a fenced block with a language into <pre><code class> blocks', () => {
    const code = Array.from({ length: 300 }, (_, i) => `print(${i})`).join('\n');
    const chunks = toTelegramChunks('```python\n' + code + '\n```', 500);
    expect(chunks.length).toBeGreaterThan(1);
    for (const { html } of chunks) expect(html).toMatch(/^<pre><code class="language-python">[^<]*<\/code><\/pre>$/);
  });
});

describe('toTelegramChunks', () => {
  it('returns each chunk with its plain text', () => {
    expect(toTelegramChunks('**a** & <b>\n\nsecond *para*', 12)).toEqual([
      { html: '<b>a</b> &amp; &lt;b&gt;', plain: 'a & <b>' },
      { html: 'second <i>para</i>', plain: 'second para' },
    ]);
  });

  it('returns nothing for blank input', () => {
    expect(toTelegramChunks('')).toEqual([]);
    expect(toTelegramChunks(' \n ')).toEqual([]);
  });
});

// ---------------------------------------------------------------------------------------------------------------
// Properties

const MARKDOWN_BITS = [
  '*', '**', '_', '__', '[', ']', '(', ')', '<', '>', '&', '`', '```', '```ts\n', '#', '# ', '## ', '~', '~~', '|',
  '-', '- ', '* ', '1. ', '> ', '>> ', '\\', '\n', '\n\n', '\n    ', ' ', '  ', '\t', '"', "'", '&amp;', '&lt;',
  '&#128512;', '&nbsp;', 'https://ex.com/a?b=1&c="2"', 'a@b.co', '[x](https://x.y/q"r)', '[**b**](tg://x)',
  '![i](https://x.y/i.png)', '![i](/i.png)', '<b>', '</b>', '<script>', '<a href="x">', '---', '\n| a | b |\n|--|:-:|\n| 1 | 2 |\n',
  '😀', '👩‍💻', 'é', '你好', '\u200d', '\u00a0',
];
// The fragments above, arbitrary unicode (including astral characters) and words, glued together.
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
// Small limits make for many splits; large ones for splits inside long texts.
const limitArb = fc.oneof(fc.integer({ min: 50, max: 200 }), fc.integer({ min: 50, max: 4096 }));

describe('properties', () => {
  it('converts any markdown to valid Telegram HTML', () => {
    fc.assert(
      fc.property(markdownArb, (markdown) => {
        const html = markdownToTelegramHtml(markdown);
        expect(checkTelegramHtml(html)).toBeNull();
        expect(validateTelegramHtml(html)).toBeNull();
      }),
      { numRuns: 500 },
    );
  });

  it('splits any reply into valid, non-blank chunks within the limit that keep the whole text', () => {
    fc.assert(
      fc.property(markdownArb, limitArb, (markdown, limit) => {
        const html = markdownToTelegramHtml(markdown);
        expectGoodChunks(html, splitTelegramHtml(html, limit), limit);
      }),
      { numRuns: 400 },
    );
  });

  it('does the same for long replies', () => {
    fc.assert(
      fc.property(longMarkdownArb, limitArb, (markdown, limit) => {
        const html = markdownToTelegramHtml(markdown);
        const chunks = toTelegramChunks(markdown, limit);
        expectGoodChunks(
          html,
          chunks.map((chunk) => chunk.html),
          limit,
        );
        for (const chunk of chunks) expect(chunk.plain).toBe(visibleText(chunk.html));
      }),
      { numRuns: 200 },
    );
  });

  it('splits nothing that already fits', () => {
    fc.assert(
      fc.property(markdownArb, (markdown) => {
        const html = markdownToTelegramHtml(markdown);
        const expected = /\S/.test(visibleText(html)) ? [html] : [];
        expect(splitTelegramHtml(html, Math.max(2, visibleLength(html)))).toEqual(expected);
      }),
      { numRuns: 300 },
    );
  });
});
