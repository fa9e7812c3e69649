import type { OutgoingActions } from '../../connections/platform-connector';
import { TELEGRAM_MESSAGE_LIMIT, toTelegramChunks, visibleLength } from './telegram-format';

export interface TgInlineKeyboard {
  inline_keyboard: { text: string; callback_data: string }[][];
}

/** Telegram refuses callback_data longer than 64 bytes; our tokens are 38-39. */
const MAX_CALLBACK_BYTES = 64;
/** Buttons per keyboard row: two short labels share a row, long ones get their own. */
const SHORT_LABEL = 20;

/**
 * An inline keyboard whose buttons carry only the opaque token (the agent's ids and values stay on our side).
 * Telegram has no button colours: `style` is not shown.
 */
export function inlineKeyboard(actions: OutgoingActions): TgInlineKeyboard {
  const rows: { text: string; callback_data: string }[][] = [];
  for (const b of actions.buttons) {
    if (Buffer.byteLength(b.token) > MAX_CALLBACK_BYTES) throw new Error('button token longer than 64 bytes');
    const button = { text: b.label, callback_data: b.token };
    const last = rows[rows.length - 1];
    if (last && last.length === 1 && [...last[0].text].length <= SHORT_LABEL && [...b.label].length <= SHORT_LABEL) last.push(button);
    else rows.push([button]);
  }
  return { inline_keyboard: rows };
}

const escapeHtml = (s: string): string => s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');

/**
 * The last part of a reply (the one with the keyboard) redrawn with the outcome under it, or undefined when that would
 * pass Telegram's 4096 characters (the caller then only swaps the keyboard).
 */
export function withOutcome(markdown: string, outcome: string): string | undefined {
  const chunks = toTelegramChunks(markdown || '…');
  const last = chunks[chunks.length - 1]?.html ?? '…';
  const html = `${last}\n\n<i>${escapeHtml(outcome)}</i>`;
  return visibleLength(html) <= TELEGRAM_MESSAGE_LIMIT ? html : undefined;
}
