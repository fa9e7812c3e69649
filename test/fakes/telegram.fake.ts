import {
  asJson,
  asNumber,
  asRecord,
  asString,
  FakeHttpServer,
  FakeHttpServerOptions,
  FakeResponse,
  RecordedCall,
} from './fake-http-server';

export interface TelegramBotInfo {
  id: number;
  username: string;
  first_name: string;
}

export interface TelegramWebhook {
  url: string;
  secret_token?: string;
  allowed_updates?: string[];
}

export type TelegramUpdate = Record<string, unknown> & { update_id: number };

interface BotState {
  info: TelegramBotInfo;
  webhook?: TelegramWebhook;
  updates: TelegramUpdate[];
  commands: unknown[];
  /** `${chatId}:${messageId}` → current text and formatting, for "message is not modified" (and deleteMessage). */
  messages: Map<string, string>;
  /** file_id → the file getFile describes and `/file/bot<token>/<path>` serves. */
  files: Map<string, TelegramFile>;
}

export interface TelegramFile {
  path: string;
  data: Buffer;
  /** What getFile reports as file_size (default: the real size; Telegram omits it sometimes). */
  reportedSize?: number | null;
}

/** Bots may download files up to 20 MB; getFile refuses larger ones. */
const MAX_DOWNLOAD = 20 * 1024 * 1024;
const FILE_RE = /^\/file\/bot([^/]+)\/(.+)$/;

type Params = Record<string, unknown>;

const PATH_RE = /^\/bot([^/]+)\/([^/]+)\/?$/;
const SECRET_TOKEN_RE = /^[A-Za-z0-9_-]{1,256}$/;
const MAX_TEXT = 4096;
const LONG_POLL_CAP_MS = 1000;

const ok = (result: unknown, description?: string): FakeResponse => ({
  status: 200,
  body: description === undefined ? { ok: true, result } : { ok: true, result, description },
});
const fail = (code: number, description: string): FakeResponse => ({
  status: code,
  body: { ok: false, error_code: code, description },
});
const badRequest = (reason: string): FakeResponse => fail(400, `Bad Request: ${reason}`);

/** Fake api.telegram.org: `POST|GET /bot<token>/<method>`. Point telegraf's `apiRoot` at `fake.url`. */
export class FakeTelegramApi extends FakeHttpServer {
  private readonly bots = new Map<string, BotState>();
  private nextMessageId = 1;
  private nextUpdateId = 1;

  constructor(options?: FakeHttpServerOptions) {
    super(options);
  }

  addBot(token: string, info: TelegramBotInfo): this {
    this.bots.set(token, { info, updates: [], commands: [], messages: new Map(), files: new Map() });
    return this;
  }

  /** A file the bot can fetch: getFile(fileId) → `path`, then GET `/file/bot<token>/<path>` serves `data`. */
  addFile(token: string, fileId: string, data: Buffer, opts: { path?: string; reportedSize?: number | null } = {}): this {
    const bot = this.bots.get(token);
    if (!bot) throw new Error(`FakeTelegramApi: unknown bot token ${token}`);
    bot.files.set(fileId, { path: opts.path ?? `documents/${fileId}.bin`, data, reportedSize: opts.reportedSize });
    return this;
  }

  webhookOf(token: string): TelegramWebhook | undefined {
    return this.bots.get(token)?.webhook;
  }

  commandsOf(token: string): unknown[] {
    return this.bots.get(token)?.commands ?? [];
  }

  /** Queues an update for getUpdates; `update_id` is assigned when missing. Returns the update_id. */
  queueUpdate(token: string, update: Record<string, unknown>): number {
    const bot = this.bots.get(token);
    if (!bot) throw new Error(`FakeTelegramApi: unknown bot token ${token}`);
    const id = asNumber(update.update_id) ?? this.nextUpdateId;
    this.nextUpdateId = Math.max(this.nextUpdateId, id + 1);
    bot.updates.push({ ...update, update_id: id });
    return id;
  }

  /** Token in the request path, if any (handy in `failNext` predicates). */
  static tokenOf(call: RecordedCall): string | undefined {
    return PATH_RE.exec(call.path)?.[1];
  }

  protected nameOf(call: RecordedCall): string {
    if (FILE_RE.test(call.path)) return 'file';
    return PATH_RE.exec(call.path)?.[2] ?? call.path;
  }

