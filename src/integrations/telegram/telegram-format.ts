/**
 * An agent's Markdown reply → Telegram Bot API `parse_mode: "HTML"` text (splitting into messages: telegram-split.ts).
 *
 * Telegram HTML knows only a handful of tags (no <p>, <br>, lists or headings), so block structure is expressed
 * with plain text: blank lines between paragraphs, "• " bullets, bold headings, "———" rules. Everything the agent
 * wrote is escaped; the only tags in the output are the ones this module emits.
 */
import { htmlToPlain, splitTelegramHtml, TELEGRAM_MESSAGE_LIMIT } from './telegram-split';
import { attr, inlinePlain, kind, layoutList, layoutTable, MdNode as Node, parseMarkdown, RULE, Token, toTree } from '../../common/markdown-tree';

export interface TelegramChunk {
  /** Telegram HTML for `parse_mode: "HTML"`. */
  html: string;
  /** The same chunk's visible text (tags removed, entities decoded): resend it when Telegram can't parse `html`. */
  plain: string;
}


const TEXT_ESCAPES: Record<string, string> = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;' };
const escapeText = (s: string): string => s.replace(/[&<>]/g, (c) => TEXT_ESCAPES[c]);
const escapeAttr = (s: string): string => s.replace(/[&<>"]/g, (c) => TEXT_ESCAPES[c]);

// ---------------------------------------------------------------------------------------------------------------
// Markdown → Telegram HTML

/** Converts Markdown to Telegram HTML. Input that renders to nothing visible (e.g. an empty code block) is sent as text. */
export function markdownToTelegramHtml(markdown: string): string {
  const html = renderBlocks(parseMarkdown(markdown), { listDepth: 0, inQuote: false });
  return /\S/.test(htmlToPlain(html)) || !/\S/.test(markdown) ? html : escapeText(markdown.trim());
}

interface BlockContext {
  /** How many lists enclose this block (nested list markers are indented by INDENT per level). */
  listDepth: number;
  /** Telegram can't nest blockquotes, so an inner quote is rendered without its own tag. */
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
      return renderInlineChildren(node);
    case 'heading': {
      const text = renderInlineChildren(node);
      return text === '' ? '' : `<b>${text}</b>`;
    }
    case 'blockquote': {
      const inner = renderBlocks(node.children, { ...ctx, inQuote: true });
      return ctx.inQuote || inner === '' ? inner : `<blockquote>${inner}</blockquote>`;
    }
    case 'bullet_list':
    case 'ordered_list':
      return renderList(node, ctx);
    case 'fence':
    case 'code_block':
      return renderCode(token);
    case 'hr':
      return RULE;
    case 'table':
      return renderTable(node);
    case 'inline':
      return renderInline(toTree(token.children ?? []), false);
    default:
      // html_block can't occur with `html: false`; anything unknown keeps its text, escaped.
      return node.children.length > 0 ? renderBlocks(node.children, ctx) : escapeText(token.content);
  }
}

function renderInlineChildren(node: Node): string {
  return renderBlocks(node.children, { listDepth: 0, inQuote: false }, '\n');
}

/** Lists become text lines: "• item" / "3. item", nested lists indented by INDENT per level. */
function renderList(node: Node, ctx: BlockContext): string {
  return layoutList(node, ctx.listDepth, (child, listDepth) => renderBlock(child, { ...ctx, listDepth }));
}

function renderCode(token: Token): string {
  const code = token.content.replace(/\n$/, '');
  if (code === '') return '';
  const language = /^[\w#+.-]+$/.exec(token.info.trim().split(/\s+/)[0] ?? '')?.[0];
  return language
    ? `<pre><code class="language-${escapeAttr(language)}">${escapeText(code)}</code></pre>`
    : `<pre>${escapeText(code)}</pre>`;
}

/** Tables become a <pre> block of aligned columns (Telegram has no tables); cell formatting is dropped. */
function renderTable(node: Node): string {
  const table = layoutTable(node);
  return table ? `<pre>${escapeText(table)}</pre>` : '';
}

const INLINE_TAGS: Record<string, string> = { strong: 'b', em: 'i', s: 's' };

/** Renders inline tokens. `inLink`: Telegram doesn't allow <code> (or another link) inside a link. */
function renderInline(nodes: Node[], inLink: boolean): string {
  return nodes
    .map((node) => {
      const { token, children } = node;
      const type = kind(node);
      const tag: string | undefined = INLINE_TAGS[type];
      if (tag !== undefined) {
        const inner = renderInline(children, inLink);
        return inner === '' ? '' : `<${tag}>${inner}</${tag}>`;
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
          return inLink ? escapeText(token.content) : `<code>${escapeText(token.content)}</code>`;
        case 'link': {
          const href = inLink ? null : safeHref(attr(token, 'href'));
          const inner = renderInline(children, true);
          if (href === null) return inner;
          const text = /\S/.test(htmlToPlain(inner)) ? inner : escapeText(href);
          return `<a href="${escapeAttr(href)}">${text}</a>`;
        }
        case 'image': {
          const alt = inlinePlain(toTree(token.children ?? [])).trim();
          const src = inLink ? null : safeHref(attr(token, 'src'));
          return src === null ? escapeText(alt) : `<a href="${escapeAttr(src)}">${escapeText(alt || src)}</a>`;
        }
        default:
          return children.length > 0 ? renderInline(children, inLink) : escapeText(token.content);
      }
    })
    .join('');
}

/** Only links Telegram can open: http(s) with a host, tg://…, mailto:…; anything else is rendered as its text. */
function safeHref(href: string | null): string | null {
  const url = href?.trim() ?? '';
  return /^(?:https?:\/\/[^\s/?#]|tg:\/\/\S|mailto:\S)/i.test(url) && !/\s/.test(url) ? url : null;
}

/** Converts Markdown and splits it into Telegram messages of at most `limit` visible characters. */
export function toTelegramChunks(markdown: string, limit = TELEGRAM_MESSAGE_LIMIT): TelegramChunk[] {
  return splitTelegramHtml(markdownToTelegramHtml(markdown), limit).map((html) => ({ html, plain: htmlToPlain(html) }));
}

export { splitTelegramHtml, TELEGRAM_MESSAGE_LIMIT, visibleLength } from './telegram-split';
