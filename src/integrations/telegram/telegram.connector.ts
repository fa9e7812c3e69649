import { Injectable, OnModuleInit } from '@nestjs/common';
import { ConnectorRegistry } from '../../connections/connector-registry';
import { PlatformConnection } from '../../connections/entities/platform-connection.entity';
import {
  ActionMessageRef,
  ConnectorContext,
  CredentialProblem,
  Credentials,
  IncomingAttachment,
  IncomingMessage,
  InboundConnector,
  InboundRequest,
  OutgoingMessage,
  ParsedEvent,
  PlatformConnector,
  PlatformIdentity,
  PlatformRejectedError,
  PlatformUnavailableError,
  ReplyStream,
  ReplyTarget,
  RequestVerdict,
  SetupInstructions,
} from '../../connections/platform-connector';
import { PacedReplyStream, replaceStreamed } from '../../connections/streaming/paced-reply-stream';
import { constantTimeEqual, randomToken } from '../../crypto/secrets';
import { FieldChecker } from '../../common/field-checker';
import { AppConfig } from '../../config/app-config';
import { Clock } from '../../common/clock';
import { TelegramApiFactory } from './telegram-api.factory';
import { toTelegramChunks } from './telegram-format';
import { downloadTelegramFile } from './telegram-files';
import { DownloadedFile, FileDownloader } from '../../connections/platform-files';
import { PlatformFileFetcher } from '../../http/platform-file-fetcher';
import { newTelegramPacer, telegramFinalOps, telegramStreamOps } from './telegram-stream';
import { parseTelegramUpdate, TgUpdate } from './telegram-update';
import { inlineKeyboard, withOutcome } from './telegram-actions';
import { isTelegramError, mapSendError, mapTelegramError } from './telegram-errors';
import { TELEGRAM_CONFIG } from './telegram.config';

export const TELEGRAM_ALLOWED_UPDATES = ['message', 'edited_message', 'callback_query', 'my_chat_member'] as const;
export const TELEGRAM_COMMANDS = [
  { command: 'start', description: 'Start talking to the agent' },
  { command: 'help', description: 'What this bot can do' },
  { command: 'reset', description: 'Start a new conversation' },
  { command: 'status', description: "The agent's name and status" },
];
const TOKEN = /^\d{3,20}:[A-Za-z0-9_-]{20,100}$/;
/** The webhook's `secret_token` (1–256 chars of A-Za-z0-9_-): 36 random bytes = 48 base64url chars, 288 bits. */
const SECRET_TOKEN_BYTES = 36;

export interface TelegramSettings {
  mode: 'webhook' | 'polling';
  greeting?: string;
}

@Injectable()
export class TelegramConnector implements PlatformConnector, InboundConnector, FileDownloader, OnModuleInit {
  readonly platform = 'telegram' as const;
  readonly hintFields = ['botToken'] as const;
  /** Streamed replies: one call per second per chat (this process). */
  private readonly pacer = newTelegramPacer(() => this.clock.nowMs());
  readonly requestSecretField = 'secretToken';
  /** Telegram clears a chat action after 5 s ("or less": when the bot's message arrives). */
  readonly workingSignMs = 5000;

  constructor(
    private readonly registry: ConnectorRegistry,
    private readonly api: TelegramApiFactory,
    private readonly config: AppConfig,
    private readonly files: PlatformFileFetcher,
    private readonly clock: Clock,
  ) {}

  onModuleInit(): void {
    this.registry.register(this);
  }

  /** `X-Telegram-Bot-Api-Secret-Token` must equal the secret_token we gave setWebhook (constant-time). */
  verifyRequest(req: InboundRequest, secret: string): RequestVerdict {
    const given = req.header('x-telegram-bot-api-secret-token');
    if (!given || !secret || !constantTimeEqual(given, secret)) return { verified: false, reason: 'missing or wrong X-Telegram-Bot-Api-Secret-Token' };
    return { verified: true };
  }

  checkCredentials(input: Record<string, unknown>, previous?: Credentials): { credentials: Credentials } | { problems: CredentialProblem[] } {
    const f = new FieldChecker('credentials', input, ['botToken']);
    const botToken = f.string('botToken', { required: true, pattern: TOKEN, hint: 'must look like 123456789:AA… (the token @BotFather gave you)' });
    if (f.problems.length || !botToken) return { problems: f.problems };
    // secret_token is ours: generated once and kept across credential changes and restarts.
    return { credentials: { botToken, secretToken: previous?.secretToken ?? randomToken(SECRET_TOKEN_BYTES) } };
  }

  checkSettings(input: Record<string, unknown>): { settings: Record<string, unknown> } | { problems: CredentialProblem[] } {
    const f = new FieldChecker('settings', input, ['mode', 'greeting']);
    const mode = f.oneOf('mode', ['webhook', 'polling'] as const) ?? 'webhook';
    const greeting = f.string('greeting', { pattern: /^[\s\S]{1,1000}$/, hint: 'must be at most 1000 characters' });
    if (f.problems.length) return { problems: f.problems };
    const settings: TelegramSettings = { mode, ...(greeting ? { greeting } : {}) };
    return { settings: { ...settings } };
  }