  protected async handle(call: RecordedCall): Promise<FakeResponse> {
    const file = FILE_RE.exec(call.path);
    if (file) return this.serveFile(file[1], decodeURIComponent(file[2]), call.method);
    const match = PATH_RE.exec(call.path);
    if (!match || (call.method !== 'GET' && call.method !== 'POST')) return fail(404, 'Not Found');
    const bot = this.bots.get(match[1]);
    if (!bot) return fail(401, 'Unauthorized');
    const params: Params = { ...call.query, ...asRecord(call.body) };
    switch (match[2].toLowerCase()) {
      case 'getme':
        return ok({ ...bot.info, is_bot: true, can_join_groups: true, can_read_all_group_messages: false });
      case 'setwebhook':
        return this.setWebhook(bot, params);
      case 'deletewebhook': {
        const had = bot.webhook !== undefined;
        bot.webhook = undefined;
        if (isTrue(params.drop_pending_updates)) bot.updates = [];
        return ok(true, had ? 'Webhook was deleted' : 'Webhook is already deleted');
      }
      case 'getwebhookinfo':
        return ok({
          url: bot.webhook?.url ?? '',
          has_custom_certificate: false,
          pending_update_count: bot.updates.length,
          ...(bot.webhook?.allowed_updates ? { allowed_updates: bot.webhook.allowed_updates } : {}),
        });
      case 'setmycommands':
        return this.setMyCommands(bot, params);
      case 'getmycommands':
        return ok(bot.commands);
      case 'sendmessage':
        return this.sendMessage(bot, params);
      case 'editmessagetext':
        return this.editMessageText(bot, params);
      case 'deletemessage': {
        const key = `${asString(params.chat_id) ?? ''}:${asNumber(params.message_id) ?? ''}`;
        if (!bot.messages.has(key)) return badRequest('message to delete not found');
        bot.messages.delete(key);
        return ok(true);
      }
      case 'editmessagereplymarkup': {
        const problem = checkReplyMarkup(params.reply_markup);
        if (problem) return badRequest(problem);
        if (asString(params.chat_id) === undefined && !asString(params.inline_message_id)) return badRequest('chat_id is empty');
        return ok(true);
      }
      case 'sendchataction':
        if (asString(params.chat_id) === undefined) return badRequest('chat_id is empty');
        if (!asString(params.action)) return badRequest('action is empty');
        return ok(true);
      case 'answercallbackquery':
        if (!asString(params.callback_query_id)) return badRequest('query_id is empty');
        if ((asString(params.text) ?? '').length > 200) return badRequest('MESSAGE_TOO_LONG');
        return ok(true);
      case 'getupdates':
        return this.getUpdates(bot, params);
      case 'getfile': {
        const fileId = asString(params.file_id);
        if (!fileId) return badRequest('file_id is empty');
        const f = bot.files.get(fileId);
        if (!f) return badRequest('invalid file_id');
        if (f.data.length > MAX_DOWNLOAD) return badRequest('file is too big');
        const size = f.reportedSize === undefined ? f.data.length : f.reportedSize;
        return ok({ file_id: fileId, file_unique_id: `u${fileId}`, ...(size === null ? {} : { file_size: size }), file_path: f.path });
      }
      default:
        return fail(404, 'Not Found');
    }
  }

  /** `GET /file/bot<token>/<file_path>`: the bytes, as api.telegram.org serves them (404 for anything unknown). */
  private serveFile(token: string, path: string, method: string): FakeResponse {
    const bot = this.bots.get(token);
    const f = bot && [...bot.files.values()].find((x) => x.path === path);
    if (method !== 'GET' || !f) return fail(404, 'Not Found');
    return { status: 200, body: f.data, headers: { 'content-type': 'application/octet-stream' } };
  }

