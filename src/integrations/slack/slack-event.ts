import { createHash } from 'node:crypto';
import type { IncomingAttachment, ParsedEvent } from '../../connections/platform-connector';

/** The parts of an Events API envelope and a slash command we read. */
export interface SlackMessageEvent {
  type: string;
  subtype?: string;
  channel?: string;
  channel_type?: string;
  user?: string;
  bot_id?: string;
  text?: string;
  ts?: string;
  thread_ts?: string;
  message?: SlackMessageEvent;
  files?: SlackFile[];
}
export interface SlackFile {
  id: string;
  mimetype?: string;
  size?: number;
  name?: string;
  url_private?: string;
  url_private_download?: string;
  /** Audio clips recorded in Slack. */
  duration_ms?: number;
}
export interface SlackEnvelope {
  type: string;
  event_id?: string;
  api_app_id?: string;
  team_id?: string;
  event?: SlackMessageEvent;
  challenge?: string;
}
export interface SlackSlashCommand {
  type: 'slash_command';
  command: string;
  text: string;
  user_id: string;
  user_name?: string;
  channel_id: string;
  response_url: string;
  trigger_id: string;
}
export type SlackPayload = SlackEnvelope | SlackSlashCommand;

export interface SlackBot {
  botUserId: string;
  botId: string;
}

/**
 * One key per user message: an `app_mention` and a `message` event for the same (channel, ts) — and Slack's retries —
 * collapse to one stored event, so the agent answers once. Other events use Slack's `event_id` (a slash command its
 * `trigger_id`); a payload without one is keyed by a hash of its content, so distinct events never share a key while
 * a retry of the same one (same content) still collapses.
 */
export function slackDedupeKey(p: SlackPayload): string {
  if (p.type === 'slash_command') {
    const c = p as SlackSlashCommand;
    return c.trigger_id ? `cmd:${c.trigger_id}` : `cmd-body:${contentHash(c)}`;
  }
  const env = p as SlackEnvelope;
  const e = env.event;
  if (e?.channel && e.ts && (e.type === 'app_mention' || e.type === 'message')) return `msg:${e.channel}:${e.ts}`;
  if (env.event_id) return `evt:${env.event_id}`;
  return `evt-body:${contentHash({ team_id: env.team_id, api_app_id: env.api_app_id, type: env.type, event: env.event })}`;
}

/** SHA-256 (hex) of a payload's JSON: the same parsed bytes give the same key on every replica. */
const contentHash = (v: unknown): string => createHash('sha256').update(JSON.stringify(v) ?? '').digest('hex');

/** The conversation an event belongs to: the thread (channel + thread ts), the DM, or the slash-command user. */
export function slackOrderingKey(p: SlackPayload): string {
  if (p.type === 'slash_command') return `${(p as SlackSlashCommand).channel_id}:slash:${(p as SlackSlashCommand).user_id}`;
  const e = (p as SlackEnvelope).event;
  if (!e?.channel) return 'no-channel';
  if (e.thread_ts) return `${e.channel}:${e.thread_ts}`;
  return e.channel_type === 'im' ? `${e.channel}:dm` : `${e.channel}:${e.ts}`;
}

/** Slack ids (channels, users) and timestamps (`1700000000.000100`): short ASCII tokens. */
const SLACK_ID = /^[A-Za-z0-9_-]{1,64}$/;
const SLACK_TS = /^\d{1,12}(\.\d{1,9})?$/;

/** Why the ids of an event cannot name a conversation we can store or answer (signed, but malformed), if they cannot. */
function badIds(fields: Record<string, [unknown, RegExp]>): string | undefined {
  const bad = Object.entries(fields).find(([, [v, re]]) => v !== undefined && (typeof v !== 'string' || !re.test(v)));
  return bad ? `invalid ${bad[0]}` : undefined;
}

