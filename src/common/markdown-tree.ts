/**
 * The Markdown side shared by the platform formatters: markdown-it's token stream as a tree, plain-text helpers and
 * the text layout of lists and tables (platforms without those elements show them as text). Each formatter renders
 * the tree into its own markup (Telegram HTML, Slack mrkdwn).
 */
import MarkdownIt from 'markdown-it';

export type Token = MarkdownIt.Token;

/** A markdown-it token with the tokens between its `_open` and `_close` (the close token itself is dropped). */
export interface MdNode {
  token: Token;
  children: MdNode[];
}

export const BULLET = '•';
export const RULE = '———';
export const INDENT = '  ';

const md = new MarkdownIt({ html: false, linkify: true, breaks: false });

/** Parses Markdown (raw HTML is text, bare URLs become links) into block nodes. */
export function parseMarkdown(markdown: string): MdNode[] {
  return toTree(md.parse(markdown, {}));
}

/** Nests the flat `_open`/`_close` token stream. markdown-it always balances them. */
export function toTree(tokens: Token[]): MdNode[] {
  const root: MdNode[] = [];
  const stack: MdNode[][] = [root];
  for (const token of tokens) {
    const siblings = stack[stack.length - 1];
    if (token.nesting === 1) {
      const node: MdNode = { token, children: [] };
      siblings.push(node);
      stack.push(node.children);
    } else if (token.nesting === -1) {
      if (stack.length > 1) stack.pop();
    } else {
      siblings.push({ token, children: [] });
    }
  }
  return root;
}

export const kind = (node: MdNode): string => node.token.type.replace(/_open$/, '');

/** markdown-it types attribute values as string | number. */
export const attr = (token: Token, name: string): string | null => {
  const value = token.attrGet(name);
  return value === null ? null : String(value);
};

/** Inline tokens as plain text (for table cells, link labels and image alt text). */
export function inlinePlain(nodes: MdNode[]): string {
  return nodes
    .map(({ token, children }) => {
      switch (token.type) {
        case 'inline':
        case 'image':
          return inlinePlain(toTree(token.children ?? []));
        case 'softbreak':
        case 'hardbreak':
          return '\n';
        case 'text':
        case 'text_special':
        case 'code_inline':
        case 'html_inline':
          return token.content;
        default:
          return inlinePlain(children);
      }
    })
    .join('');
}

/**
 * A bullet or numbered list as text: `• ` / `1. ` markers, nested lists indented by INDENT per level, an item's
 * continuation lines aligned with the text after its marker. `renderBlock` renders one child block of an item at the
 * given depth.
 */
export function layoutList(node: MdNode, listDepth: number, renderBlock: (child: MdNode, listDepth: number) => string): string {
  const ordered = kind(node) === 'ordered_list';
  let number = Number(attr(node.token, 'start') ?? 1);
  const indent = INDENT.repeat(listDepth);
  return node.children
    .map((item) => {
      const marker = ordered ? `${number++}.` : BULLET;
      const hang = indent + ' '.repeat(marker.length + 1);
      const parts = item.children
        .map((child, i) => {
          const text = renderBlock(child, listDepth + 1);
          if (text === '' || (kind(child) !== 'paragraph' && kind(child) !== 'heading')) return text;
          return (i === 0 ? '' : hang) + text.replace(/\n/g, '\n' + hang);
        })
        .filter((text) => text !== '');
      // A list as the item's first block ("- - a") starts on the marker's line.
      const body = parts.join('\n').replace(/^ +/, '');
      return body === '' ? indent + marker : `${indent}${marker} ${body}`;
    })
    .join('\n');
}

/**
 * A table as aligned plain-text columns (`a | b`, a `-+-` rule under the header); cell formatting is dropped.
 * Returns '' for a table with no visible text. The caller escapes it and wraps it in its code-block markup.
 */
export function layoutTable(node: MdNode): string {
  const rows: { cells: string[]; header: boolean }[] = [];
  const aligns: string[] = [];
  const visit = (nodes: MdNode[], header: boolean): void => {
    for (const child of nodes) {
      if (kind(child) === 'tr') {
        const cells = child.children.map((cell, i) => {
          aligns[i] ??= /text-align:(\w+)/.exec(attr(cell.token, 'style') ?? '')?.[1] ?? 'left';
          return inlinePlain(cell.children).replace(/\s+/g, ' ').trim();
        });
        rows.push({ cells, header });
      } else {
        visit(child.children, header || kind(child) === 'thead');
      }
    }
  };
  visit(node.children, false);
  const columns = Math.max(0, ...rows.map((row) => row.cells.length));
  const width = (s: string): number => [...s].length;
  const widths = Array.from({ length: columns }, (_, i) => Math.max(1, ...rows.map((row) => width(row.cells[i] ?? ''))));
  const pad = (s: string, i: number): string => {
    const gap = widths[i] - width(s);
    if (aligns[i] === 'right') return ' '.repeat(gap) + s;
    if (aligns[i] === 'center') return ' '.repeat(Math.floor(gap / 2)) + s + ' '.repeat(Math.ceil(gap / 2));
    return s + ' '.repeat(gap);
  };
  const lines: string[] = [];
  rows.forEach((row, r) => {
    lines.push(widths.map((_, i) => pad(row.cells[i] ?? '', i)).join(' | ').trimEnd());
    if (row.header && !rows[r + 1]?.header) lines.push(widths.map((w) => '-'.repeat(w)).join('-+-'));
  });
  const text = lines.join('\n');
  return /\S/.test(text.replace(/[-+|]/g, '')) ? text : '';
}
