/**
 * Slack mrkdwn (as markdownToMrkdwn writes it) split into section blocks and messages Slack accepts: never inside a
 * link, mention or entity; a code fence cut by a split is closed and re-opened.
 */
import { Break, findBreaks, RANK } from '../../common/text-breaks';

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

export const FENCE = '```';

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
