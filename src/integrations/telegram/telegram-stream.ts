import { Telegram, TelegramError } from 'telegraf';
import { OutgoingMessage, ReplyTarget, RetryLaterError } from '../../connections/platform-connector';
import { ChatPacer } from '../../connections/streaming/chat-pacer';
import { FinalPartOps, StreamPageOps } from '../../connections/streaming/paced-reply-stream';
import { TelegramChunk, toTelegramChunks } from './telegram-format';

/** Telegram allows about one message or edit per second in a chat. */
export const TELEGRAM_STREAM_INTERVAL_MS = 1000;

const isTgError = (e: unknown): e is TelegramError =>
  e instanceof TelegramError || (typeof e === 'object' && e !== null && 'response' in e && 'on' in e);

/** A 429's wait (from Telegram, or already mapped to RetryLaterError), for the chat pacer. */
export function telegramRetryAfterMs(e: unknown): number | undefined {
  if (e instanceof RetryLaterError) return e.delayMs;
  if (isTgError(e) && e.code === 429) return Math.max(1, Number(e.parameters?.retry_after ?? 1)) * 1000;
  return undefined;
}

export const newTelegramPacer = (nowMs: () => number): ChatPacer => new ChatPacer(TELEGRAM_STREAM_INTERVAL_MS, telegramRetryAfterMs, nowMs);

interface Where {
  chatId: string;
  threadId?: string | null;
  /** Message id to quote with the first message (groups). */
  quote?: number;
}

function extraOf(where: Where, index: number): Record<string, unknown> {
  return {
    ...(where.threadId ? { message_thread_id: Number(where.threadId) } : {}),
    ...(index === 0 && where.quote ? { reply_parameters: { message_id: where.quote, allow_sending_without_reply: true } } : {}),
    link_preview_options: { is_disabled: true },
  };
}

/**
 * While the runtime writes: the text so far is formatted and split like the final reply, and each page shown as its
 * plain visible text (no parse mode, so a half-written reply can never fail to parse). A page rolls over into the
 * next message where the final split will, before 4096 characters.
 */
export function telegramStreamOps(tg: Telegram, target: ReplyTarget, quote?: number): StreamPageOps {
  const where: Where = { chatId: target.chatId, threadId: target.threadId, quote };
  return {
    pages: (text) => toTelegramChunks(text).map((c) => c.plain),
    post: async (page, index) => String((await tg.sendMessage(where.chatId, page, extraOf(where, index))).message_id),
    edit: async (id, page) => {
      await tg.editMessageText(where.chatId, Number(id), undefined, page, { link_preview_options: { is_disabled: true } }).catch((e: unknown) => {
        if (!(isTgError(e) && e.code === 400 && /message is not modified/i.test(e.description ?? ''))) throw e;
      });
    },
  };
}

/**
 * The final pass over a streamed reply: each part's HTML replaces its streamed message (plain text when Telegram
 * cannot parse it; "not modified" is success; a message that is gone is sent anew). `mapError` turns Telegram's
 * failures into connector errors (429 → RetryLaterError…).
 */
export function telegramFinalOps(tg: Telegram, out: OutgoingMessage, quote: number | undefined, mapError: (e: unknown) => Error): FinalPartOps<TelegramChunk> {
  const where: Where = { chatId: out.chatId, threadId: out.threadId, quote };
  const post = async (chunk: TelegramChunk, index: number): Promise<string> => {
    const extra = extraOf(where, index);
    try {
      return String((await tg.sendMessage(where.chatId, chunk.html, { ...extra, parse_mode: 'HTML' })).message_id);
    } catch (e) {
      if (!cannotParse(e)) throw mapError(e);
      return String((await tg.sendMessage(where.chatId, chunk.plain, extra).catch((e2: unknown) => Promise.reject(mapError(e2)))).message_id);
    }
  };
  const edit = async (id: string, text: string, html: boolean): Promise<'ok' | 'unparsable' | 'gone'> => {
    try {
      await tg.editMessageText(where.chatId, Number(id), undefined, text, { ...(html ? { parse_mode: 'HTML' as const } : {}), link_preview_options: { is_disabled: true } });
      return 'ok';
    } catch (e) {
      if (isTgError(e) && e.code === 400 && /message is not modified/i.test(e.description ?? '')) return 'ok';
      if (isTgError(e) && e.code === 400 && /message to edit not found|message can't be edited/i.test(e.description ?? '')) return 'gone';
      if (html && cannotParse(e)) return 'unparsable';
      throw mapError(e);
    }
  };
  return {
    post,
    edit: async (id, chunk) => {
      let r = await edit(id, chunk.html, true);
      if (r === 'unparsable') r = await edit(id, chunk.plain, false);
      if (r === 'gone') await post(chunk, 1); // not quoted again: the reply is already under way
    },
    remove: async (id) => {
      await tg.deleteMessage(where.chatId, Number(id));
    },
  };
}

function cannotParse(e: unknown): boolean {
  return isTgError(e) && e.code === 400 && /can't parse entities/i.test(e.description ?? '');
}