/** A shared file as the pipeline sees it: audio to transcribe, images and other files for the runtime. */
function slackAttachment(f: SlackFile): IncomingAttachment {
  const mime = typeof f.mimetype === 'string' ? f.mimetype : undefined;
  const kind = mime?.startsWith('audio/') ? 'audio' : mime?.startsWith('image/') ? 'photo' : mime?.startsWith('video/') ? 'video' : 'document';
  const url = f.url_private_download ?? f.url_private;
  return {
    kind,
    fileId: f.id,
    mime,
    size: typeof f.size === 'number' ? f.size : undefined,
    name: typeof f.name === 'string' ? f.name : undefined,
    ...(typeof url === 'string' ? { url } : {}),
    ...(typeof f.duration_ms === 'number' && Number.isFinite(f.duration_ms) ? { duration: f.duration_ms / 1000 } : {}),
  };
}

const stripMentions = (text: string, botUserId: string): string => text.replace(new RegExp(`<@${botUserId}(\\|[^>]*)?>`, 'g'), '').trim();

/**
 * `app_mention` → answer in the thread; a DM (`message`, channel_type `im`) → answer in the DM (in the thread if the
 * user wrote in one). Bot messages, our own messages (also inside `message_changed`), edits, deletions and channel
 * messages that do not mention us are ignored.
 */
export function parseSlackPayload(p: SlackPayload, bot: SlackBot, connectionId: string): ParsedEvent {
  if (p.type === 'slash_command') {
    const c = p as SlackSlashCommand;
    const invalid = badIds({ channel_id: [c.channel_id ?? null, SLACK_ID], user_id: [c.user_id ?? null, SLACK_ID] });
    if (invalid) return { kind: 'ignored', reason: invalid };
    return {
      kind: 'message',
      message: {
        connectionId,
        chatId: c.channel_id,
        threadId: `slash:${c.user_id}`,
        sender: { id: c.user_id, username: c.user_name },
        text: c.text,
        attachments: [],
        context: { responseUrl: c.response_url, slash: true },
      },
    };
  }
  const env = p as SlackEnvelope;
  const e = env.event;
  if (env.type !== 'event_callback' || !e) return { kind: 'ignored', reason: `unsupported payload type ${env.type}` };
  if (e.type !== 'app_mention' && e.type !== 'message') return { kind: 'ignored', reason: `unsupported event ${e.type}` };
  if (e.subtype === 'message_changed' || e.subtype === 'message_deleted') return { kind: 'ignored', reason: `edit or deletion (${e.subtype})` };
  if (e.bot_id || e.subtype === 'bot_message') return { kind: 'ignored', reason: e.bot_id === bot.botId ? 'our own message' : 'message from a bot' };
  if (e.user === bot.botUserId) return { kind: 'ignored', reason: 'our own message' };
  if (e.subtype && e.subtype !== 'file_share' && e.subtype !== 'thread_broadcast') return { kind: 'ignored', reason: `unsupported subtype ${e.subtype}` };
  if (!e.channel || !e.ts || !e.user) return { kind: 'ignored', reason: 'incomplete event' };
  const invalid = badIds({ channel: [e.channel, SLACK_ID], user: [e.user, SLACK_ID], ts: [e.ts, SLACK_TS], thread_ts: [e.thread_ts, SLACK_TS] });
  if (invalid) return { kind: 'ignored', reason: invalid };

  const im = e.channel_type === 'im';
  const mentioned = (e.text ?? '').includes(`<@${bot.botUserId}`);
  if (e.type === 'message' && !im && !mentioned) return { kind: 'ignored', reason: 'channel message without a mention' };

  const attachments = (Array.isArray(e.files) ? e.files : []).filter((f) => typeof f?.id === 'string').map(slackAttachment);
  let text = stripMentions(e.text ?? '', bot.botUserId);
  if (!text && attachments.length) text = `[${attachments.length} file(s)]`;
  if (!text) return { kind: 'ignored', reason: 'empty message' };
  return {
    kind: 'message',
    message: {
      connectionId,
      chatId: e.channel,
      // channel mentions are answered in a thread; DMs only when the user wrote in one
      threadId: e.thread_ts ?? (im ? null : e.ts),
      sender: { id: e.user },
      text,
      attachments,
      externalMessageId: e.ts,
      context: { channelType: e.channel_type ?? 'channel', ts: e.ts },
    },
  };
}