  async validateCredentials(credentials: Credentials): Promise<PlatformIdentity> {
    const me = await this.call(credentials, (tg) => tg.getMe());
    return {
      externalBotId: String(me.id),
      displayName: `@${me.username}`,
      info: {
        id: me.id,
        username: me.username,
        firstName: me.first_name,
        canJoinGroups: me.can_join_groups,
        canReadAllGroupMessages: me.can_read_all_group_messages,
        supportsInlineQueries: me.supports_inline_queries,
      },
    };
  }

  async connect(connection: PlatformConnection, credentials: Credentials): Promise<void> {
    const settings = connection.settings as Partial<TelegramSettings>;
    if (settings.mode === 'polling') {
      // getUpdates answers 409 while a webhook is set
      await this.call(credentials, (tg) => tg.deleteWebhook({ drop_pending_updates: false }));
    } else {
      const url = connection.webhookUrl as string;
      await this.call(credentials, (tg) =>
        tg.setWebhook(url, { secret_token: credentials.secretToken, allowed_updates: [...TELEGRAM_ALLOWED_UPDATES] }),
      ).catch((e: unknown) => {
        if (!(e instanceof PlatformRejectedError && /webhook/i.test(e.message))) throw e;
        throw new PlatformRejectedError(
          `${e.message}. Telegram delivers webhooks only to a public HTTPS address, and this one is ${url} (from PUBLIC_BASE_URL). ` +
            'Without one (e.g. on a laptop), create the connection with "settings": {"mode": "polling"}.',
        );
      });
    }
    await this.call(credentials, (tg) => tg.setMyCommands(TELEGRAM_COMMANDS));
  }

  async disconnect(_connection: PlatformConnection, credentials: Credentials): Promise<void> {
    await this.call(credentials, (tg) => tg.deleteWebhook());
  }

  async healthCheck(_connection: PlatformConnection, credentials: Credentials): Promise<void> {
    await this.call(credentials, (tg) => tg.getMe());
  }

  /** What `connect` did (or, for a paused connection, will do on resume), in words and fields. */
  setupInstructions(connection: PlatformConnection): SetupInstructions {
    const url = connection.webhookUrl as string;
    const paused = connection.status !== 'active';
    if ((connection.settings as Partial<TelegramSettings>).mode === 'polling') {
      const pollingEnabled = this.config.platform(TELEGRAM_CONFIG).polling.scanIntervalMs > 0;
      const note = paused
        ? 'Polling mode; the connection is not active, so nothing is polled until you resume it (PATCH {"status":"active"}).'
        : pollingEnabled
          ? 'Polling mode: no webhook is registered at Telegram (any previous one was removed); a worker process (ROLE=worker or all) long-polls getUpdates for this bot. Nothing to paste.'
          : 'Polling mode, but polling is turned off on this deployment (TELEGRAM_POLL_SCAN_MS=0): no messages arrive until it is turned on. The webhook at Telegram was removed.';
      return { mode: 'polling', pollingEnabled, note };
    }
    const note = paused
      ? `Webhook mode; the connection is not active, so these settings reach Telegram when you resume it (PATCH {"status":"active"}), which registers ${url}.`
      : `Registered with Telegram (setWebhook) at ${url} with a secret token, plus the command list; nothing to paste. Telegram delivers only to a public HTTPS address.`;
    return { mode: 'webhook', webhookUrl: url, note };
  }

  // ---- inbound --------------------------------------------------------------------------------------------------

  parse(payload: Record<string, unknown>, { connection }: ConnectorContext): ParsedEvent {
    const info = connection.platformInfo as { id?: number; username?: string };
    return parseTelegramUpdate(payload as unknown as TgUpdate, { id: Number(info.id), username: String(info.username) }, connection.id);
  }

  commandReply(ctx: { agentName: string; agentStatus: string; settings: Record<string, unknown>; command: { name: string } }): string | undefined {
    switch (ctx.command.name) {
      case 'start':
        return typeof ctx.settings.greeting === 'string' ? ctx.settings.greeting : `Hi! I'm ${ctx.agentName}. Send me a message and I'll answer.`;
      case 'help':
        return ['Just write to me and I will answer.', '', ...TELEGRAM_COMMANDS.map((c) => `/${c.command} — ${c.description}`)].join('\n');
      case 'status':
        return `${ctx.agentName} is ${ctx.agentStatus}.`;
      default:
        return undefined; // unknown commands go to the agent as text
    }
  }

  async startWorking({ credentials }: ConnectorContext, incoming: IncomingMessage): Promise<void> {
    const tg = this.api.client(credentials.botToken);
    await tg.sendChatAction(incoming.chatId, 'typing', incoming.threadId ? { message_thread_id: Number(incoming.threadId) } : {});
  }