  private setWebhook(bot: BotState, params: Params): FakeResponse {
    const url = asString(params.url) ?? '';
    if (url === '') {
      bot.webhook = undefined;
      return ok(true, 'Webhook was deleted');
    }
    if (!/^https?:\/\//.test(url)) return badRequest('invalid webhook URL specified');
    const secret = asString(params.secret_token);
    if (secret !== undefined && !SECRET_TOKEN_RE.test(secret)) {
      return badRequest('secret token contains unallowed characters');
    }
    const allowed = asJson(params.allowed_updates);
    bot.webhook = {
      url,
      ...(secret !== undefined ? { secret_token: secret } : {}),
      ...(Array.isArray(allowed) ? { allowed_updates: allowed.map(String) } : {}),
    };
    if (isTrue(params.drop_pending_updates)) bot.updates = [];
    return ok(true, 'Webhook was set');
  }

  private setMyCommands(bot: BotState, params: Params): FakeResponse {
    const commands = asJson(params.commands);
    if (!Array.isArray(commands)) return badRequest('parameter "commands" is required');
    for (const entry of commands) {
      const { command, description } = asRecord(entry);
      if (typeof command !== 'string' || !/^[a-z0-9_]{1,32}$/.test(command)) return badRequest('BOT_COMMAND_INVALID');
      if (typeof description !== 'string' || description.length < 1 || description.length > 256) {
        return badRequest('BOT_COMMAND_DESCRIPTION_INVALID');
      }
    }
    bot.commands = commands;
    return ok(true);
  }

  /** What Telegram compares for "message is not modified": the visible text and its formatting. */
  private static shownOf(params: Params, text: string): string {
    const html = asString(params.parse_mode)?.toUpperCase() === 'HTML';
    return html ? `${text}\u0000${(asString(params.text) ?? '').match(/<[^>]*>/g)?.join('') ?? ''}` : `${text}\u0000`;
  }

  /** The text a sent or edited message shows now (undefined once deleted or never sent). */
  messageText(token: string, chatId: string | number, messageId: number): string | undefined {
    return this.bots.get(token)?.messages.get(`${chatId}:${messageId}`)?.split('\u0000')[0];
  }

  /** The messages of one chat that exist now (sent, maybe edited, not deleted), oldest first. */
  chatMessages(token: string, chatId: string | number): { id: number; text: string }[] {
    const prefix = `${chatId}:`;
    return [...(this.bots.get(token)?.messages ?? [])]
      .filter(([k]) => k.startsWith(prefix))
      .map(([k, v]) => ({ id: Number(k.slice(prefix.length)), text: v.split('\u0000')[0] }));
  }

  private checkText(params: Params): { text: string } | FakeResponse {
    const raw = asString(params.text);
    if (raw === undefined || raw.trim() === '') return badRequest('message text is empty');
    let text = raw;
    if (asString(params.parse_mode)?.toUpperCase() === 'HTML') {
      const parsed = parseTelegramHtml(raw);
      if ('error' in parsed) return badRequest(`can't parse entities: ${parsed.error}`);
      text = parsed.text;
    }
    if (text.trim() === '') return badRequest('message text is empty');
    if ([...text].length > MAX_TEXT) return badRequest('message is too long');
    return { text };
  }

  private sendMessage(bot: BotState, params: Params): FakeResponse {
    const chatId = asString(params.chat_id);
    if (chatId === undefined || chatId === '') return badRequest('chat_id is empty');
    const checked = this.checkText(params);
    if ('status' in checked) return checked;
    const markupProblem = checkReplyMarkup(params.reply_markup);
    if (markupProblem) return badRequest(markupProblem);
    const messageId = this.nextMessageId++;
    bot.messages.set(`${chatId}:${messageId}`, FakeTelegramApi.shownOf(params, checked.text));
    const threadId = asNumber(params.message_thread_id);
    return ok({
      message_id: messageId,
      from: { id: bot.info.id, is_bot: true, first_name: bot.info.first_name, username: bot.info.username },
      chat: chatOf(chatId),
      date: Math.floor(Date.now() / 1000),
      text: checked.text,
      ...(threadId !== undefined ? { message_thread_id: threadId } : {}),
    });
  }

  private editMessageText(bot: BotState, params: Params): FakeResponse {
    const inlineId = asString(params.inline_message_id);
    const chatId = asString(params.chat_id);
    const messageId = asNumber(params.message_id);
    if (!inlineId && (chatId === undefined || chatId === '')) return badRequest('chat_id is empty');
    if (!inlineId && messageId === undefined) return badRequest('message identifier is not specified');
    const checked = this.checkText(params);
    if ('status' in checked) return checked;
    const markupProblem = checkReplyMarkup(params.reply_markup);
    if (markupProblem) return badRequest(markupProblem);
    if (inlineId) return ok(true);
    const key = `${chatId}:${messageId}`;
    // Unknown messages (e.g. from queued updates) are accepted; known ones must actually change.
    if (bot.messages.get(key) === FakeTelegramApi.shownOf(params, checked.text) && params.reply_markup === undefined) {
      return badRequest(
        'message is not modified: specified new message content and reply markup are exactly the same as a ' +
          'current content and reply markup of the message',
      );
    }
    bot.messages.set(key, FakeTelegramApi.shownOf(params, checked.text));
    const now = Math.floor(Date.now() / 1000);
    return ok({
      message_id: messageId,
      from: { id: bot.info.id, is_bot: true, first_name: bot.info.first_name, username: bot.info.username },
      chat: chatOf(chatId ?? ''),
      date: now,
      edit_date: now,
      text: checked.text,
    });
  }

  private async getUpdates(bot: BotState, params: Params): Promise<FakeResponse> {
    if (bot.webhook) {
      return fail(
        409,
        "Conflict: can't use getUpdates method while webhook is active; use deleteWebhook to delete the webhook first",
      );
    }
    const offset = asNumber(params.offset) ?? 0;
    const limit = Math.min(Math.max(asNumber(params.limit) ?? 100, 1), 100);
    const deadline = Date.now() + Math.min((asNumber(params.timeout) ?? 0) * 1000, LONG_POLL_CAP_MS);
    for (;;) {
      bot.updates = bot.updates.filter((u) => u.update_id >= offset);
      if (bot.updates.length > 0 || Date.now() >= deadline || this.isStopping) break;
      await this.sleep(Math.min(20, deadline - Date.now()));
    }
    const result = bot.updates.slice(0, limit);
    bot.updates = bot.updates.slice(limit);
    return ok(result);
  }
}

function chatOf(chatId: string): { id: number | string; type: string } {
  const numeric = Number(chatId);
  if (!Number.isInteger(numeric)) return { id: chatId, type: 'channel' };
  return { id: numeric, type: numeric > 0 ? 'private' : 'supergroup' };
}

/** Telegram's checks of an inline keyboard: rows of buttons with text, callback_data 1-64 bytes. */
function checkReplyMarkup(raw: unknown): string | undefined {
  if (raw === undefined) return undefined;
  const markup = asRecord(asJson(raw));
  if (markup.inline_keyboard === undefined) return undefined; // other keyboards are not checked here
  if (!Array.isArray(markup.inline_keyboard) || markup.inline_keyboard.some((row) => !Array.isArray(row))) return "field \"inline_keyboard\" of the InlineKeyboardMarkup should be an Array of Arrays";
  for (const row of markup.inline_keyboard as unknown[][]) {
    for (const b of row) {
      const button = asRecord(b);
      if (!asString(button.text)) return 'text buttons are unallowed in the inline keyboard';
      const data = asString(button.callback_data);
      if (data !== undefined && (data.length === 0 || Buffer.byteLength(data) > 64)) return 'BUTTON_DATA_INVALID';
    }
  }
  return undefined;
}

function isTrue(value: unknown): boolean {
  return value === true || value === 'true' || value === '1' || value === 1;
}

// ---------------------------------------------------------------------------------------------------------------
// HTML parse mode, following the rules of tdlib's parse_html (the error texts mimic Telegram's).

const ALLOWED_TAGS = new Set(
  ['b', 'strong', 'i', 'em', 'u', 'ins', 's', 'strike', 'del', 'span', 'tg-spoiler', 'a', 'code', 'pre', 'blockquote'],
);
const NAMED_ENTITIES: Record<string, string> = { lt: '<', gt: '>', amp: '&', quot: '"' };

/** Validates Telegram `parse_mode: HTML` text. Returns null when valid, else the reason Telegram would give. */
export function validateTelegramHtml(text: string): string | null {
  const parsed = parseTelegramHtml(text);
  return 'error' in parsed ? parsed.error : null;
}

/** Parses Telegram HTML into its plain text (tags stripped, entities decoded) or an error reason. */
export function parseTelegramHtml(html: string): { text: string } | { error: string } {
  const at = (index: number): string => `at byte offset ${Buffer.byteLength(html.slice(0, index), 'utf8')}`;
  const isSpace = (c: string | undefined): boolean => c !== undefined && /\s/.test(c);
  const stack: string[] = [];
  let out = '';
  let i = 0;

  const entity = (index: number): { value: string; end: number } | undefined => {
    const m = /^&(?:#(\d{1,7})|#[xX]([0-9a-fA-F]{1,6})|([a-zA-Z]+));/.exec(html.slice(index, index + 16));
    if (!m) return undefined;
    if (m[3] !== undefined) {
      const named = NAMED_ENTITIES[m[3]];
      return named === undefined ? undefined : { value: named, end: index + m[0].length };
    }
    const code = m[1] !== undefined ? parseInt(m[1], 10) : parseInt(m[2], 16);
    if (code === 0 || code > 0x10ffff || (code >= 0xd800 && code <= 0xdfff)) return undefined;
    return { value: String.fromCodePoint(code), end: index + m[0].length };
  };

  while (i < html.length) {
    const c = html[i];
    if (c === '&') {
      const decoded = entity(i);
      if (!decoded) {
        const name = /^&#?[a-zA-Z0-9]*;?/.exec(html.slice(i))?.[0] ?? '&';
        return name.length > 1 && name.endsWith(';')
          ? { error: `Unsupported HTML entity "${name}" ${at(i)}` }
          : { error: `Character "&" must be escaped as "&amp;" ${at(i)}` };
      }
      out += decoded.value;
      i = decoded.end;
      continue;
    }
    if (c === '>') return { error: `Character ">" must be escaped as "&gt;" ${at(i)}` };
    if (c !== '<') {
      out += c;
      i++;
      continue;
    }

    const begin = i;
    if (html[i + 1] === '/') {
      // End tag.
      if (stack.length === 0) return { error: `Unexpected end tag ${at(begin)}` };
      let j = i + 2;
      while (j < html.length && !isSpace(html[j]) && html[j] !== '>') j++;
      const name = html.slice(i + 2, j).toLowerCase();
      while (isSpace(html[j])) j++;
      if (html[j] !== '>') return { error: `Unclosed end tag ${at(begin)}` };
      const open = stack.pop() as string;
      if (name !== '' && name !== open) {
        return { error: `Unmatched end tag ${at(begin)}, expected "</${open}>", found "</${name}>"` };
      }
      i = j + 1;
      continue;
    }

    // Start tag.
    let j = i + 1;
    while (j < html.length && !isSpace(html[j]) && html[j] !== '>') j++;
    if (j >= html.length) return { error: `Unclosed start tag ${at(begin)}` };
    const tag = html.slice(i + 1, j).toLowerCase();
    if (!ALLOWED_TAGS.has(tag)) return { error: `Unsupported start tag "${tag}" ${at(begin)}` };
    const attributes = new Map<string, string>();
    while (html[j] !== '>') {
      while (isSpace(html[j])) j++;
      if (j >= html.length) return { error: `Unclosed start tag ${at(begin)}` };
      if (html[j] === '>') break;
      const nameStart = j;
      while (j < html.length && !isSpace(html[j]) && html[j] !== '=' && html[j] !== '>') j++;
      const attrName = html.slice(nameStart, j).toLowerCase();
      if (attrName === '') return { error: `Empty attribute name in the tag "${tag}" ${at(begin)}` };
      while (isSpace(html[j])) j++;
      if (j >= html.length) return { error: `Unclosed start tag ${at(begin)}` };
      if (html[j] !== '=') {
        attributes.set(attrName, ''); // Bare attribute, e.g. <blockquote expandable>.
        continue;
      }
      j++;
      while (isSpace(html[j])) j++;
      if (j >= html.length) return { error: `Unclosed start tag ${at(begin)}` };
      let value = '';
      const quote = html[j];
      if (quote === '"' || quote === "'") {
        j++;
        while (j < html.length && html[j] !== quote) {
          const decoded = html[j] === '&' ? entity(j) : undefined;
          value += decoded ? decoded.value : html[j];
          j = decoded ? decoded.end : j + 1;
        }
        if (j >= html.length) return { error: `Unclosed start tag ${at(begin)}` };
        j++;
      } else {
        const valueStart = j;
        while (j < html.length && /[A-Za-z0-9.-]/.test(html[j])) j++;
        value = html.slice(valueStart, j);
        if (value === '') {
          return { error: `Expected equal sign in declaration of an attribute of the tag "${tag}" ${at(begin)}` };
        }
      }
      attributes.set(attrName, value);
    }
    if (tag === 'span' && attributes.get('class') !== 'tg-spoiler') {
      return { error: `Tag "span" must have class "tg-spoiler" ${at(begin)}` };
    }
    stack.push(tag);
    i = j + 1;
  }

  if (stack.length > 0) return { error: `Can't find end tag corresponding to start tag "${stack[stack.length - 1]}"` };
  return { text: out };
}
