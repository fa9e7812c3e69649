/**
 * An agent's Markdown reply → Slack mrkdwn, split into section blocks and messages Slack accepts.
 *
 * mrkdwn is not Markdown: *bold*, _italic_, ~strike~, <url|text> links, no headings or lists. Everything the agent
 * wrote is escaped (`&`, `<`, `>`), so the only links and mentions in the output are the ones this module emits.
 */
import { Break, findBreaks, RANK } from '../../common/text-breaks';
import { attr, inlinePlain, kind, layoutList, layoutTable, MdNode as Node, parseMarkdown, RULE, toTree } from '../../common/markdown-tree';

export interface SlackSectionBlock {
  type: 'section';
  text: { type: 'mrkdwn'; text: string };
}

export interface SlackMessageChunk {
  /** Plain fallback for notifications: the message's mrkdwn, cut to FALLBACK_LIMIT characters. */
  text: string;
  blocks: SlackSectionBlock[];
}

export interface MrkdwnChunkOptions {
  /** Max characters of one section block's text (Slack allows 3000). */
  sectionLimit: number;
  /** Max characters of all section texts of one message. */
  messageLimit: number;
}

export const DEFAULT_MRKDWN_CHUNK_OPTIONS: MrkdwnChunkOptions = { sectionLimit: 3000, messageLimit: 12000 };
/** Slack allows 50 blocks per message. */
export const MAX_BLOCKS_PER_MESSAGE = 50;
const FALLBACK_LIMIT = 3000;

const ESCAPES: Record<string, string> = { '&': '&amp;', '<': '&lt;', '>': '&gt;' };
const escapeText = (s: string): string => s.replace(/[&<>]/g, (c) => ESCAPES[c]);

const FENCE = '```';

// ---------------------------------------------------------------------------------------------------------------
// Markdown → mrkdwn

/** Converts Markdown to Slack mrkdwn. Input that renders to nothing visible (e.g. an empty code block) is sent as text. */
export function markdownToMrkdwn(markdown: string): string {
  const text = renderBlocks(parseMarkdown(markdown), { listDepth: 0, inQuote: false });
  return /\S/.test(text) || !/\S/.test(markdown) ? text : escapeText(markdown.trim());
}

interface BlockContext {
  /** How many lists enclose this block (nested list markers are indented by INDENT per level). */
  listDepth: number;
  /** Slack can't nest quotes: an inner quote's lines get no second "> ". */
  inQuote: boolean;
}

function renderBlocks(nodes: Node[], ctx: BlockContext, separator = '\n\n'): string {
  return nodes
    .map((node) => renderBlock(node, ctx))
    .filter((text) => text !== '')
    .join(separator);
}

function renderBlock(node: Node, ctx: BlockContext): string {
  const { token } = node;
  switch (kind(node)) {
    case 'paragraph':
      return renderBlocks(node.children, ctx, '\n');
    case 'heading': {
      // Already bold: strong inside the heading adds no second pair of `*`; bold can't span lines.
      const inline = node.children.flatMap((child) => toTree(child.token.children ?? []));
      const text = renderInline(inline, { bold: true }).replace(/\n/g, ' ');
      return text === '' ? '' : `*${text}*`;
    }
    case 'blockquote': {
      const inner = renderBlocks(node.children, { ...ctx, inQuote: true });
      if (ctx.inQuote || inner === '') return inner;
      return inner
        .split('\n')
        .map((line) => (line === '' ? '>' : `> ${line}`))
        .join('\n');
    }
    case 'bullet_list':
    case 'ordered_list':
      return renderList(node, ctx);
    case 'fence':
    case 'code_block': {
      const code = token.content.replace(/\n$/, '');
      return code === '' ? '' : `${FENCE}\n${escapeText(code)}\n${FENCE}`;
    }
    case 'hr':
      return RULE;
    case 'table':
      return renderTable(node);
    case 'inline':
      return renderInline(toTree(token.children ?? []), {});
    default:
      return node.children.length > 0 ? renderBlocks(node.children, ctx) : escapeText(token.content);
  }
}

/** Lists become text lines: "• item" / "3. item", nested lists indented by INDENT per level. */
function renderList(node: Node, ctx: BlockContext): string {
  return layoutList(node, ctx.listDepth, (child, listDepth) => renderBlock(child, { ...ctx, listDepth }));
}

/** Tables become a code block of aligned columns (mrkdwn has no tables); cell formatting is dropped. */
function renderTable(node: Node): string {
  const table = layoutTable(node);
  return table ? `${FENCE}\n${escapeText(table)}\n${FENCE}` : '';
}

/** Which markers already enclose the text: Slack doesn't nest a marker inside itself. */
interface InlineContext {
  bold?: boolean;
  italic?: boolean;
  strike?: boolean;
}
const INLINE_MARKERS: Record<string, { marker: string; flag: keyof InlineContext }> = {
  strong: { marker: '*', flag: 'bold' },
  em: { marker: '_', flag: 'italic' },
  s: { marker: '~', flag: 'strike' },
};

