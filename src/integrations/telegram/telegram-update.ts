import type { IncomingAttachment, ParsedEvent } from '../../connections/platform-connector';

/** The parts of a Telegram Update we read (https://core.telegram.org/bots/api#update). */
export interface TgUser {
  id: number;
  is_bot?: boolean;
  first_name?: string;
  last_name?: string;
  username?: string;
}
export interface TgChat {
  id: number;
  type: 'private' | 'group' | 'supergroup' | 'channel';
  title?: string;
}
export interface TgEntity {
  type: string;
  offset: number;
  length: number;
  user?: TgUser;
}
export interface TgMessage {
  message_id: number;
  message_thread_id?: number;
  is_topic_message?: boolean;
  from?: TgUser;
  chat: TgChat;
  text?: string;
  caption?: string;
  entities?: TgEntity[];
  caption_entities?: TgEntity[];
  reply_to_message?: TgMessage;
  photo?: { file_id: string; file_size?: number; width?: number; height?: number }[];
  document?: { file_id: string; file_name?: string; mime_type?: string; file_size?: number };
  voice?: { file_id: string; mime_type?: string; file_size?: number; duration?: number };
  audio?: { file_id: string; mime_type?: string; file_size?: number; file_name?: string; duration?: number };
  video?: { file_id: string; mime_type?: string; file_size?: number };
  video_note?: { file_id: string; file_size?: number; duration?: number };
  sticker?: { file_id: string; emoji?: string };
}
export interface TgUpdate {
  update_id: number;
  message?: TgMessage;
  edited_message?: TgMessage;
  callback_query?: { id: string; from: TgUser; message?: TgMessage; data?: string };
  my_chat_member?: { chat: TgChat; from: TgUser };
}

export interface BotIdentity {
  id: number;
  username: string;
}

/** The chat an update belongs to: its conversation's ordering key, known before any parsing. */
export function orderingKeyOf(update: TgUpdate): string {
  const msg = update.message ?? update.edited_message ?? update.callback_query?.message;
  const chat = msg?.chat ?? update.my_chat_member?.chat;
  if (!chat) return 'no-chat';
  return msg?.is_topic_message && msg.message_thread_id ? `${chat.id}:${msg.message_thread_id}` : String(chat.id);
}

function attachmentsOf(m: TgMessage): IncomingAttachment[] {
  const out: IncomingAttachment[] = [];
  if (m.photo?.length) {
    const largest = m.photo[m.photo.length - 1];
    out.push({ kind: 'photo', fileId: largest.file_id, mime: 'image/jpeg', size: largest.file_size });
  }
  if (m.document) out.push({ kind: 'document', fileId: m.document.file_id, mime: m.document.mime_type, size: m.document.file_size, name: m.document.file_name });
  const duration = (d: unknown): { duration?: number } => (typeof d === 'number' && Number.isFinite(d) ? { duration: d } : {});
  if (m.voice) out.push({ kind: 'voice', fileId: m.voice.file_id, mime: m.voice.mime_type ?? 'audio/ogg', size: m.voice.file_size, ...duration(m.voice.duration) });
  if (m.audio) out.push({ kind: 'audio', fileId: m.audio.file_id, mime: m.audio.mime_type, size: m.audio.file_size, name: m.audio.file_name, ...duration(m.audio.duration) });
  if (m.video) out.push({ kind: 'video', fileId: m.video.file_id, mime: m.video.mime_type, size: m.video.file_size });
  if (m.video_note) out.push({ kind: 'video_note', fileId: m.video_note.file_id, mime: 'video/mp4', size: m.video_note.file_size, ...duration(m.video_note.duration) });
  if (m.sticker) out.push({ kind: 'sticker', fileId: m.sticker.file_id });
  return out;
}

/** Telegram ids are integers; anything else (a signed but malformed update) cannot name a chat we can store or answer. */
const isId = (v: unknown): boolean => Number.isSafeInteger(v);

/** Why the ids of a message cannot be used (chat, topic thread, message), or undefined when they can. */
function badIds(m: TgMessage): string | undefined {
  if (!isId(m.chat?.id)) return 'invalid chat id';
  if (m.is_topic_message && m.message_thread_id !== undefined && !isId(m.message_thread_id)) return 'invalid message_thread_id';
  if (m.message_id !== undefined && !isId(m.message_id)) return 'invalid message_id';
  if (m.from !== undefined && !isId(m.from?.id)) return 'invalid sender id';
  return undefined;
}

