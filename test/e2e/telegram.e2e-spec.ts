import { DataSource } from 'typeorm';
import { TelegramPoller } from '../../src/integrations/telegram/telegram-poller';
import { FakeOpenAiApi, FakeTelegramApi } from '../fakes';
import { RecordedCall } from '../fakes/fake-http-server';
import { validateTelegramHtml } from '../fakes/telegram.fake';
import { commandUpdate, connectTelegramBot, postUpdate, TelegramBotFixture, textUpdate } from '../factories/telegram';
import { Actor, ownerWithTeam } from '../factories/users';
import { createTestApp, TestApp } from '../utils/test-app';
import { inboundSettled, until } from '../utils/wait';

type SendBody = { chat_id: unknown; text: string; parse_mode?: string; reply_parameters?: { message_id: number } };
const body = (c: RecordedCall): SendBody => c.body as SendBody;
const sentTo = (tg: FakeTelegramApi, chatId: number): RecordedCall[] => tg.callsTo('sendMessage').filter((c) => String(body(c).chat_id) === String(chatId));


describe('Telegram (e2e against the fake Bot API)', () => {
  let tg: FakeTelegramApi;
  let llm: FakeOpenAiApi;
  let t: TestApp;
  let ds: DataSource;
  let owner: Actor & { teamId: string };
  let bot: TelegramBotFixture;
  let chat = 10_000;

  const events = async (connectionId: string): Promise<{ status: string; error: string | null }[]> =>
    ds.query('SELECT status, error FROM inbound_event WHERE connection_id = $1 ORDER BY seq', [connectionId]);

  beforeAll(async () => {
    [tg, llm] = await Promise.all([new FakeTelegramApi().start(), new FakeOpenAiApi().start()]);
    t = await createTestApp({
      env: { TELEGRAM_API_ROOT: tg.url, INBOUND_WORKING_DELAY_MS: '0', CONNECTION_HEALTH_INTERVAL_S: '0', INBOUND_SWEEP_INTERVAL_S: '0', TELEGRAM_POLL_SCAN_MS: '0', TELEGRAM_POLL_TIMEOUT_S: '1', PUBLIC_BASE_URL: 'https://sb.example.com', WEBHOOK_ALLOW_PRIVATE_NETWORKS: 'true' },
    });
    ds = t.app.get(DataSource);
    owner = await ownerWithTeam(t, 'Telegram');
    bot = await connectTelegramBot(t, tg, owner, { settings: { greeting: 'Welcome to **Acme** support!' } });
  });
  afterAll(async () => {
    await t.close();
    await Promise.all([tg.stop(), llm.stop()]);
  });

  it('connect registered the webhook, the secret token and the commands', () => {
    const hook = tg.webhookOf(bot.token);
    expect(hook).toMatchObject({ url: `https://sb.example.com/webhooks/telegram/${bot.connectionId}`, allowed_updates: ['message', 'edited_message', 'callback_query', 'my_chat_member'] });
    expect((tg.commandsOf(bot.token) as { command: string }[] | undefined)?.map((c) => c.command)).toEqual(['start', 'help', 'reset', 'status']);
  });

  it('a private message gets an HTML reply in the same chat, after "typing…"', async () => {
    const c = ++chat;
    await postUpdate(t, bot, textUpdate(c, 'Hello <bot> & co')).expect(200, { ok: true });
    await until(() => sentTo(tg, c).length === 1, 'reply');
    expect(body(sentTo(tg, c)[0])).toMatchObject({ chat_id: String(c), text: 'Hello &lt;bot&gt; &amp; co', parse_mode: 'HTML' });
    expect(tg.callsTo('sendChatAction').some((x) => String((x.body as { chat_id: unknown }).chat_id) === String(c))).toBe(true);
  });

  it('a wrong or missing secret token is 401 and stores nothing; an unknown connection is 404', async () => {
    const before = (await events(bot.connectionId)).length;
    await postUpdate(t, bot, textUpdate(++chat, 'x'), null).expect(401);
    await postUpdate(t, bot, textUpdate(++chat, 'x'), `${bot.secret}x`).expect(401);
    await t.http().post('/webhooks/telegram/00000000-0000-0000-0000-000000000000').set('X-Telegram-Bot-Api-Secret-Token', bot.secret).send(textUpdate(1, 'x')).expect(404);
    expect((await events(bot.connectionId)).length).toBe(before);
  });

  it('a 9,000-character reply becomes 3 messages, each ≤ 4096 characters and valid Telegram HTML', async () => {
    const para = (i: number): string => `Paragraph ${i} **bold** and _italic_ ${'lorem ipsum '.repeat(40)}`;
    const long = Array.from({ length: 18 }, (_, i) => para(i)).join('\n\n').slice(0, 9000);
    llm.reply = () => long;
    const aiBot = await connectTelegramBot(t, tg, owner, { runtime: { type: 'openai', baseUrl: llm.url, model: 'm' } });
    const c = ++chat;
    await postUpdate(t, aiBot, textUpdate(c, 'write a lot')).expect(200);
    await until(async () => (await events(aiBot.connectionId))[0]?.status === 'done', 'done');
    const parts = sentTo(tg, c);
    expect(parts).toHaveLength(3);
    for (const p of parts) {
      expect(validateTelegramHtml(body(p).text)).toBeNull();
      expect(body(p).text.replace(/<[^>]+>/g, '').length).toBeLessThanOrEqual(4096);
    }
  });

  it('a 429 delays the reply by retry_after, then sends it once', async () => {
    const c = ++chat;
    tg.failNext((call) => call.path.endsWith('/sendMessage') && String((call.body as SendBody).chat_id) === String(c), {
      status: 429,
      body: { ok: false, error_code: 429, description: 'Too Many Requests: retry after 1', parameters: { retry_after: 1 } },
    });
    await postUpdate(t, bot, textUpdate(c, 'slow down')).expect(200);
    await until(async () => (await events(bot.connectionId)).at(-1)?.status === 'done', 'done after retry');
    const attempts = sentTo(tg, c);
    expect(attempts).toHaveLength(2);
    expect(attempts[1].at - attempts[0].at).toBeGreaterThanOrEqual(900);
  });

  it('"can\'t parse entities" is resent as plain text', async () => {
    const c = ++chat;
    tg.failNext((call) => call.path.endsWith('/sendMessage') && String((call.body as SendBody).chat_id) === String(c), {
      status: 400,
      body: { ok: false, error_code: 400, description: "Bad Request: can't parse entities: unexpected end tag" },
    });
    await postUpdate(t, bot, textUpdate(c, 'a < b')).expect(200);
    await until(() => sentTo(tg, c).length === 2, 'plain resend');
    expect(body(sentTo(tg, c)[1])).toMatchObject({ text: 'a < b' });
    expect(body(sentTo(tg, c)[1]).parse_mode).toBeUndefined();
  });

  it('groups: no reply without a mention; a mention gets a reply that quotes the message', async () => {
    const g = -(++chat);
    await postUpdate(t, bot, textUpdate(g, 'just chatting', { chatType: 'supergroup', fromId: 42 })).expect(200);
    const mention = `@${bot.username} what is 2+2?`;
    const u = textUpdate(g, mention, { chatType: 'supergroup', fromId: 42, entities: [{ type: 'mention', offset: 0, length: bot.username.length + 1 }] });
    await postUpdate(t, bot, u).expect(200);
    await until(() => sentTo(tg, g).length === 1, 'group reply');
    await inboundSettled(ds, bot.connectionId); // the unmentioned message finished too: no reply will follow
    expect(sentTo(tg, g)).toHaveLength(1);
    expect(body(sentTo(tg, g)[0])).toMatchObject({ text: 'what is 2+2?', reply_parameters: { message_id: (u.message as { message_id: number }).message_id } });
    const evs = await events(bot.connectionId);
    expect(evs.some((e) => e.status === 'ignored' && e.error === 'group message not addressed to the bot')).toBe(true);
  });

  it('commands: /start greets (configurable), /help lists, /status tells, /reset starts a new conversation', async () => {
    const c = ++chat;
    for (const cmd of ['/start', '/help', '/status']) await postUpdate(t, bot, commandUpdate(c, cmd)).expect(200);
    await until(() => sentTo(tg, c).length === 3, 'command replies');
    const [start, help, status] = sentTo(tg, c).map((x) => body(x).text);
    expect(start).toBe('Welcome to <b>Acme</b> support!');
    expect(help).toContain('/reset');
    expect(status).toMatch(/is active\./);
    await postUpdate(t, bot, textUpdate(c, 'before')).expect(200);
    await postUpdate(t, bot, commandUpdate(c, '/reset')).expect(200);
    await postUpdate(t, bot, textUpdate(c, 'after')).expect(200);
    await until(() => sentTo(tg, c).length === 6, 'all replies');
    const convs = (await ds.query("SELECT status FROM conversation WHERE connection_id = $1 AND external_chat_id = $2 ORDER BY started_at", [bot.connectionId, String(c)])) as { status: string }[];
    expect(convs.map((x) => x.status)).toEqual(['completed', 'open']);
  });

  it('photos are acknowledged and stored as attachment metadata; edits are ignored', async () => {
    const c = ++chat;
    const u = textUpdate(c, 'x');
    const m = u.message as Record<string, unknown>;
    delete m.text;
    m.caption = 'look at this';
    m.photo = [{ file_id: 'small', file_size: 10, width: 90, height: 90 }, { file_id: 'big-photo-id', file_size: 12345, width: 800, height: 600 }];
    await postUpdate(t, bot, u).expect(200);
    await until(() => sentTo(tg, c).length === 1, 'ack');
    const [row] = (await ds.query("SELECT m.metadata FROM message m JOIN conversation c ON c.id = m.conversation_id WHERE c.external_chat_id = $1 AND m.role = 'user'", [String(c)])) as { metadata: { attachments: unknown[] } }[];
    expect(row.metadata.attachments).toEqual([{ kind: 'photo', fileId: 'big-photo-id', mime: 'image/jpeg', size: 12345 }]);
    await postUpdate(t, bot, { update_id: 9_000_001, edited_message: (textUpdate(c, 'edited').message as object) }).expect(200);
    await until(async () => (await events(bot.connectionId)).at(-1)?.error === 'edited message', 'edit ignored');
    expect(sentTo(tg, c)).toHaveLength(1);
  });

  it('a callback query for a button we do not know is answered politely and reaches no agent (buttons: buttons.e2e-spec)', async () => {
    const c = ++chat;
    await postUpdate(t, bot, {
      update_id: 9_000_002,
      callback_query: { id: 'cbq-1', from: { id: c, is_bot: false, first_name: 'Ada' }, data: 'option A', message: { message_id: 5, chat: { id: c, type: 'private' } } },
    }).expect(200);
    await until(() => tg.callsTo('answerCallbackQuery').some((x) => (x.body as { callback_query_id: string }).callback_query_id === 'cbq-1'), 'answered');
    await until(async () => (await events(bot.connectionId)).some((e) => e.error === 'button click refused: unknown button'), 'ignored');
    expect(sentTo(tg, c)).toHaveLength(0);
  });

  it('403 "bot was blocked by the user": no retries, the conversation is marked', async () => {
    const c = ++chat;
    tg.failNext((call) => call.path.endsWith('/sendMessage') && String((call.body as SendBody).chat_id) === String(c), {
      status: 403,
      body: { ok: false, error_code: 403, description: 'Forbidden: bot was blocked by the user' },
    }, 5);
    await postUpdate(t, bot, textUpdate(c, 'hi')).expect(200);
    await until(async () => (await events(bot.connectionId)).at(-1)?.status === 'failed', 'failed'); // failed: never retried
    expect(sentTo(tg, c)).toHaveLength(1);
    const [conv] = await ds.query('SELECT metadata FROM conversation WHERE external_chat_id = $1', [String(c)]);
    expect(conv.metadata).toMatchObject({ blocked: true });
  });

  it('a paused connection acknowledges updates and records them as ignored', async () => {
    const other = await connectTelegramBot(t, tg, owner);
    await t.http().patch(`/v1/teams/${owner.teamId}/agents/${other.agentId}/connections/${other.connectionId}`).set(owner.auth).send({ status: 'paused' }).expect(200);
    await new Promise((r) => setTimeout(r, 50));
    await postUpdate(t, other, textUpdate(++chat, 'hello?')).expect(200);
    // the guard caches the connection for a few seconds; the worker re-checks the status either way
    await until(async () => (await events(other.connectionId))[0]?.status === 'ignored', 'ignored');
    expect((await events(other.connectionId))[0].error).toBe('the connection is paused');
  });

  it('401 while replying sets the connection to error', async () => {
    const other = await connectTelegramBot(t, tg, owner);
    const c = ++chat;
    tg.failNext((call) => call.path.endsWith('/sendMessage') && String((call.body as SendBody).chat_id) === String(c), {
      status: 401,
      body: { ok: false, error_code: 401, description: 'Unauthorized' },
    });
    await postUpdate(t, other, textUpdate(c, 'hi')).expect(200);
    await until(async () => (await events(other.connectionId))[0]?.status === 'failed', 'failed');
    const h = await t.http().get(`/v1/teams/${owner.teamId}/agents/${other.agentId}/connections/${other.connectionId}/health`).set(owner.auth).expect(200);
    expect(h.body).toMatchObject({ status: 'error', errorMessage: expect.stringContaining('Unauthorized') });
  });

  it('polling mode: no webhook, one worker long-polls getUpdates into the same pipeline; back to webhook stops it', async () => {
    const p = await connectTelegramBot(t, tg, owner, { settings: { mode: 'polling' } });
    expect(tg.webhookOf(p.token)?.url ?? '').toBe('');
    const c = ++chat;
    tg.queueUpdate(p.token, textUpdate(c, 'polled hello') as never);
    const poller = t.app.get(TelegramPoller);
    await poller.scan();
    await until(() => sentTo(tg, c).length === 1, 'reply to a polled update');
    expect(body(sentTo(tg, c)[0]).text).toBe('polled hello');
    expect(poller.running()).toContain(p.connectionId);
    await t.http().patch(`/v1/teams/${owner.teamId}/agents/${p.agentId}/connections/${p.connectionId}`).set(owner.auth).send({ settings: { mode: 'webhook' } }).expect(200);
    expect(tg.webhookOf(p.token)?.url).toBe(`https://sb.example.com/webhooks/telegram/${p.connectionId}`);
    await until(() => !poller.running().includes(p.connectionId), 'poller to stop', 5000);
  });
});