function renderInline(nodes: Node[], ctx: InlineContext): string {
  return nodes
    .map((node) => {
      const { token, children } = node;
      const type = kind(node);
      const style: (typeof INLINE_MARKERS)[string] | undefined = INLINE_MARKERS[type];
      if (style !== undefined) {
        const inner = renderInline(children, { ...ctx, [style.flag]: true });
        return ctx[style.flag] || inner === '' ? inner : `${style.marker}${inner}${style.marker}`;
      }
      switch (type) {
        case 'text':
        case 'text_special':
        case 'html_inline':
          return escapeText(token.content);
        case 'softbreak':
        case 'hardbreak':
          return '\n';
        case 'code_inline':
          return `\`${escapeText(token.content)}\``;
        case 'link':
          // mrkdwn link labels are plain text on one line.
          return link(attr(token, 'href'), inlinePlain(children));
        case 'image':
          return link(attr(token, 'src'), inlinePlain(toTree(token.children ?? [])));
        default:
          return children.length > 0 ? renderInline(children, ctx) : escapeText(token.content);
      }
    })
    .join('');
}

/** `<url|label>` for http(s)/mailto URLs (markdown-it has percent-encoded `|`, `<`, `>` and spaces); else the label. */
function link(href: string | null, label: string): string {
  const text = escapeText(label.replace(/\s+/g, ' ').trim());
  const url = href?.trim() ?? '';
  if (!/^(?:https?:\/\/[^\s/?#|<>]|mailto:[^\s|<>])[^\s|<>]*$/i.test(url)) return text;
  return text === '' ? `<${escapeText(url)}>` : `<${escapeText(url)}|${text}>`;
}

// ---------------------------------------------------------------------------------------------------------------
// Splitting

/**
 * A unit the splitter never cuts: a `<…>` link or mention, an entity like `&amp;`, a ``` fence marker, a surrogate
 * pair, or any other single character.
 */
interface Atom {
  text: string;
  fence: boolean;
}

/** Text before a fence marker on its line that is repeated when the fence is re-opened (a quote's "> "). */
const FENCE_PREFIX = /^[> \t]{0,8}$/;

function toAtoms(text: string): Atom[] {
  const atoms: Atom[] = [];
  let i = 0;
  while (i < text.length) {
    const rest = text.slice(i, i + 16);
    let length = 1;
    if (rest.startsWith(FENCE)) {
      atoms.push({ text: FENCE, fence: true });
      i += FENCE.length;
      continue;
    } else if (text[i] === '<') {
      const end = text.slice(i + 1).search(/[<>\n]/);
      if (end >= 0 && text[i + 1 + end] === '>') length = end + 2;
    } else if (text[i] === '&') {
      length = /^&(?:[a-zA-Z][a-zA-Z0-9]*|#\d{1,7}|#[xX][0-9a-fA-F]{1,6});/.exec(rest)?.[0].length ?? 1;
    } else if (/[\ud800-\udbff]/.test(text[i]) && /[\udc00-\udfff]/.test(text[i + 1] ?? '')) {
      length = 2;
    }
    atoms.push({ text: text.slice(i, i + length), fence: false });
    i += length;
  }
  return atoms;
}

/** Whether the text so far is inside a code block: `open` is undefined outside, else the prefix to repeat. */
interface FenceState {
  open: string | undefined;
  /** The start of the current line (enough of it to test FENCE_PREFIX). */
  line: string;
}

function stepFence(state: FenceState, atom: Atom): void {
  if (atom.fence) state.open = state.open === undefined ? (FENCE_PREFIX.test(state.line) ? state.line : '') : undefined;
  state.line = atom.text === '\n' ? '' : (state.line + atom.text).slice(0, 9);
}

/**
 * The code block state before each atom (and after the last): undefined outside code, else the text before the
 * opening ``` on its line when that is a quote's "> " (repeated when the block is re-opened), or "".
 */
function fenceStates(atoms: Atom[]): (string | undefined)[] {
  const state: FenceState = { open: undefined, line: '' };
  const states: (string | undefined)[] = [];
  for (const atom of atoms) {
    states.push(state.open);
    stepFence(state, atom);
  }
  states.push(state.open);
  return states;
}

/**
 * A `<url|label>` too long for a section (with the markers of the code block it is in) can't be kept whole: it
 * becomes its label (or URL) as plain text, whose ``` markers count like any others.
 */
function fitLinks(input: Atom[], sectionLimit: number): Atom[] {
  const atoms = [...input];
  const state: FenceState = { open: undefined, line: '' };
  for (let i = 0; i < atoms.length; i++) {
    const { text } = atoms[i];
    const room = sectionLimit - (state.open === undefined ? 0 : 2 * (state.open.length + FENCE.length + 1));
    if (text[0] === '<' && text.length > room) {
      const bar = text.indexOf('|');
      atoms.splice(i, 1, ...toAtoms(bar >= 0 ? text.slice(bar + 1, -1) : text.slice(1, -1)));
      i--; // look at the label's first atom next
      continue;
    }
    stepFence(state, atoms[i]);
  }
  return atoms;
}

/** Splits mrkdwn into sections of at most `sectionLimit` characters (see chunkMrkdwn). */
function splitSections(text: string, sectionLimit: number): string[] {
  const atoms = fitLinks(toAtoms(text), sectionLimit);
  const fenceAt = fenceStates(atoms);
  const breaks = findBreaks(atoms.map((a) => a.text));
  const reopen = (i: number): string => (fenceAt[i] === undefined ? '' : `${fenceAt[i]}${FENCE}\n`);
  const close = (i: number): string => (fenceAt[i] === undefined ? '' : `\n${fenceAt[i]}${FENCE}`);
  // An opening fence is not a good last atom: it would leave an empty code block behind.
  const opensFence = (i: number): boolean => atoms[i].fence && fenceAt[i] === undefined;

  const sections: string[] = [];
  let start = 0;
  while (start < atoms.length) {
    const head = reopen(start);
    let used = head.length;
    let end = start;
    let best: Break | undefined;
    // Walk forward while the atoms fit; remember the best place to stop (ties go to the later one).
    while (end < atoms.length && used + atoms[end].text.length <= sectionLimit) {
      used += atoms[end++].text.length;
      if (end === atoms.length) break;
      // Ending the section here means closing an open code block, which costs characters too.
      if (used + close(end).length > sectionLimit || opensFence(end - 1)) continue;
      const brk = breaks.get(end) ?? { at: end, resume: end, rank: RANK.anywhere };
      if (!best || brk.rank >= best.rank) best = brk;
    }
    if (end === atoms.length) {
      pushSection(sections, head, atoms.slice(start), '');
      break;
    }
    // Nothing fits (can't happen with the minimum limit); take one atom so the loop always advances.
    best ??= { at: start + 1, resume: start + 1, rank: RANK.anywhere };
    pushSection(sections, head, atoms.slice(start, best.at), close(best.at));
    start = best.resume;
  }
  return sections;
}

/** Adds a section unless it holds nothing visible (Slack rejects blank section text). */
function pushSection(sections: string[], head: string, body: Atom[], tail: string): void {
  const text = body.map((atom) => atom.text).join('');
  if (/\S/.test(text)) sections.push(head + text + tail);
}

/**
 * Splits mrkdwn into Slack messages of section blocks.
 *
 * Each section's text is at most `sectionLimit` characters, split by preference at a paragraph boundary (blank line),
 * a line break, a space, or else anywhere — never inside a `<…>` link or mention, an entity like `&amp;`, a ``` marker
 * or a surrogate pair. The whitespace at a split point is dropped (a line's indentation is kept). A code block cut in
 * two is closed at the end of one section and re-opened at the start of the next. Each message has at most 50
 * sections and `messageLimit` characters of section text; `text` is its fallback for notifications.
 */
export function chunkMrkdwn(text: string, opts: Partial<MrkdwnChunkOptions> = {}): SlackMessageChunk[] {
  const { sectionLimit, messageLimit } = { ...DEFAULT_MRKDWN_CHUNK_OPTIONS, ...opts };
  if (!Number.isInteger(sectionLimit) || sectionLimit < 40) {
    throw new RangeError(`sectionLimit must be an integer >= 40, got ${sectionLimit}`);
  }
  if (!Number.isInteger(messageLimit) || messageLimit < sectionLimit) {
    throw new RangeError(`messageLimit must be an integer >= sectionLimit, got ${messageLimit}`);
  }

  const messages: SlackSectionBlock[][] = [];
  let current: SlackSectionBlock[] = [];
  let size = 0;
  for (const section of splitSections(text, sectionLimit)) {
    if (current.length === MAX_BLOCKS_PER_MESSAGE || size + section.length > messageLimit) {
      messages.push(current);
      current = [];
      size = 0;
    }
    current.push({ type: 'section', text: { type: 'mrkdwn', text: section } });
    size += section.length;
  }
  if (current.length > 0) messages.push(current);
  return messages.map((blocks) => ({ text: fallbackText(blocks.map((b) => b.text.text).join('\n')), blocks }));
}

/** The message's mrkdwn, cut (between atoms) to FALLBACK_LIMIT characters with an ellipsis. */
function fallbackText(text: string): string {
  if (text.length <= FALLBACK_LIMIT) return text;
  let out = '';
  for (const atom of toAtoms(text)) {
    if (out.length + atom.text.length > FALLBACK_LIMIT - 1) break;
    out += atom.text;
  }
  return `${out.trimEnd()}…`;
}