const nameOf = (u?: TgUser): string | undefined => (u ? [u.first_name, u.last_name].filter(Boolean).join(' ') || u.username : undefined);

/**
 * Private chats: every message goes to the agent. Groups: only messages that mention the bot, reply to it, or are
 * commands addressed to it. Edits, membership changes, other bots and our own messages are ignored.
 */
export function parseTelegramUpdate(update: TgUpdate, bot: BotIdentity, connectionId: string): ParsedEvent {
  if (update.edited_message) return { kind: 'ignored', reason: 'edited message' };
  if (update.my_chat_member) return { kind: 'ignored', reason: 'membership change' };

  if (update.callback_query) {
    const cq = update.callback_query;
    const chat = cq.message?.chat;
    if (!chat) return { kind: 'ignored', reason: 'callback query without a message' };
    const invalid = badIds(cq.message!) ?? (isId(cq.from?.id) ? undefined : 'invalid sender id');
    if (invalid) return { kind: 'ignored', reason: invalid };
    // a button of ours: callback_data is the opaque token the pipeline maps back to the stored buttons
    return {
      kind: 'action',
      click: {
        connectionId,
        token: typeof cq.data === 'string' ? cq.data : '',
        chatId: String(chat.id),
        messageId: String(cq.message!.message_id),
        user: { id: String(cq.from.id), name: nameOf(cq.from), username: cq.from.username, isBot: cq.from.is_bot },
        context: { callbackQueryId: cq.id, replyContext: { chatType: chat.type } },
      },
    };
  }

  const m = update.message;
  if (!m) return { kind: 'ignored', reason: 'unsupported update type' };
  const invalid = badIds(m);
  if (invalid) return { kind: 'ignored', reason: invalid };
  if (m.from?.id === bot.id) return { kind: 'ignored', reason: 'our own message' };
  if (m.from?.is_bot) return { kind: 'ignored', reason: 'message from a bot' };

  const raw = m.text ?? m.caption ?? '';
  const entities = m.text !== undefined ? (m.entities ?? []) : (m.caption_entities ?? []);
  const group = m.chat.type === 'group' || m.chat.type === 'supergroup';
  const mention = `@${bot.username}`.toLowerCase();

  let command: { name: string; args: string } | undefined;
  const cmd = entities.find((e) => e.type === 'bot_command' && e.offset === 0);
  if (cmd) {
    const [name, target] = raw.slice(1, cmd.length).split('@');
    if (target && target.toLowerCase() !== bot.username.toLowerCase()) return { kind: 'ignored', reason: 'command for another bot' };
    command = { name: name.toLowerCase(), args: raw.slice(cmd.length).trim() };
  }

  if (group && !command) {
    const mentioned =
      entities.some((e) => e.type === 'mention' && raw.slice(e.offset, e.offset + e.length).toLowerCase() === mention) ||
      entities.some((e) => e.type === 'text_mention' && e.user?.id === bot.id);
    const repliesToBot = m.reply_to_message?.from?.id === bot.id;
    if (!mentioned && !repliesToBot) return { kind: 'ignored', reason: 'group message not addressed to the bot' };
  }

  const attachments = attachmentsOf(m);
  // The agent reads the text without our @mention; an attachment without a caption is described.
  let text = raw.replace(new RegExp(`@${bot.username}\\b`, 'gi'), '').trim();
  if (!text && attachments.length) text = `[${attachments.map((a) => a.kind).join(', ')}]`;
  if (!text && !command) return { kind: 'ignored', reason: 'empty message' };

  return {
    kind: 'message',
    message: {
      connectionId,
      chatId: String(m.chat.id),
      threadId: m.is_topic_message && m.message_thread_id ? String(m.message_thread_id) : null,
      sender: { id: String(m.from?.id ?? m.chat.id), name: nameOf(m.from), username: m.from?.username, isBot: m.from?.is_bot },
      text: command ? (command.args || `/${command.name}`) : text,
      attachments,
      ...(command ? { command } : {}),
      externalMessageId: String(m.message_id),
      context: { chatType: m.chat.type, messageId: m.message_id },
    },
  };
}
