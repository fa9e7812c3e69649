/**
 * An agent's Markdown reply → Slack mrkdwn (splitting into section blocks and messages: slack-chunks.ts).
 *
 * mrkdwn is not Markdown: *bold*, _italic_, ~strike~, <url|text> links, no headings or lists. Everything the agent
 * wrote is escaped (`&`, `<`, `>`), so the only links and mentions in the output are the ones this module emits.
 */
import { FENCE } from './slack-chunks';
import { attr, inlinePlain, kind, layoutList, layoutTable, MdNode as Node, parseMarkdown, RULE, toTree } from '../../common/markdown-tree';

const ESCAPES: Record<string, string> = { '&': '&amp;', '<': '&lt;', '>': '&gt;' };
const escapeText = (s: string): string => s.replace(/[&<>]/g, (c) => ESCAPES[c]);

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

export { chunkMrkdwn, DEFAULT_MRKDWN_CHUNK_OPTIONS, MAX_BLOCKS_PER_MESSAGE } from './slack-chunks';
export type { MrkdwnChunkOptions, SlackMessageChunk, SlackSectionBlock } from './slack-chunks';