  /** Streamed replies: sendMessage, then editMessageText at most once a second per chat (see telegram-stream.ts). */
  openStream({ connection, credentials }: ConnectorContext, target: ReplyTarget): ReplyStream {
    const tg = this.api.client(credentials.botToken);
    return new PacedReplyStream(this.pacer, `${connection.id}:${target.chatId}`, telegramStreamOps(tg, target, quoteOf(target.incoming)), this.api.timeoutMs);
  }

  /**
   * Markdown → Telegram HTML, split at ≤ 4096 visible characters outside tags. A chunk Telegram cannot parse is resent
   * as plain text. In groups the first chunk quotes the user's message.
   */
  async send({ connection, credentials }: ConnectorContext, out: OutgoingMessage): Promise<{ externalMessageId?: string; actionsMessageId?: string }> {
    const tg = this.api.client(credentials.botToken);
    const quote = quoteOf(out.incoming);
    const converted = toTelegramChunks(out.text || '…');
    // Markdown that renders to nothing (only whitespace or comments) still gets a visible answer.
    const chunks = converted.length ? converted : [{ html: '…', plain: '…' }];
    const paceKey = `${connection.id}:${out.chatId}`;
    if (out.streamed?.length) return replaceStreamed(this.pacer, paceKey, chunks, out, telegramFinalOps(tg, out, quote, mapSendError));
    await this.pacer.ready(paceKey); // a stream to this chat may have just made a call
    let firstId: string | undefined;
    let lastId: string | undefined;
    for (const [i, chunk] of chunks.entries()) {
      if (i < out.progress.delivered) continue; // sent by an earlier attempt
      const extra = {
        ...(out.threadId ? { message_thread_id: Number(out.threadId) } : {}),
        ...(i === 0 && quote ? { reply_parameters: { message_id: quote, allow_sending_without_reply: true } } : {}),
        // buttons go under the last part
        ...(out.actions && i === chunks.length - 1 ? { reply_markup: inlineKeyboard(out.actions) } : {}),
        link_preview_options: { is_disabled: true },
      };
      let msg;
      try {
        msg = await tg.sendMessage(out.chatId, chunk.html, { ...extra, parse_mode: 'HTML' });
      } catch (e) {
        if (isTelegramError(e) && e.code === 400 && /can't parse entities/i.test(e.description ?? '')) {
          msg = await tg.sendMessage(out.chatId, chunk.plain, extra).catch((e2: unknown) => {
            throw mapSendError(e2);
          });
        } else {
          throw mapSendError(e);
        }
      }
      firstId ??= String(msg.message_id);
      lastId = String(msg.message_id);
      await out.progress.markDelivered(i + 1);
    }
    return { externalMessageId: firstId, ...(out.actions && lastId ? { actionsMessageId: lastId } : {}) };
  }

  /** The message with the keyboard, redrawn without it and with who chose what (editMessageText). */
  async showActionOutcome({ credentials }: ConnectorContext, ref: ActionMessageRef, outcome: string): Promise<void> {
    const tg = this.api.client(credentials.botToken);
    const html = withOutcome(ref.text, outcome);
    if (html) {
      await tg.editMessageText(ref.chatId, Number(ref.messageId), undefined, html, { parse_mode: 'HTML', link_preview_options: { is_disabled: true } });
    } else {
      // no room for the line: the keyboard becomes one inert button saying it
      await tg.editMessageReplyMarkup(ref.chatId, Number(ref.messageId), undefined, { inline_keyboard: [[{ text: outcome.slice(0, 64), callback_data: 'decided' }]] });
    }
  }

  /** A voice note, photo or document of a message (telegram-files.ts). */
  downloadFile({ credentials }: ConnectorContext, attachment: IncomingAttachment, maxBytes: number): Promise<DownloadedFile> {
    const deps = { fetcher: this.files, apiRoot: this.config.platform(TELEGRAM_CONFIG).apiRoot, timeoutMs: this.config.platforms.timeoutMs };
    return downloadTelegramFile({ ...deps, getFile: (id) => this.call(credentials, (tg) => tg.getFile(id)) }, credentials, attachment, maxBytes);
  }

  /** Calls the Bot API with a deadline and turns its failures into connector errors that never carry the token. */
  private async call<T>(credentials: Credentials, fn: (tg: ReturnType<TelegramApiFactory['client']>) => Promise<T>): Promise<T> {
    const tg = this.api.client(credentials.botToken);
    let timer: NodeJS.Timeout | undefined;
    try {
      return await Promise.race([
        fn(tg),
        new Promise<never>((_, reject) => {
          timer = setTimeout(() => reject(new PlatformUnavailableError(`no answer within ${this.api.timeoutMs} ms`)), this.api.timeoutMs);
        }),
      ]);
    } catch (e) {
      throw mapTelegramError(e);
    } finally {
      clearTimeout(timer);
    }
  }
}

/** In groups the reply quotes the user's message. */
function quoteOf(incoming: IncomingMessage): number | undefined {
  const group = incoming.context?.chatType === 'group' || incoming.context?.chatType === 'supergroup';
  return group && incoming.externalMessageId ? Number(incoming.externalMessageId) : undefined;
}
