/**
 * Telegram HTML (as markdownToTelegramHtml writes it) split into messages of at most a limit of visible characters,
 * at the best break (paragraph, line, sentence, word), closing the open tags at the end of a part and reopening
 * them at the start of the next.
 */
import { Break, findBreaks, RANK } from '../../common/text-breaks';

export const TELEGRAM_MESSAGE_LIMIT = 4096;

// ---------------------------------------------------------------------------------------------------------------
// Telegram HTML → pieces (tags and visible characters)

interface OpenTag {
  kind: 'open';
  name: string;
  raw: string;
}
type Piece =
  | OpenTag
  | { kind: 'close'; name: string; raw: string }
  /** One visible character as written (`&amp;` or a surrogate pair is a single piece) and what it displays. */
  | { kind: 'char'; raw: string; text: string };

const NAMED_ENTITIES: Record<string, string> = { amp: '&', lt: '<', gt: '>', quot: '"' };

/** Splits Telegram HTML into tags and visible characters. Assumes valid input (as produced by this module). */
function toPieces(html: string): Piece[] {
  const pieces: Piece[] = [];
  let i = 0;
  while (i < html.length) {
    const c = html[i];
    if (c === '<') {
      const end = tagEnd(html, i);
      if (end > 0) {
        const raw = html.slice(i, end);
        const name = (/^<\/?\s*([a-zA-Z][\w-]*)/.exec(raw)?.[1] ?? '').toLowerCase();
        pieces.push({ kind: raw[1] === '/' ? 'close' : 'open', name, raw });
        i = end;
        continue;
      }
    }
    if (c === '&') {
      const entity = /^&(?:#(\d{1,7})|#[xX]([0-9a-fA-F]{1,6})|([a-zA-Z][a-zA-Z0-9]*));/.exec(html.slice(i, i + 16));
      if (entity) {
        pieces.push({ kind: 'char', raw: entity[0], text: decodeEntity(entity) });
        i += entity[0].length;
        continue;
      }
    }
    const code = html.charCodeAt(i);
    const pair = code >= 0xd800 && code <= 0xdbff && /[\udc00-\udfff]/.test(html[i + 1] ?? '');
    const raw = html.slice(i, pair ? i + 2 : i + 1);
    pieces.push({ kind: 'char', raw, text: raw });
    i += raw.length;
  }
  return pieces;
}

/** Index just past the `>` closing the tag that starts at `start` (quoted attribute values may hold `>`), or -1. */
function tagEnd(html: string, start: number): number {
  let quote = '';
  for (let j = start + 1; j < html.length; j++) {
    const c = html[j];
    if (quote) {
      if (c === quote) quote = '';
    } else if (c === '"' || c === "'") {
      quote = c;
    } else if (c === '>') {
      return j + 1;
    }
  }
  return -1;
}

function decodeEntity(match: RegExpExecArray): string {
  const [raw, decimal, hex, name] = match;
  if (name !== undefined) return NAMED_ENTITIES[name] ?? raw;
  const code = decimal !== undefined ? parseInt(decimal, 10) : parseInt(hex, 16);
  const valid = code > 0 && code <= 0x10ffff && (code < 0xd800 || code > 0xdfff);
  return valid ? String.fromCodePoint(code) : raw;
}

export function htmlToPlain(html: string): string {
  return toPieces(html)
    .map((piece) => (piece.kind === 'char' ? piece.text : ''))
    .join('');
}

/** Length of the text Telegram displays (tags removed, entities decoded), in UTF-16 code units like `.length`. */
export function visibleLength(html: string): number {
  return htmlToPlain(html).length;
}

// ---------------------------------------------------------------------------------------------------------------
// Splitting

/**
 * Splits Telegram HTML into chunks of at most `limit` visible UTF-16 code units, each valid on its own.
 *
 * Chunks end, by preference, at a paragraph boundary (blank line), a line break, a space, or else anywhere — never
 * inside a tag, an entity or a surrogate pair. The whitespace at a split point is dropped (but a line's indentation,
 * e.g. in code, is kept). Tags open at a split are closed at the end of the chunk and re-opened, with the same
 * attributes, at the start of the next one. Chunks without visible non-whitespace text are left out.
 */
export function splitTelegramHtml(html: string, limit = TELEGRAM_MESSAGE_LIMIT): string[] {
  // A surrogate pair (or an entity of one) is 2 code units and can't be split.
  if (!Number.isInteger(limit) || limit < 2) throw new RangeError(`limit must be an integer >= 2, got ${limit}`);
  const pieces = toPieces(html);
  const chars = pieces.flatMap((piece, index) => (piece.kind === 'char' ? [{ index, text: piece.text }] : []));
  const breaks = findBreaks(chars.map((c) => c.text));

  // The open-tag stack, advanced piece by piece; chunk boundaries only move forward.
  const stack: OpenTag[] = [];
  let cursor = 0;
  const stackAt = (pieceIndex: number): OpenTag[] => {
    for (; cursor < pieceIndex; cursor++) {
      const piece = pieces[cursor];
      if (piece.kind === 'open') stack.push(piece);
      if (piece.kind === 'close') {
        const at = stack.map((p) => p.name).lastIndexOf(piece.name);
        if (at >= 0) stack.length = at;
      }
    }
    return [...stack];
  };

  const chunks: string[] = [];
  let start = 0; // first char of the current chunk
  let startPiece = 0; // first piece of the current chunk (0 keeps leading tags of the first chunk as written)
  while (start < chars.length) {
    // The longest run of chars from `start` that fits, and the best break inside it.
    let used = 0;
    let end = start;
    while (end < chars.length && used + chars[end].text.length <= limit) used += chars[end++].text.length;

    let endPiece: number;
    let resume: number;
    if (end === chars.length) {
      endPiece = pieces.length;
      resume = end;
    } else {
      const brk = bestBreak(breaks, start, end);
      resume = brk.resume;
      // Close tags right after the last char stay in this chunk; opening tags before `resume` go to the next.
      endPiece = chars[brk.at - 1].index + 1;
      while (pieces[endPiece]?.kind === 'close') endPiece++;
      end = brk.at;
    }

    const reopen = stackAt(startPiece)
      .map((p) => p.raw)
      .join('');
    const body = pieces
      .slice(startPiece, endPiece)
      .map((p) => p.raw)
      .join('');
    const close = stackAt(endPiece)
      .reverse()
      .map((p) => `</${p.name}>`)
      .join('');
    if (chars.slice(start, end).some((c) => /\S/.test(c.text))) chunks.push(reopen + body + close);

    start = resume;
    startPiece = chars[resume]?.index ?? pieces.length;
  }
  return chunks;
}

/**
 * The preferred break for a chunk made of chars [start, end) that can't hold char `end`: the last break of the
 * highest rank at or before `end` that leaves visible text in the chunk, or else a hard cut at `end`.
 */
function bestBreak(breaks: Map<number, Break>, start: number, end: number): Break {
  let best: Break = { at: end, resume: end, rank: RANK.anywhere };
  for (let at = end; at > start; at--) {
    const brk = breaks.get(at);
    if (brk && brk.rank > best.rank) best = brk;
    if (best.rank === RANK.paragraph) break;
  }
  return best;
}
